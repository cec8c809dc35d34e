import { api, type SupervisorHandle, startSupervisor, tempDir } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WireColumns } from "../../src/routes/data/series-columns";
import { openDatabase } from "../../src/storage/database";
import { type Bucket, TimeseriesRepo } from "../../src/storage/timeseries-repo";

/**
 * GET /api/data/timeseries?format=columns (issue 15: the history charts' 15-minute query): the same
 * buckets as the default objects, one array a field, with min/max/last left out exactly when they
 * repeat avg. A real supervisor serves a history written before it started (sealed chunks), plus
 * text, NaN, bad-quality and two-samples-a-bucket series.
 */
const BIND = "127.0.91.10";
const PORT = 47871;
const END = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
const START = END - 40 * 60_000;
const ANALOG = "bacnet:91001/analogInput:1.presentValue";
const TWICE = "bacnet:91001/analogInput:2.presentValue";
const TEXT = "log:mode";

type Objects = {
  from: number;
  to: number;
  bucket_ms: number;
  series: { point: string; samples: Bucket[] }[];
};
type Columns = {
  from: number;
  to: number;
  bucket_ms: number;
  series: { point: string; columns: WireColumns; backfilled: unknown[] }[];
};

/** The objects a columns answer stands for (a reader's rule: absent min, max, last are avg). */
function asObjects(c: WireColumns): Bucket[] {
  return c.t.map((t, i) => ({
    t,
    avg: c.avg[i]!,
    min: (c.min ?? c.avg)[i]!,
    max: (c.max ?? c.avg)[i]!,
    last: (c.last ?? c.avg)[i]!,
    count: c.count[i]!,
    quality: c.quality[i]!,
  }));
}

describe("history as columns over HTTP", () => {
  let sup: SupervisorHandle;
  const path = (points: string[], extra: string) =>
    `/api/data/timeseries?points=${points.map(encodeURIComponent).join(",")}&from=${START}&to=${END}${extra}`;

  beforeAll(async () => {
    const dir = tempDir("history-columns");
    const db = openDatabase(dir);
    const repo = new TimeseriesRepo(db, () => END + 3_600_000);
    for (let ts = START; ts < END; ts += 5000) {
      const i = (ts - START) / 5000;
      // A REAL's float32 value, a NaN now and then and a bad stretch: all kept as stored.
      const value = i % 50 === 7 ? Number.NaN : Math.fround(20 + Math.sin(i / 9) * 3);
      repo.record({ ref: ANALOG, ts: ts + 3, value, quality: i >= 100 && i < 110 ? "bad" : "good" });
      // Two samples in each 2 s bucket: min, max and last differ from avg.
      repo.record({ ref: TWICE, ts: ts + 100, value: i, quality: "good" });
      repo.record({ ref: TWICE, ts: ts + 900, value: i + 0.5, quality: "good" });
      if (i % 60 === 0)
        repo.record({ ref: TEXT, ts, value: i % 120 ? "Occupied" : "Unoccupied", quality: "good" });
    }
    repo.flush(END);
    repo.sealAll(END + 3_600_000);
    db.close();
    sup = await startSupervisor({
      bacnetBind: BIND,
      bacnetPort: PORT,
      broadcast: `127.0.91.255:${PORT}`,
      dataDir: dir,
      publicRead: false,
    });
  });
  afterAll(() => sup?.stop());

  it("answers the same buckets as the objects form, for raw samples and for each kind of bucket", async () => {
    for (const extra of [
      "",
      "&bucket=0",
      "&bucket=2000",
      "&bucket=60000",
      "&bucket=3600000",
      "&max_points=100",
    ]) {
      const points = [ANALOG, TWICE, TEXT, "bacnet:91001/analogInput:99.presentValue"];
      const objects = await api<Objects>(sup.url, path(points, extra), { token: sup.token });
      const columns = await api<Columns>(sup.url, path(points, `${extra}&format=columns`), {
        token: sup.token,
      });
      expect(objects.status, JSON.stringify(objects.body)).toBe(200);
      expect(columns.status, JSON.stringify(columns.body)).toBe(200);
      expect(columns.body.bucket_ms).toBe(objects.body.bucket_ms);
      expect(columns.body.series.map((s) => s.point)).toEqual(objects.body.series.map((s) => s.point));
      columns.body.series.forEach((s, i) => {
        expect(asObjects(s.columns), `${s.point} ${extra}`).toEqual(objects.body.series[i]!.samples);
        expect(s).not.toHaveProperty("samples");
      });
      expect(objects.body.series[0]!.samples.length).toBeGreaterThan(0);
    }
  });

  it("leaves out min, max and last exactly when every bucket repeats avg", async () => {
    const raw = await api<Columns>(sup.url, path([ANALOG, TWICE, TEXT], "&bucket=2000&format=columns"), {
      token: sup.token,
    });
    const [analog, twice] = raw.body.series.map((s) => s.columns);
    // One sample a bucket: 480 of them, NaN on the wire as null, the bad stretch kept.
    expect(analog!.t).toHaveLength(480);
    expect(Object.keys(analog!).sort()).toEqual(["avg", "count", "quality", "t"]);
    expect(analog!.avg.filter((v) => v === null)).toHaveLength(10);
    expect(analog!.quality.filter((q) => q === "bad")).toHaveLength(10);
    // Two a bucket: min is the first, max and last the second.
    expect(twice!.count.every((n) => n === 2)).toBe(true);
    expect(twice!.min!.slice(0, 2)).toEqual([0, 1]);
    expect(twice!.max!.slice(0, 2)).toEqual([0.5, 1.5]);
    expect(twice!.last).toEqual(twice!.max);
    // Raw text samples carry their text in last (avg is null).
    const text = await api<Columns>(sup.url, path([TEXT], "&bucket=0&format=columns"), { token: sup.token });
    const mode = text.body.series[0]!.columns;
    expect(mode.last!.slice(0, 2)).toEqual(["Unoccupied", "Occupied"]);
    expect(mode.avg.every((v) => v === null)).toBe(true);
  });

  it("refuses an unknown format with a 422 naming the field, and needs a signed-in viewer", async () => {
    const bad = await api<{ errors: { path: string; message: string }[] }>(
      sup.url,
      path([ANALOG], "&format=csv"),
      { token: sup.token },
    );
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e) => e.path)).toEqual(["query.format"]);
    const anonymous = await fetch(`${sup.url}${path([ANALOG], "&format=columns")}`);
    expect(anonymous.status).toBe(401);
  });
});
