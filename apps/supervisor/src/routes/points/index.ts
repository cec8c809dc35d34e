import { stateLabel } from "@bms/bacnet/display";
import {
  type BacnetPointRef,
  formatPointRef,
  normalizePointRef,
  PointReadRequestSchema,
  type PointValue,
  PointWriteRequestSchema,
  type PriorityArrayResponse,
  PriorityArrayResponseSchema,
  parsePointRef,
  roleAllows,
} from "@bms/schemas";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { priorityView } from "../../engine/priority-view";
import { HttpError, route } from "../../http/route";
import { readCommandPicture } from "../../protocols/bacnet/command-picture";
import { overrideRoutes } from "./overrides";

export async function pointRoutes(app: FastifyInstance): Promise<void> {
  await overrideRoutes(app);

  /**
   * Adds how the value reads for people: its units, and the state text of a binary or multi-state
   * value, from what the point's plugin already holds (BACnet's object cache, a Modbus profile, the
   * plugins configuration): no extra traffic.
   */
  function labelled(value: PointValue): PointValue {
    const labels = app.points.labels(value.point);
    if (!labels) return value;
    const out: PointValue = { ...value };
    if (labels.units && labels.units !== "noUnits") out.units = labels.units;
    const text = Array.isArray(value.value) ? undefined : stateLabel(value.value, labels);
    if (text) out.text = text;
    return out;
  }

  /** Reads any list of canonical refs through the registry; refs no plugin serves come back bad. */
  async function read(refs: readonly string[]): Promise<PointValue[]> {
    const results = await app.points.read(refs);
    return results.map((r, i) => {
      const value: PointValue = {
        point: refs[i]!,
        value: r.value,
        quality: r.quality,
        timestamp: new Date(r.timestamp).toISOString(),
      };
      if (r.reason) value.reason = r.reason;
      if (r.code) value.code = r.code;
      return labelled(value);
    });
  }

  /**
   * Whether a point's device is known to be down, so a read of its value before a write would only
   * wait for timeouts. BACnet keeps device status in the device cache; other protocols answer fast.
   */
  function knownOffline(point: string): boolean {
    const parsed = parsePointRef(point);
    if (!parsed.ok || parsed.ref.protocol !== "bacnet") return false;
    return app.repos.devices.get(parsed.ref.device)?.status !== "online";
  }

  route(app, {
    method: "POST",
    url: "/read",
    summary: "Batch read (ReadPropertyMultiple per device)",
    tags: ["points"],
    auth: "viewer",
    audit: { none: "a read sent as POST for long point lists; it changes nothing" },
    body: PointReadRequestSchema,
    async handler({ body }) {
      return { values: await read(body.points) };
    },
  });

  route(app, {
    method: "GET",
    url: "/live",
    summary: "Live values: the given points (comma-separated), or every point the flows (or flow_id) use",
    tags: ["points"],
    auth: "viewer",
    query: z.object({ points: z.string().optional(), flow_id: z.string().min(1).max(64).optional() }),
    async handler({ query }) {
      if (query.points) {
        const refs = query.points
          .split(",")
          .map((p) => p.trim())
          .filter(Boolean);
        const canonical = refs.map((r) => {
          const parsed = parsePointRef(r);
          return parsed.ok ? formatPointRef(parsed.ref) : r;
        });
        return { values: await read(canonical) };
      }
      // The flow's own last scan: no extra BACnet traffic for a dashboard refresh.
      const values: PointValue[] = [...app.engine.readValues(query.flow_id)].map(([point, v]) =>
        labelled({
          point,
          value: Array.isArray(v.value) ? null : (v.value as PointValue["value"]),
          quality: v.quality,
          ...(v.reason ? { reason: v.reason } : {}),
          timestamp: new Date(v.timestamp).toISOString(),
        }),
      );
      return { values };
    },
  });

  route(app, {
    method: "GET",
    url: "/priority",
    summary:
      "A point's command picture: the 16 priority slots, who holds each (this supervisor's flows or another writer), the relinquish default and the winning slot",
    tags: ["points"],
    auth: "viewer",
    query: z.object({ point: z.string().min(1).max(300) }),
    response: PriorityArrayResponseSchema,
    async handler({ query }): Promise<PriorityArrayResponse> {
      const parsed = parsePointRef(query.point);
      if (!parsed.ok) {
        throw new HttpError(422, "invalid query", [{ path: "query.point", message: parsed.message }]);
      }
      if (parsed.ref.protocol !== "bacnet" || !app.points.capabilities("bacnet")?.priorityArray) {
        throw new HttpError(422, "invalid query", [
          { path: "query.point", message: `${parsed.ref.protocol} points have no priority array` },
        ]);
      }
      // The picture is the object's, whatever property the ref named.
      const ref: BacnetPointRef = { ...parsed.ref, property: "presentValue" };
      delete ref.index;
      const point = formatPointRef(ref);
      const picture = await readCommandPicture(app.bacnet, ref);
      return priorityView(point, picture, app.repos.commands.forPoint(point), app.engine.plans());
    },
  });

  route(app, {
    method: "POST",
    url: "/write",
    summary: "Batch write at a priority (default 16); a null value relinquishes that priority",
    tags: ["points"],
    auth: "operator",
    audit: {
      action: "point.write",
      target: ({ body }) =>
        body.writes.length === 1 ? body.writes[0]!.point : `${body.writes.length} points`,
    },
    body: PointWriteRequestSchema,
    async handler({ body }, request, reply) {
      // Overriding a flow's command is an admin's call: an operator writes only where no flow commands.
      if (body.force && !(request.identity && roleAllows(request.identity.role, "admin"))) {
        const message = `the ${request.identity?.role ?? "anonymous"} role may not force a write over a flow's command (needs admin)`;
        if (request.auditNote) {
          request.auditNote.result = "denied";
          request.auditNote.reason = message;
          request.auditNote.details = { forced: true };
        }
        return reply.status(403).send({ error: message, code: "forbidden" });
      }
      // A priority a flow commands is the flow's: a manual write there would be overwritten at the
      // flow's next change and hide what the flow is doing. Refused unless forced.
      const owned = body.writes.flatMap((w, i) => {
        const parsed = parsePointRef(w.point);
        const ref = parsed.ok ? formatPointRef(parsed.ref) : w.point;
        const holder = app.engine.writes.holder(ref, w.priority);
        if (!holder?.flowId) return [];
        const flow = app.engine.get(holder.flowId);
        const node = flow?.flow?.config.nodes.find((n) => n.id === holder.nodeId);
        return [
          {
            path: `writes[${i}]`,
            code: "flow_owned",
            message: `priority ${w.priority} of ${ref} is commanded by node "${node?.label ?? holder.nodeId}" of flow "${flow?.name ?? holder.flowId}"; write at another priority, or send force: true to override it`,
          },
        ];
      });
      if (owned.length > 0 && !body.force)
        throw new HttpError(409, "a flow commands this point at this priority; nothing was written", owned);
      // Only points some plugin serves are read or written; the others get the registry's coded refusal.
      const routed = body.writes.map((w) => app.points.route(w.point));
      const served = body.writes.filter((_, i) => routed[i]!.ok);
      // The value before, for the audit trail: the written property read just before (one batch per
      // protocol, RPM per BACnet device; a manual write is rare, so the round trip is affordable), else
      // the last value history recorded, so an offline device does not make the operator wait for two
      // timeouts. The priority-array slot is not read.
      const live = served.filter((w) => !knownOffline(w.point));
      const read = live.length > 0 ? await app.points.read(live.map((w) => w.point)) : [];
      const before = body.writes.map((w, i) => {
        if (!routed[i]!.ok) return null;
        const n = live.indexOf(w);
        if (n >= 0) return { value: read[n]!.value, quality: read[n]!.quality, source: "device" };
        const last = app.repos.timeseries.latest(normalizePointRef(w.point));
        return last
          ? {
              value: last.value,
              quality: last.quality,
              source: "last recorded",
              at: new Date(last.ts).toISOString(),
            }
          : null;
      });
      const outcomes = await app.points.write(
        body.writes.map((w) => ({ ref: w.point, value: w.value, priority: w.priority })),
      );
      const results = body.writes.map((w, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok)
          app.repos.events.add(
            "info",
            "points",
            `manual write ${w.point} = ${String(w.value)} @${w.priority}${owned.some((o) => o.path === `writes[${body.writes.indexOf(w)}]`) ? " (forced over a flow's command)" : ""}`,
          );
        return outcome.ok
          ? { point: w.point, ok: true, priority: w.priority, value: w.value }
          : {
              point: w.point,
              ok: false,
              error: outcome.error ?? "write failed",
              ...(outcome.code ? { code: outcome.code } : {}),
            };
      });
      if (request.auditNote) {
        request.auditNote.details = {
          ...(body.force ? { forced: true, over_flows: owned.map((o) => o.path) } : {}),
          writes: body.writes.map((w, i) => ({
            point: w.point,
            value: w.value,
            priority: w.priority,
            before: before[i] ?? null,
          })),
        };
        const failed = results.filter((r) => !r.ok);
        if (failed.length > 0) {
          request.auditNote.result = "failed";
          request.auditNote.reason = failed
            .map((r) => `${r.point}: ${"error" in r ? r.error : ""}`)
            .join("; ");
        }
      }
      return { results };
    },
  });
}
