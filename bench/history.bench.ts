// History store benchmark (issue 15), run by `pnpm bench history`. On signals from the simulator's own
// physics (the demo site's AHU, VAVs, plants, lighting and meter models stepped in-process, 10 copies with
// their own noise: 2,000 points of which 1,000+ analog), polled every 5 s with jittered timestamps and
// analog values as BACnet REALs (float32), it measures in one run:
//  1. ingest samples/s of TimeseriesRepo (record + flush: journal, sealing, chunks, rollups), against the
//     raw-table store it replaced (its write path replayed on the same samples);
//  2. bytes per sample on disk (the runtime.db file) for 2,000 points over BENCH_HISTORY_HOURS (24), and
//     by point count (20, 200, 2,000 points, one hour each) and by signal type; the 30-day size of 2,000
//     points at 5 s extrapolated from it, beside the old 51 B/sample;
//  3. queries of 20 points through a real supervisor's /api/data/timeseries (and in-process): 15 min,
//     24 h, and 30 days on 20 points that hold 30 days (generated here, BENCH_HISTORY_LONG_DAYS).
// Results: bench/results/history.json, summary.json keys history_*, a REPORT.md section with charts.
// 2026-12-02, 05:00-05:03, load 0.1-1.2, back to back: the 15-min query of 20 points over HTTP took 12.7 ms
// on main and 12.2 ms on a88cfb7 (in-process 1.8 and 1.25 ms); session 5 measured 9.1 on a quieter VM. About
// 11 ms of it is the HTTP path (auth, route, JSON of 3,600 samples), the place to profile next.
// 2026-12-02, 06:12-06:26 (histq), profile of the supervisor (--cpu-prof, 600 requests of that query):
// per request JSON.stringify of 3,600 bucket objects 3.7 ms, writev of the 520 KB body 2.1 ms,
// Buffer.byteLength 0.4 ms, the store 1.7 ms, 20 backfill lookups 0.3 ms; auth (one token compare),
// routing and Zod under 0.2 ms together (no audit on reads, no rate limiter on a good token). The client
// spent ~4 ms CPU fetching and parsing. So the store now builds columns, and the dashboard's charts ask
// for format=columns (same buckets, bit for bit; min/max/last left out when they repeat avg): 122 KB
// instead of 408 KB. From this date the HTTP figures are that form, the one the charts request; the
// objects form (the API's default) is measured beside it in alternating rounds. Load 4-21 (other
// helpers' tests): 15 min 8.6 ms median (rounds 3.8-11.5) against 17.1 for objects (13.0-24.9) in the
// same run; 24 h 33 ms, 30 days 40 ms; ingest 329k samples/s at that load (714k at load 1).
// 2026-12-02, 06:37-06:42, merged with main a475295, load 4-11: 15 min 5.0 ms (rounds 4.6-13.2) against
// 11.2 for objects (7.5-30.6); 24 h 55 ms (33 in the run before), 30 days 27 ms, ingest 639k/s. The 24 h
// query is not the JSON: 20 points × 480 buckets took 44 ms in either form at load 4 (945 KB of columns,
// 1.4 MB of objects), and the supervisor's profile (80 requests) puts 32 ms a request in the store
// (decodeMinutes and addChunks: 1,920 chunks' minute summaries, an object each) and 18 ms in GC, against
// 7 ms of serializing. What would close the spread: minute summaries decoded straight into the bucket
// builder's columns (no object a minute) and the 20 points' minute blobs read in one statement.
import { statSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { api, REPO_ROOT, startSupervisor, tempDir } from "@bms/test-support";
import { environmentAt } from "../apps/simulator/src/physics/environment";
import { buildSite } from "../apps/simulator/src/site/build-site";
import { loadSiteFile, resolveSiteSource } from "../apps/simulator/src/site/load-site";
import { type Db, openDatabase } from "../apps/supervisor/src/storage/database";
import { CHUNK_OVERHEAD_BYTES, TimeseriesRepo } from "../apps/supervisor/src/storage/timeseries-repo";
import { type Chart, writeSection, writeSummary } from "./report";

const POINTS = 2000;
const HOURS = Number(process.env.BENCH_HISTORY_HOURS ?? 24);
const LONG_POINTS = 20;
const LONG_DAYS = Number(process.env.BENCH_HISTORY_LONG_DAYS ?? 30);
const STEP_MS = 5000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The figure issue 15 starts from: the raw-table store, measured by the supervisor bench. */
const OLD_BYTES_PER_SAMPLE = 51;
// BACnet on loopback in this helper's reserved range; the supervisor only serves the queries.
const SUP_BIND = "127.0.44.1";
const SUP_PORT = 47866;

type SignalType = "analog" | "binary" | "multi-state";

interface Point {
  ref: string;
  type: SignalType;
  read: () => number;
}

/** Deterministic PRNG (mulberry32), one stream per site copy. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Copies of the demo site, stepped every 5 s of simulated time; their points, as the supervisor reads them. */
class SimulatedSites {
  readonly points: Point[] = [];
  private readonly copies: { step: (simTimeMs: number, dtS: number, elapsedS: number) => void }[] = [];
  private elapsedS = 0;

  /** `base`: the first copy's device offset, so sets of copies have distinct point refs. */
  constructor(count: number, base: number) {
    const spec = loadSiteFile(resolveSiteSource("demo", REPO_ROOT));
    for (let c = 0; c < count; c++) {
      const site = buildSite(spec, SUP_BIND);
      const random = rng(1000 + c);
      this.copies.push({
        step: (simTimeMs, dtS, elapsedS) => {
          const env = environmentAt(spec.weather, spec.occupancy, simTimeMs);
          for (const b of site.behaviors) b.step({ dtS, elapsedS, simTimeMs, env, random });
        },
      });
      for (const device of site.devices) {
        for (const o of device.objects) {
          const name = o.typeName;
          const type: SignalType = name.startsWith("analog")
            ? "analog"
            : name.startsWith("binary")
              ? "binary"
              : "multi-state";
          this.points.push({
            ref: `bacnet:${base + c * 10_000 + device.instance}/${name}:${o.instance}.presentValue`,
            type,
            // What the supervisor stores: a REAL widened to float64, enumerations as integers.
            read: type === "analog" ? () => Math.fround(o.presentValue) : () => o.presentValue,
          });
        }
      }
    }
  }

  step(simTimeMs: number): void {
    this.elapsedS += STEP_MS / 1000;
    for (const c of this.copies) c.step(simTimeMs, STEP_MS / 1000, this.elapsedS);
  }
}

/** Polls `points` every 5 s from `start` to `end` into `write`; returns the time `write` took. */
function poll(
  sites: SimulatedSites,
  points: readonly Point[],
  start: number,
  end: number,
  write: (ref: string, ts: number, value: number) => void,
  afterScan: (scanTs: number) => void,
): { samples: number; writeMs: number; longestScanMs: number } {
  const jitter = rng(7);
  let samples = 0;
  let writeMs = 0;
  let longestScanMs = 0;
  // Let the physics settle (start-up transients are not what a month of history looks like).
  for (let t = start - HOUR; t < start; t += STEP_MS) sites.step(t);
  for (let scan = start; scan < end; scan += STEP_MS) {
    sites.step(scan);
    const values = points.map((p) => p.read());
    const t0 = performance.now();
    for (let i = 0; i < points.length; i++) {
      // A read completes a few ms into the scan, each device a little later than the one before.
      write(points[i]!.ref, scan + 3 + (i >> 5) + Math.floor(jitter() * 12), values[i]!);
    }
    afterScan(scan);
    const ms = performance.now() - t0;
    writeMs += ms;
    if (ms > longestScanMs) longestScanMs = ms;
    samples += points.length;
  }
  return { samples, writeMs, longestScanMs };
}

function fileBytes(db: Db, dir: string): number {
  db.pragma("wal_checkpoint(TRUNCATE)");
  return statSync(join(dir, "runtime.db")).size;
}

/** Fills a fresh store; returns samples, ingest rate and bytes on disk per sample. */
function fillStore(points: readonly Point[], sites: SimulatedSites, start: number, end: number) {
  const dir = tempDir("bench-history");
  const db = openDatabase(dir);
  const repo = new TimeseriesRepo(db);
  const { samples, writeMs, longestScanMs } = poll(
    sites,
    points,
    start,
    end,
    (ref, ts, value) => repo.record({ ref, ts, value, quality: "good" }),
    (scan) => repo.flush(scan + STEP_MS),
  );
  return { dir, db, repo, samples, writeMs, longestScanMs };
}

/** The store this replaced: one raw row per sample plus a per-minute rollup row (its flush, replayed). */
function fillLegacy(points: readonly Point[], sites: SimulatedSites, start: number, end: number) {
  const dir = tempDir("bench-history-legacy");
  // The old tables are still there until a TimeseriesRepo converts them; none is opened here.
  const db = openDatabase(dir);
  const insertPoint = db.prepare("INSERT OR IGNORE INTO points (ref) VALUES (?)");
  const ids = new Map<string, number>();
  for (const p of points) ids.set(p.ref, Number(insertPoint.run(p.ref).lastInsertRowid));
  const insert = db.prepare(
    "INSERT OR REPLACE INTO samples (point_id, ts, value, text, quality) VALUES (?, ?, ?, ?, ?)",
  );
  const upsertMinute = db.prepare(
    `INSERT INTO samples_1m (point_id, minute, sum, count, min, max, last, last_ts, quality)
     VALUES (@id, @minute, @value, @n, @value, @value, @value, @ts, @quality)
     ON CONFLICT(point_id, minute) DO UPDATE SET
       sum = CASE WHEN excluded.sum IS NULL THEN sum ELSE COALESCE(sum, 0) + excluded.sum END,
       count = count + excluded.count,
       min = CASE WHEN excluded.min IS NULL THEN min WHEN min IS NULL THEN excluded.min ELSE MIN(min, excluded.min) END,
       max = CASE WHEN excluded.max IS NULL THEN max WHEN max IS NULL THEN excluded.max ELSE MAX(max, excluded.max) END,
       last = CASE WHEN excluded.last_ts >= last_ts THEN excluded.last ELSE last END,
       last_ts = MAX(last_ts, excluded.last_ts),
       quality = MAX(quality, excluded.quality)`,
  );
  let buffer: [number, number, number][] = [];
  const flush = db.transaction((rows: [number, number, number][]) => {
    for (const [id, ts, value] of rows) {
      insert.run(id, ts, value, null, 0);
      upsertMinute.run({ id, minute: Math.floor(ts / 60_000) * 60_000, value, n: 1, ts, quality: 0 });
    }
  });
  const { samples, writeMs } = poll(
    sites,
    points,
    start,
    end,
    (ref, ts, value) => buffer.push([ids.get(ref)!, ts, value]),
    () => {
      flush(buffer);
      buffer = [];
    },
  );
  const bytes = fileBytes(db, dir);
  // Its 15-minute query of 20 analog points: the rows the old repo read (one index range scan a point).
  const select = db
    .prepare(
      "SELECT ts, value, quality FROM samples WHERE point_id = ? AND ts >= ? AND ts <= ? AND text IS NULL ORDER BY ts",
    )
    .raw();
  const twenty = points
    .filter((p) => p.type === "analog")
    .slice(0, 20)
    .map((p) => ids.get(p.ref)!);
  const q15 = timed(30, () => {
    for (const id of twenty) select.all(id, end - 15 * 60_000, end);
  });
  db.close();
  return { samples, writeMs, bytes, q15 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Median of `runs` timed calls after a few untimed ones (JIT, SQLite page cache). */
function timed(runs: number, fn: () => unknown): number {
  for (let i = 0; i < 3; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

async function timedAsync(runs: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

async function main() {
  // On a shared machine the times depend on what else runs: the load is recorded beside them.
  const loadAtStart = loadavg()[0]!;
  const end = Math.floor(Date.now() / STEP_MS) * STEP_MS;
  const start = end - HOURS * HOUR;

  // 1 + 2. The main fill: 2,000 points over HOURS hours.
  const sites = new SimulatedSites(10, 100_000);
  const points = sites.points.slice(0, POINTS);
  console.log(`filling ${HOURS} h of ${points.length} points every 5 s (simulator physics)...`);
  const main = fillStore(points, sites, start, end);
  const ingest = main.samples / (main.writeMs / 1000);
  console.log(
    `ingest: ${main.samples} samples in ${(main.writeMs / 1000).toFixed(1)} s = ${ingest.toFixed(0)}/s; ` +
      `longest flush ${main.longestScanMs.toFixed(1)} ms (2,000 samples and a seal step)`,
  );

  // Bytes per sample: the whole file, the open window sealed (it is kept in the journal meanwhile).
  main.repo.sealAll(end + 3600_000);
  const mainBytes = fileBytes(main.db, main.dir);
  const bytesPerSample = mainBytes / main.samples;
  const used = main.db
    .prepare("SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC")
    .all() as { name: string; bytes: number }[];
  const estimate = main.repo.storedBytes;
  const byType = new Map<SignalType, { bytes: number; samples: number }>();
  const typeOf = new Map(points.map((p) => [p.ref, p.type]));
  for (const row of main.db
    .prepare(
      `SELECT p.ref, SUM(length(c.samples) + length(c.minutes) + ${CHUNK_OVERHEAD_BYTES}) AS bytes, SUM(c.count) AS samples
       FROM history_chunks c JOIN points p ON p.id = c.point_id GROUP BY p.ref`,
    )
    .all() as { ref: string; bytes: number; samples: number }[]) {
    const type = typeOf.get(row.ref)!;
    const t = byType.get(type) ?? { bytes: 0, samples: 0 };
    t.bytes += row.bytes;
    t.samples += row.samples;
    byType.set(type, t);
  }
  const thirtyDays = (bytesPerSample * POINTS * (30 * DAY)) / STEP_MS;
  console.log(
    `on disk: ${(mainBytes / 1e6).toFixed(1)} MB = ${bytesPerSample.toFixed(2)} B/sample (was ${OLD_BYTES_PER_SAMPLE}); ` +
      `30 days of ${POINTS} points at 5 s: ${(thirtyDays / 1e9).toFixed(2)} GB (was ${((OLD_BYTES_PER_SAMPLE * POINTS * 30 * DAY) / STEP_MS / 1e9).toFixed(1)} GB)`,
  );
  for (const [type, t] of byType)
    console.log(`  ${type}: ${(t.bytes / t.samples).toFixed(2)} B/sample (chunk bytes)`);

  // Bytes per sample by point count (one hour each, fresh files) and the old store on the same hour.
  const byCount: { points: number; bytesPerSample: number }[] = [];
  for (const n of [20, 200, 2000]) {
    const s = new SimulatedSites(Math.ceil(n / 222), 200_000 + n * 100);
    const f = fillStore(s.points.slice(0, n), s, end - HOUR, end);
    f.repo.sealAll(end + 3600_000);
    byCount.push({ points: n, bytesPerSample: fileBytes(f.db, f.dir) / f.samples });
    f.db.close();
  }
  const legacySites = new SimulatedSites(10, 100_000);
  const legacy = fillLegacy(legacySites.points.slice(0, POINTS), legacySites, end - HOUR, end);
  const legacyIngest = legacy.samples / (legacy.writeMs / 1000);
  const legacyBytes = legacy.bytes / legacy.samples;
  console.log(
    `raw-table store, same hour: ${legacyBytes.toFixed(1)} B/sample, ${legacyIngest.toFixed(0)} samples/s; ` +
      `by point count: ${byCount.map((b) => `${b.points}: ${b.bytesPerSample.toFixed(2)}`).join(", ")}`,
  );

  // 3. Twenty points that hold LONG_DAYS days.
  console.log(`filling ${LONG_DAYS} days of ${LONG_POINTS} points...`);
  const longSites = new SimulatedSites(1, 900_000);
  const longPoints = longSites.points.filter((p) => p.type === "analog").slice(0, LONG_POINTS);
  // The long fill goes back in time: a fresh sealing clock lets it seal window by window, as live
  // data would have been (the 2,000 points' history is sealed already).
  main.db
    .prepare("UPDATE history_meta SET value = ? WHERE key IN ('sealed_to', 'sealing_to')")
    .run(-(2 ** 50));
  const longRepo = new TimeseriesRepo(main.db);
  poll(
    longSites,
    longPoints,
    end - LONG_DAYS * DAY,
    end,
    (ref, ts, value) => longRepo.record({ ref, ts, value, quality: "good" }),
    (scan) => {
      if ((scan / STEP_MS) % 12 === 0) longRepo.flush(scan + STEP_MS);
    },
  );
  longRepo.sealAll(end - 60_000);
  main.db.close();

  const twenty = points.filter((p) => p.type === "analog").slice(0, 20);
  const q = (refs: readonly Point[], from: number, bucket: number) => {
    for (const p of refs) reopened.query(p.ref, from, end, bucket);
  };
  const reopened = new TimeseriesRepo(openDatabase(main.dir), () => end);
  const inProcess = {
    q15_raw: timed(30, () => q(twenty, end - 15 * 60_000, 0)),
    q15: timed(30, () => q(twenty, end - 15 * 60_000, 2000)),
    q24h: timed(20, () => q(twenty, end - DAY, 180_000)),
    q30d: timed(20, () => q(longPoints, end - LONG_DAYS * DAY, 2 * HOUR)),
  };
  console.log(`in-process queries of 20 points (ms): ${JSON.stringify(inProcess)}`);

  const sup = await startSupervisor({
    bacnetBind: SUP_BIND,
    bacnetPort: SUP_PORT,
    broadcast: `127.0.44.255:${SUP_PORT}`,
    dataDir: main.dir,
    env: { BMS_HISTORY_HOURS: String(LONG_DAYS * 24 + 48) },
  });
  let http: {
    q15: number;
    q15_objects: number;
    q24h: number;
    q30d: number;
    samples15: number;
    buckets30d: number;
    bytes15: number;
    bytes15_objects: number;
  };
  try {
    // The dashboard's charts ask for columns (format=columns); the objects form is the API's default.
    const url = (refs: readonly Point[], from: number, format: "columns" | "objects") =>
      `/api/data/timeseries?points=${refs.map((p) => encodeURIComponent(p.ref)).join(",")}&from=${from}&to=${end}&format=${format}`;
    type Answer = { bucket_ms: number; series: { columns?: { t: unknown[] }; samples?: unknown[] }[] };
    const get = (refs: readonly Point[], from: number, format: "columns" | "objects" = "columns") =>
      api<Answer>(sup.url, url(refs, from, format), { token: sup.token });
    const counted = (a: Answer) =>
      a.series.reduce((n, s) => n + (s.columns?.t.length ?? s.samples?.length ?? 0), 0);
    const bytes = async (path: string) =>
      (await (await fetch(`${sup.url}${path}`, { headers: { authorization: `Bearer ${sup.token}` } })).text())
        .length;
    const r15 = await get(twenty, end - 15 * 60_000);
    const r15objects = await get(twenty, end - 15 * 60_000, "objects");
    const r30 = await get(longPoints, end - LONG_DAYS * DAY);
    if (r15.status !== 200 || r30.status !== 200 || counted(r15.body) !== counted(r15objects.body))
      throw new Error(`query failed: ${JSON.stringify(r15.body).slice(0, 500)}`);
    // Columns and objects in alternate rounds, so load changes touch both alike.
    const q15: number[] = [];
    const q15objects: number[] = [];
    for (let round = 0; round < 5; round++) {
      q15.push(await timedAsync(10, () => get(twenty, end - 15 * 60_000)));
      q15objects.push(await timedAsync(10, () => get(twenty, end - 15 * 60_000, "objects")));
    }
    console.log(
      `15 min rounds (ms): columns ${q15.map((v) => v.toFixed(1)).join(" ")}; objects ${q15objects.map((v) => v.toFixed(1)).join(" ")}`,
    );
    http = {
      q15: median(q15),
      q15_objects: median(q15objects),
      q24h: await timedAsync(20, () => get(twenty, end - DAY)),
      q30d: await timedAsync(20, () => get(longPoints, end - LONG_DAYS * DAY)),
      samples15: counted(r15.body),
      buckets30d: counted(r30.body),
      bytes15: await bytes(url(twenty, end - 15 * 60_000, "columns")),
      bytes15_objects: await bytes(url(twenty, end - 15 * 60_000, "objects")),
    };
    console.log(
      `HTTP queries of 20 points (ms): ${JSON.stringify(http)} (30 d bucket ${r30.body.bucket_ms} ms)`,
    );
  } finally {
    await sup.stop();
  }

  const results = {
    benchmark: "history",
    measured_at: new Date().toISOString(),
    load_avg_1m: { start: Number(loadAtStart.toFixed(2)), end: Number(loadavg()[0]!.toFixed(2)) },
    signals:
      "demo site physics (10 copies, own noise), analog as float32 REALs, polled every 5 s with 3-40 ms jitter",
    points: POINTS,
    hours: HOURS,
    samples: main.samples,
    ingest_samples_per_s: Math.round(ingest),
    longest_flush_ms: Number(main.longestScanMs.toFixed(1)),
    file_bytes: mainBytes,
    bytes_per_sample: Number(bytesPerSample.toFixed(3)),
    store_estimate_bytes: estimate,
    dbstat_bytes_by_table: Object.fromEntries(used.map((u) => [u.name, u.bytes])),
    bytes_per_sample_by_type: Object.fromEntries(
      [...byType].map(([type, t]) => [type, Number((t.bytes / t.samples).toFixed(3))]),
    ),
    bytes_per_sample_by_point_count: Object.fromEntries(
      byCount.map((b) => [b.points, Number(b.bytesPerSample.toFixed(3))]),
    ),
    thirty_days_2000_points_5s_gb: Number((thirtyDays / 1e9).toFixed(2)),
    thirty_days_2000_points_5s_gb_at_51_bytes: Number(
      ((OLD_BYTES_PER_SAMPLE * POINTS * 30 * DAY) / STEP_MS / 1e9).toFixed(1),
    ),
    raw_table_store_same_hour: {
      query_15min_20_points_ms_in_process: Number(legacy.q15.toFixed(2)),
      bytes_per_sample: Number(legacyBytes.toFixed(1)),
      ingest_samples_per_s: Math.round(legacyIngest),
    },
    query_ms_in_process: Object.fromEntries(
      Object.entries(inProcess).map(([k, v]) => [k, Number(v.toFixed(2))]),
    ),
    query_ms_http: Object.fromEntries(Object.entries(http).map(([k, v]) => [k, Number(v.toFixed(2))])),
    long_points: { points: LONG_POINTS, days: LONG_DAYS },
  };
  writeFileSync(join(REPO_ROOT, "bench/results/history.json"), `${JSON.stringify(results, null, 2)}\n`);

  writeSummary({
    history_bytes_per_sample: results.bytes_per_sample,
    history_ingest_samples_per_s: results.ingest_samples_per_s,
    history_query_15min_20_points_ms: Number(http.q15.toFixed(2)),
    history_query_30d_20_points_ms: Number(http.q30d.toFixed(2)),
  });
  const charts: Chart[] = [
    {
      file: "history-bytes.svg",
      title: "History: bytes per sample on disk",
      unit: "bytes/sample",
      bars: [
        { label: `chunks, ${POINTS} points, ${HOURS} h`, value: bytesPerSample, role: "ours" },
        ...byCount.map((b) => ({
          label: `chunks, ${b.points} points, 1 h (file)`,
          value: b.bytesPerSample,
          role: "ours" as const,
        })),
        ...[...byType].map(([type, t]) => ({
          label: `chunks, ${type} signals`,
          value: t.bytes / t.samples,
          role: "ours" as const,
        })),
        { label: "raw-table store, same hour", value: legacyBytes, role: "baseline" },
      ],
      goal: { value: 4, label: "goal ≤ 4" },
    },
    {
      file: "history-ingest.svg",
      title: "History: ingest",
      unit: "samples/s",
      bars: [
        { label: "chunks (record + flush + seal)", value: ingest, role: "ours" },
        { label: "raw-table store, same samples", value: legacyIngest, role: "baseline" },
      ],
      goal: { value: 200_000, label: "goal ≥ 200k" },
    },
    {
      file: "history-queries.svg",
      title: "History: queries of 20 points over HTTP",
      unit: "ms (median)",
      bars: [
        { label: "15 min", value: http.q15, role: "ours" },
        { label: "15 min, objects form", value: http.q15_objects, role: "ours" },
        { label: "24 h, bucketed", value: http.q24h, role: "ours" },
        { label: `${LONG_DAYS} days, bucketed`, value: http.q30d, role: "ours" },
        { label: "15 min, store alone", value: inProcess.q15, role: "ours" },
        { label: "24 h, store alone", value: inProcess.q24h, role: "ours" },
        { label: `${LONG_DAYS} days, store alone`, value: inProcess.q30d, role: "ours" },
        { label: "15 min, raw-table store alone", value: legacy.q15, role: "baseline" },
      ],
    },
  ];
  writeSection({
    bench: "history",
    title: "History store",
    charts,
    lines: [
      `- Load average (1 min) on the ${cpus().length}-core machine: ${results.load_avg_1m.start} at the start, ${results.load_avg_1m.end} at the end; times scale with it.`,
      `- Signals: ${results.signals}; ${main.samples.toLocaleString("en-US")} samples of ${POINTS} points over ${HOURS} h.`,
      `- On disk: ${bytesPerSample.toFixed(2)} bytes/sample (the runtime.db file), against ${legacyBytes.toFixed(1)} for the raw-table store on the same hour (${OLD_BYTES_PER_SAMPLE} before issue 15).`,
      `- By point count, one hour each: the whole file, so 20 points (14,400 samples) carry SQLite's fixed pages of every table; per chunk the bytes do not depend on the point count.`,
      `- 30 days of ${POINTS} points at 5 s, extrapolated: **${(thirtyDays / 1e9).toFixed(2)} GB** (at ${OLD_BYTES_PER_SAMPLE} B/sample: ${results.thirty_days_2000_points_5s_gb_at_51_bytes} GB).`,
      `- Ingest: ${Math.round(ingest).toLocaleString("en-US")} samples/s (raw-table store: ${Math.round(legacyIngest).toLocaleString("en-US")}); the longest flush (a scan's 2,000 samples plus a step of a seal, 250 points a flush) held the event loop ${main.longestScanMs.toFixed(1)} ms.`,
      `- Queries of 20 points over HTTP (median), as the dashboard's charts ask (format=columns): 15 min ${http.q15.toFixed(1)} ms (${http.samples15} samples, ${Math.round(http.bytes15 / 1000)} KB; the objects form ${http.q15_objects.toFixed(1)} ms, ${Math.round(http.bytes15_objects / 1000)} KB), 24 h ${http.q24h.toFixed(1)} ms, ${LONG_DAYS} days ${http.q30d.toFixed(1)} ms (${http.buckets30d} buckets). "Store alone" is the same query in-process; the grey bar is the raw-table store's 15-minute query on its hour of the same signals.`,
    ],
  });
}

await main();
