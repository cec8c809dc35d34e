import { normalizePointRef, PointRefSchema } from "@bms/schemas";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { HttpError, route } from "../../http/route";
import { bucketsOf } from "../../storage/timeseries-repo";
import { wireColumns } from "./series-columns";

const DAY_MS = 24 * 3_600_000;

/** Accepts ms since epoch, an ISO date, or a relative "-15m" / "-2h" / "-1d". */
const TimeSchema = z.string().transform((text, ctx) => {
  const relative = /^-(\d+)(s|m|h|d)$/.exec(text);
  if (relative) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS }[relative[2] as "s" | "m" | "h" | "d"];
    return Date.now() - Number(relative[1]) * unit;
  }
  if (/^\d+$/.test(text)) return Number(text);
  const parsed = Date.parse(text);
  if (Number.isNaN(parsed)) {
    ctx.addIssue({ code: "custom", message: "use ms since epoch, an ISO date or -15m/-2h/-1d" });
    return z.NEVER;
  }
  return parsed;
});

export async function dataRoutes(app: FastifyInstance): Promise<void> {
  route(app, {
    method: "GET",
    url: "/timeseries",
    summary: "History of points over a window (retention: --history-hours), bucketed server-side",
    tags: ["data"],
    auth: "viewer",
    query: z.object({
      points: z.string().min(1),
      from: TimeSchema.optional(),
      to: TimeSchema.optional(),
      bucket: z.coerce.number().int().min(0).max(DAY_MS).optional(),
      max_points: z.coerce.number().int().min(10).max(10_000).default(600),
      // objects: `samples`, one object a bucket. columns: `columns`, one array a field (series-columns.ts),
      // what the dashboard's charts read: a quarter of the bytes to write, send and parse.
      format: z
        .enum(["objects", "columns"])
        .default("objects")
        .describe(
          "objects: each series has `samples`, one {t, avg, min, max, last, count, quality} a bucket. columns: " +
            "each series has `columns` {t, avg, min?, max?, last?, count, quality}, one array a field; min, max " +
            "and last are left out when they equal avg in every bucket (no bucket holds two samples).",
        ),
    }),
    handler({ query }) {
      const to = query.to ?? Date.now();
      const from = query.from ?? to - 15 * 60_000;
      if (from >= to)
        throw new HttpError(422, "from must be before to", [
          { path: "query.from", message: "must be before to" },
        ]);
      // Without an explicit bucket, pick one so a series never exceeds max_points: a day of 1 s data
      // stays a few hundred points on the wire.
      // Buckets of a minute or more are whole minutes, which the chunks' minute summaries answer, and
      // of an hour or more whole hours, which the hour rollup answers: a month is read as 720 rows a point.
      const span = to - from;
      const wanted = span / query.max_points;
      const bucket =
        query.bucket ??
        (wanted <= 1000
          ? 0
          : wanted < 60_000
            ? Math.ceil(wanted / 1000) * 1000
            : wanted < 3_600_000
              ? Math.ceil(wanted / 60_000) * 60_000
              : Math.ceil(wanted / 3_600_000) * 3_600_000);
      const refs = query.points
        .split(",")
        .map((p) => p.trim())
        .filter(Boolean);
      const series = refs.map((ref) => {
        let canonical = ref;
        try {
          canonical = normalizePointRef(ref);
        } catch {
          // log:<name> series and other non-point names are used as given
        }
        const columns = app.repos.timeseries.queryColumns(canonical, from, to, bucket);
        return {
          point: canonical,
          ...(query.format === "columns"
            ? { columns: wireColumns(columns) }
            : { samples: bucketsOf(columns) }),
          // Stretches filled from a device's Trend Log after an outage: charts mark them.
          backfilled: app.repos.backfills.ranges(canonical, from, to),
        };
      });
      return { from, to, bucket_ms: bucket, series };
    },
  });

  route(app, {
    method: "GET",
    url: "/latest",
    summary:
      "Latest stored value of every monitored point, or (flow_id) of the points one flow reads and commands",
    tags: ["data"],
    auth: "viewer",
    // History is kept per point, not per flow: a point two flows read is one series. A flow filter
    // therefore selects the flow's points.
    query: z.object({ flow_id: z.string().min(1).max(64).optional() }),
    handler({ query }) {
      app.history.flush();
      let refs: Set<string>;
      if (query.flow_id !== undefined) {
        const plan = app.engine.get(query.flow_id)?.flow?.plan;
        if (!plan) throw new HttpError(404, `the active site has no flow "${query.flow_id}"`);
        refs = new Set([...plan.reads, ...plan.writes]);
      } else refs = new Set([...app.history.points, ...app.repos.timeseries.refs()]);
      const values = [...refs].flatMap((ref) => {
        const s = app.repos.timeseries.latest(ref);
        return s
          ? [{ point: ref, value: s.value, quality: s.quality, timestamp: new Date(s.ts).toISOString() }]
          : [];
      });
      return { values };
    },
  });

  route(app, {
    method: "GET",
    url: "/watch",
    summary: "The watch list: points kept in history besides the flow's own",
    tags: ["data"],
    auth: "viewer",
    handler: () => ({ points: app.repos.watchList.list() }),
  });

  route(app, {
    method: "PUT",
    url: "/watch",
    summary: "Replace the watch list",
    tags: ["data"],
    auth: "operator",
    audit: { action: "watch.replace", target: () => "watch list" },
    body: z.object({ points: z.array(PointRefSchema).max(2000) }),
    handler({ body }, request) {
      const before = app.repos.watchList.list();
      app.repos.watchList.replace(body.points);
      const after = new Set(app.repos.watchList.list());
      if (request.auditNote)
        request.auditNote.details = {
          added: [...after].filter((p) => !before.includes(p)).slice(0, 200),
          removed: before.filter((p) => !after.has(p)).slice(0, 200),
          count: after.size,
        };
      app.watchPoller.reload();
      return { points: app.repos.watchList.list() };
    },
  });
}
