import { AlarmAckBodySchema } from "@bms/schemas";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { HttpError, route } from "../../http/route";
import { DeviceUnreachableError, describeBacnetError } from "../../protocols/bacnet/errors";

/** A device that refused the acknowledgement is a 409 (with its reason); one that did not answer, a 504. */
function deviceAckFailure(error: unknown): HttpError {
  if (error instanceof DeviceUnreachableError) return new HttpError(504, error.message);
  const described = describeBacnetError(error);
  if (described.kind === "timeout")
    return new HttpError(504, "the device did not answer the acknowledgement");
  return new HttpError(409, `the device refused the acknowledgement: ${described.message}`);
}

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
      const alerts = app.repos.alerts.list(query.state === "open", query.limit, query.flow_id);
      // A site runs many flows, and two of them can hold a node of the same id (the demo's CHW and HW
      // plants both have "pumps"): the flow's name says which plant's pump failed.
      const flowNames = new Map(app.engine.flows().map((f) => [f.flowId, f.name]));
      // A device alarm carries the event values its device sent, decoded (`event`), beside its message.
      return {
        alerts: alerts.map((alert) => {
          const event = app.deviceAlarms.detailOf(alert.key);
          const flowName = alert.flow_id ? flowNames.get(alert.flow_id) : undefined;
          return { ...alert, ...(flowName ? { flow_name: flowName } : {}), ...(event ? { event } : {}) };
        }),
      };
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
    // `by` names the person at the panel (the audit record keeps the authenticated identity beside it);
    // `comment` is kept on the alarm row, in the audit record and in the event log, never sent to a device.
    body: AlarmAckBodySchema,
    async handler({ params, body }, request) {
      const by = body.by ?? request.onBehalfOf ?? request.identity?.name ?? "operator";
      const comment = body.comment ? body.comment : undefined;
      const said = comment ? `: ${JSON.stringify(comment)}` : "";
      if (app.deviceAlarms.owns(params.key)) {
        // A device's alarm: AcknowledgeAlarm on the device first; its refusal leaves the row as it was.
        const outcome = await app.deviceAlarms
          .acknowledge(params.key, by, comment)
          .catch((error: unknown) => {
            throw deviceAckFailure(error);
          });
        if (outcome.kind === "unknown") throw new HttpError(404, `no alarm with key "${params.key}"`);
        app.repos.events.add("info", "alerts", `acknowledged ${params.key} on the device by ${by}${said}`);
        if (request.auditNote)
          request.auditNote.details = { by, device: true, ...(comment ? { comment } : {}) };
        return { alert: outcome.alert };
      }
      const alert = app.repos.alerts.acknowledge(params.key, by, { comment });
      if (!alert) throw new HttpError(404, `no alarm with key "${params.key}"`);
      // The alert node owns the alarm's state: a new token on its ack parameter acknowledges it there.
      // Per flow: the alarm's own flow (every flow for an alarm from before flows were recorded).
      const flows = alert.flow_id ? [alert.flow_id] : app.engine.flows().map((f) => f.flowId);
      for (const flowId of flows) app.engine.parameters.signal(flowId, `alert_ack:${params.key}`);
      app.repos.events.add("info", "alerts", `acknowledged ${params.key} by ${by}${said}`);
      if (request.auditNote) request.auditNote.details = { by, ...(comment ? { comment } : {}) };
      return { alert };
    },
  });
}
