import { AuditQuerySchema } from "@bms/schemas";
import { queryAudit } from "../../../lib/auth/audit-repository";
import { guarded } from "../../../lib/auth/guard";
import { getDb } from "../../../lib/db/client";
import { json, problem } from "../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Parses `?from&to&actor&action&result&limit` with the shared schema; bad filters are a 422 per field. */
function auditQuery(request: Request) {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  return AuditQuerySchema.safeParse(params);
}

export const GET = guarded({ role: "admin" }, (request: Request) => {
  const query = auditQuery(request);
  if (!query.success) {
    return problem(
      422,
      "the audit filter is invalid",
      query.error.issues.map((i) => ({ path: i.path.join(".") || "(query)", message: i.message })),
    );
  }
  return json({ records: queryAudit(getDb(), query.data) });
});
