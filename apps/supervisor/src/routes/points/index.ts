import {
  type BacnetPointRef,
  normalizePointRef,
  PointReadRequestSchema,
  type PointValue,
  PointWriteRequestSchema,
  parsePointRef,
} from "@bms/schemas";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { route } from "../../http/route";

export async function pointRoutes(app: FastifyInstance): Promise<void> {
  /** Reads any list of canonical refs; non-BACnet refs come back bad with the reason. */
  async function read(refs: readonly string[]): Promise<PointValue[]> {
    const bacnetRefs: { i: number; ref: BacnetPointRef }[] = [];
    const out: PointValue[] = new Array(refs.length);
    refs.forEach((ref, i) => {
      const parsed = parsePointRef(ref);
      if (parsed.ok && parsed.ref.protocol === "bacnet") bacnetRefs.push({ i, ref: parsed.ref });
      else
        out[i] = {
          point: ref,
          value: null,
          quality: "bad",
          reason: parsed.ok ? `no ${parsed.ref.protocol} plugin` : parsed.message,
          timestamp: new Date().toISOString(),
        };
    });
    const results = await app.bacnet.readPoints(bacnetRefs.map((b) => b.ref));
    bacnetRefs.forEach((b, n) => {
      const r = results[n]!;
      const value: PointValue = {
        point: refs[b.i]!,
        value: r.value,
        quality: r.quality,
        timestamp: new Date(r.timestamp).toISOString(),
      };
      if (r.reason) value.reason = r.reason;
      out[b.i] = value;
    });
    return out;
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
    summary: "Live values: the given points (comma-separated), or every point the flow uses",
    tags: ["points"],
    auth: "viewer",
    query: z.object({ points: z.string().optional() }),
    async handler({ query }) {
      if (query.points) {
        const refs = query.points
          .split(",")
          .map((p) => p.trim())
          .filter(Boolean);
        const canonical = refs.map((r) => {
          const parsed = parsePointRef(r);
          return parsed.ok && parsed.ref.protocol === "bacnet"
            ? `bacnet:${parsed.ref.device}/${parsed.ref.objectType}:${parsed.ref.instance}.${parsed.ref.property}`
            : r;
        });
        return { values: await read(canonical) };
      }
      // The flow's own last scan: no extra BACnet traffic for a dashboard refresh.
      const values: PointValue[] = [...app.engine.readValues()].map(([point, v]) => ({
        point,
        value: Array.isArray(v.value) ? null : (v.value as PointValue["value"]),
        quality: v.quality,
        ...(v.reason ? { reason: v.reason } : {}),
        timestamp: new Date(v.timestamp).toISOString(),
      }));
      return { values };
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
    async handler({ body }, request) {
      const parsed = body.writes.map((w) => ({ w, parsed: parsePointRef(w.point) }));
      const bacnetWrites = parsed.flatMap(({ w, parsed: p }) =>
        p.ok && p.ref.protocol === "bacnet"
          ? [{ ref: p.ref, value: w.value, priority: w.priority, point: w.point }]
          : [],
      );
      // The value before, for the audit trail: the written property read from an online device just
      // before (one ReadPropertyMultiple per device; a manual write is rare, so the round trip is
      // affordable), else the last value history recorded, so an offline device does not make the
      // operator wait for two timeouts. The priority-array slot is not read.
      const online = bacnetWrites.filter((b) => app.repos.devices.get(b.ref.device)?.status === "online");
      const read = online.length > 0 ? await app.bacnet.readPoints(online.map((b) => b.ref)) : [];
      const before = bacnetWrites.map((b) => {
        const i = online.indexOf(b);
        if (i >= 0) return { value: read[i]!.value, quality: read[i]!.quality, source: "device" };
        const last = app.repos.timeseries.latest(normalizePointRef(b.point));
        return last
          ? {
              value: last.value,
              quality: last.quality,
              source: "last recorded",
              at: new Date(last.ts).toISOString(),
            }
          : null;
      });
      const outcomes = await app.bacnet.writePoints(bacnetWrites);
      let n = 0;
      const results = parsed.map(({ w, parsed: p }) => {
        if (!p.ok || p.ref.protocol !== "bacnet")
          return { point: w.point, ok: false, error: "only BACnet points can be written" };
        const outcome = outcomes[n++]!;
        if (outcome.ok)
          app.repos.events.add(
            "info",
            "points",
            `manual write ${w.point} = ${String(w.value)} @${w.priority}`,
          );
        return outcome.ok
          ? { point: w.point, ok: true, priority: w.priority, value: w.value }
          : { point: w.point, ok: false, error: outcome.error ?? "write failed" };
      });
      if (request.auditNote) {
        let k = 0;
        request.auditNote.details = {
          writes: parsed.map(({ w, parsed: p }) => {
            const isBacnet = p.ok && p.ref.protocol === "bacnet";
            return {
              point: w.point,
              value: w.value,
              priority: w.priority,
              before: isBacnet ? (before[k++] ?? null) : null,
            };
          }),
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
