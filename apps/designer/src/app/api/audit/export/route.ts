import { AuditQuerySchema } from "@bms/schemas";
import { auditCsv, queryAudit } from "../../../../lib/auth/audit-repository";
import { guarded } from "../../../../lib/auth/guard";
import { getDb } from "../../../../lib/db/client";
import { problem } from "../../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** The same filters as GET /api/audit, as a CSV file (default up to 10,000 records). */
export const GET = guarded({ role: "admin" }, (request: Request) => {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const query = AuditQuerySchema.safeParse({ limit: 10_000, ...params });
  if (!query.success) {
    return problem(
      422,
      "the audit filter is invalid",
      query.error.issues.map((i) => ({ path: i.path.join(".") || "(query)", message: i.message })),
    );
  }
  return new Response(auditCsv(queryAudit(getDb(), query.data)), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="designer-audit-${new Date().toISOString().slice(0, 10)}.csv"`,
      "cache-control": "no-store",
    },
  });
});
