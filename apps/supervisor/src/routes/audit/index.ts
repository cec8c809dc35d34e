import { AuditListResponseSchema, AuditQuerySchema } from "@bms/schemas";
import type { FastifyInstance } from "fastify";
import { route } from "../../http/route";
import { auditCsv } from "../../storage/audit-repo";

/**
 * The audit trail, newest first. Operator and up: it names people, tokens and source addresses, which
 * a wall display with a viewer token (or --public-read) has no need to show.
 */
export async function auditRoutes(app: FastifyInstance): Promise<void> {
  route(app, {
    method: "GET",
    url: "/",
    summary: "Audit records, newest first, filtered by time, actor, action prefix and result",
    tags: ["audit"],
    auth: "operator",
    query: AuditQuerySchema,
    response: AuditListResponseSchema,
    handler: ({ query }) => ({ records: app.auth.audits.query(query) }),
  });

  route(app, {
    method: "GET",
    url: "/export.csv",
    summary: "The same records as CSV (up to 10,000 by default), for an auditor's spreadsheet",
    tags: ["audit"],
    auth: "operator",
    query: AuditQuerySchema.extend({ limit: AuditQuerySchema.shape.limit.unwrap().default(10_000) }),
    handler({ query }, _request, reply) {
      const csv = auditCsv(app.auth.audits.query(query));
      const stamp = new Date().toISOString().slice(0, 10);
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="bms-audit-${stamp}.csv"`)
        .send(csv);
    },
  });
}
