import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { HttpError, route } from "../../http/route";

export async function alertRoutes(app: FastifyInstance): Promise<void> {
  route(app, {
    method: "GET",
    url: "/",
    summary: "Alarms: open ones (default) or all, most urgent first",
    tags: ["alerts"],
    auth: "viewer",
    query: z.object({
      state: z.enum(["open", "all"]).default("open"),
      limit: z.coerce.number().int().min(1).max(1000).default(200),
      flow_id: z.string().min(1).max(64).optional(),
    }),
    handler({ query }) {
      return { alerts: app.repos.alerts.list(query.state === "open", query.limit, query.flow_id) };
    },
  });

  route(app, {
    method: "POST",
    url: "/:key/ack",
    summary: "Acknowledge an alarm (a latched alarm that is back to normal then clears)",
    tags: ["alerts"],
    auth: "operator",
    audit: { action: "alarm.ack", target: ({ params }) => params.key },
    params: z.object({ key: z.string().min(1).max(200) }),
    // `by` names the person at the panel when the caller is a shared tablet; the audit record keeps
    // the authenticated identity beside it either way.
    body: z.object({ by: z.string().max(100).optional() }).default({}),
    handler({ params, body }, request) {
      const by = body.by ?? request.onBehalfOf ?? request.identity?.name ?? "operator";
      const alert = app.repos.alerts.acknowledge(params.key, by);
      if (!alert) throw new HttpError(404, `no alarm with key "${params.key}"`);
      // The alert node owns the alarm's state: a new token on its ack parameter acknowledges it there.
      // Per flow: the alarm's own flow (every flow for an alarm from before flows were recorded).
      const flows = alert.flow_id ? [alert.flow_id] : app.engine.flows().map((f) => f.flowId);
      for (const flowId of flows) app.engine.parameters.signal(flowId, `alert_ack:${params.key}`);
      app.repos.events.add("info", "alerts", `acknowledged ${params.key} by ${by}`);
      if (request.auditNote) request.auditNote.details = { by };
      return { alert };
    },
  });
}
