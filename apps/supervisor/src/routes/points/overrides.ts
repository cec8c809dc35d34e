import { type BacnetPointRef, formatPointRef, normalizePointRef, parsePointRef } from "@bms/schemas";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { OverrideNotFoundError, OverrideWriteError } from "../../engine/override-manager";
import { HttpError, route } from "../../http/route";
import type { ManualOverride } from "../../storage/overrides-repo";

/** The lowest priority number an operator may override at: 1-5 are life safety and critical equipment. */
export const OVERRIDE_PRIORITY_MIN = 6;
export const OVERRIDE_PRIORITY_DEFAULT = 8;

const OverrideRequestSchema = z.object({
  point: z.string().min(1).max(300),
  value: z.union([z.number().refine(Number.isFinite, "must be a finite number"), z.boolean()]),
  priority: z.number().int().min(OVERRIDE_PRIORITY_MIN).max(16).default(OVERRIDE_PRIORITY_DEFAULT),
  // Fractional minutes down to 3 s (tests, commissioning); a day at most: longer is not "temporary".
  minutes: z
    .number()
    .min(0.05)
    .max(24 * 60),
});

const view = (o: ManualOverride) => ({
  id: o.id,
  point: o.point,
  priority: o.priority,
  value: o.value,
  before: o.before,
  started_at: new Date(o.startedAt).toISOString(),
  expires_at: new Date(o.expiresAt).toISOString(),
  created_by: o.createdBy,
  ended_at: o.endedAt === null ? null : new Date(o.endedAt).toISOString(),
  ended_by: o.endedBy,
  end_reason: o.endReason,
});

/** The object's present value: an override is of the point, whatever property the ref named. */
function presentValueRef(point: string): { ref: BacnetPointRef; point: string } | string {
  const parsed = parsePointRef(point);
  if (!parsed.ok) return parsed.message;
  if (parsed.ref.protocol !== "bacnet") return `${parsed.ref.protocol} points cannot be overridden`;
  const ref: BacnetPointRef = { ...parsed.ref, property: "presentValue" };
  delete ref.index;
  return { ref, point: formatPointRef(ref) };
}

export async function overrideRoutes(app: FastifyInstance): Promise<void> {
  route(app, {
    method: "GET",
    url: "/overrides",
    summary: "Timed manual overrides: the open ones, and those ended in the last hour",
    tags: ["points"],
    auth: "viewer",
    handler() {
      return {
        overrides: app.overrides.open().map(view),
        ended: app.repos.overrides.endedSince(Date.now() - 3_600_000).map(view),
      };
    },
  });

  route(app, {
    method: "POST",
    url: "/overrides",
    summary:
      "Override a point: the value at a priority (6-16, default 8) for N minutes, then relinquished (NULL at that priority)",
    tags: ["points"],
    auth: "operator",
    audit: { action: "point.override", target: ({ body }) => body.point },
    body: OverrideRequestSchema,
    async handler({ body }, request) {
      const resolved = presentValueRef(body.point);
      if (typeof resolved === "string")
        throw new HttpError(422, "invalid body", [{ path: "point", message: resolved }]);
      const { ref, point } = resolved;
      // Overrides are priority-array writes: only a protocol with priorities (BACnet) has them.
      if (!app.points.capabilities("bacnet")?.priority)
        throw new HttpError(503, "no plugin with command priorities (BACnet) is loaded");
      if (request.auditNote) request.auditNote.target = point;
      // A slot a running flow commands is the flow's: an override there would be overwritten next scan
      // and relinquished under the flow's feet when it ends.
      const held = app.repos.commands.forPoint(point).find((c) => c.priority === body.priority);
      if (held)
        throw new HttpError(
          409,
          `priority ${body.priority} of ${point} is held by ${held.flowId ? `flow node "${held.nodeId}"` : "a flow"}; choose another priority`,
        );
      const twin = app.overrides.open().find((o) => o.point === point && o.priority === body.priority);
      if (twin)
        throw new HttpError(409, `override ${twin.id} already holds priority ${body.priority} of ${point}`);
      const device = app.repos.devices.get(ref.device);
      let before: unknown = null;
      if (device?.status === "online") {
        const [read] = await app.points.read([point]);
        before = read ? { value: read.value, quality: read.quality, source: "device" } : null;
      } else {
        const last = app.repos.timeseries.latest(normalizePointRef(point));
        before = last ? { value: last.value, quality: last.quality, source: "last recorded" } : null;
      }
      try {
        const created = await app.overrides.begin({
          point,
          priority: body.priority,
          value: body.value,
          before,
          minutes: body.minutes,
          by: request.onBehalfOf ?? request.identity?.name ?? "anonymous",
        });
        if (request.auditNote)
          request.auditNote.details = {
            id: created.id,
            value: body.value,
            priority: body.priority,
            before,
            minutes: body.minutes,
            expires_at: new Date(created.expiresAt).toISOString(),
          };
        return { override: view(created) };
      } catch (error) {
        if (error instanceof OverrideWriteError)
          throw new HttpError(502, `the device refused: ${error.message}`);
        throw error;
      }
    },
  });

  route(app, {
    method: "DELETE",
    url: "/overrides/:id",
    summary: "End an override early: relinquish its priority now",
    tags: ["points"],
    auth: "operator",
    audit: { action: "point.override.end", target: ({ params }) => `override ${params.id}` },
    params: z.object({ id: z.coerce.number().int().min(1) }),
    async handler({ params }, request) {
      try {
        const ended = await app.overrides.end(
          params.id,
          request.onBehalfOf ?? request.identity?.name ?? "anonymous",
          "ended early",
        );
        if (request.auditNote) {
          request.auditNote.target = ended.point;
          request.auditNote.details = { id: ended.id, priority: ended.priority, value: ended.value };
        }
        return { override: view(ended) };
      } catch (error) {
        if (error instanceof OverrideNotFoundError) throw new HttpError(404, error.message);
        if (error instanceof OverrideWriteError)
          throw new HttpError(502, `the device refused: ${error.message}`);
        throw error;
      }
    },
  });
}
