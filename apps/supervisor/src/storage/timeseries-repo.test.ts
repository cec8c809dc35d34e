import { join } from "node:path";
import { tempDir } from "@bms/test-support";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./database";
import { MIGRATIONS, ROLLUP_REBUILD_SQL } from "./migrations";
import { type Bucket, TimeseriesRepo, WINDOW_MS } from "./timeseries-repo";

const T0 = Date.UTC(2026, 10, 28, 8, 0, 0);
const REF = "bacnet:1/analogInput:1.presentValue";
const BOOL = "bacnet:1/binaryInput:1.presentValue";
const HOUR = 3_600_000;

/** 20 minutes of a sawtooth every 5 s, a bad sample at 10:00 past, and a boolean point. */
function fill(repo: TimeseriesRepo, from = T0, minutes = 20) {
  for (let ts = from; ts < from + minutes * 60_000; ts += 5000) {
    const bad = ts === T0 + 10 * 60_000;
    repo.record({ ref: REF, ts, value: bad ? null : ((ts - T0) / 5000) % 12, quality: bad ? "bad" : "good" });
    repo.record({ ref: BOOL, ts, value: (ts - T0) % 60_000 < 30_000, quality: "good" });
  }
}

function filled() {
  const dir = tempDir("timeseries");
  const db = openDatabase(dir);
  const repo = new TimeseriesRepo(db);
  fill(repo);
  repo.flush();
  return { db, repo, dir };
}

/** The buckets a plain fold of the raw samples gives (the reference every summary path must match). */
function foldRaw(raw: Bucket[], bucketMs: number) {
  const m = new Map<number, { sum: number; count: number; min: number; max: number }>();
  for (const s of raw) {
    if (typeof s.avg !== "number") continue;
    const t = Math.floor(s.t / bucketMs) * bucketMs;
    const b = m.get(t) ?? { sum: 0, count: 0, min: Infinity, max: -Infinity };
    b.sum += s.avg;
    b.count++;
    b.min = Math.min(b.min, s.avg);
    b.max = Math.max(b.max, s.avg);
    m.set(t, b);
  }
  return [...m.entries()].sort((a, b) => a[0] - b[0]);
}

describe("TimeseriesRepo", () => {
  it("returns raw samples in a window, booleans as 0/1", () => {
    const { repo } = filled();
    const raw = repo.query(REF, T0, T0 + 60_000 - 1, 0);
    expect(raw).toHaveLength(12);
    expect(raw.map((s) => s.avg)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(repo.query(BOOL, T0, T0 + 60_000 - 1, 0).map((s) => s.last)).toEqual([
      1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    ]);
    expect(repo.query(REF, T0 + 10 * 60_000, T0 + 10 * 60_000, 0)[0]).toMatchObject({
      avg: null,
      quality: "bad",
    });
  });

  it("buckets whole minutes from the minute summaries exactly as from the raw samples", () => {
    const { repo } = filled();
    const fromRollup = repo.query(REF, T0, T0 + 20 * 60_000, 5 * 60_000);
    expect(fromRollup).toHaveLength(4);
    expect(fromRollup[0]).toMatchObject({
      t: T0,
      avg: 5.5,
      min: 0,
      max: 11,
      last: 11,
      count: 60,
      quality: "good",
    });
    // The minute holding the bad sample carries its quality; the null is not averaged in.
    expect(fromRollup[2]).toMatchObject({ count: 59, quality: "bad" });
    // An unaligned window: partial minutes at the edges come from raw samples.
    const unaligned = repo.query(REF, T0 + 30_000, T0 + 3 * 60_000 + 29_999, 60_000);
    expect(unaligned.map((b) => b.count)).toEqual([6, 12, 12, 6]);
    expect(unaligned[0]).toMatchObject({ t: T0, min: 6, max: 11, last: 11 });
    expect(unaligned[3]).toMatchObject({ t: T0 + 3 * 60_000, min: 0, max: 5, last: 5 });
  });

  it("buckets finer than a minute from raw samples", () => {
    const { repo } = filled();
    const b = repo.query(REF, T0, T0 + 60_000 - 1, 30_000);
    expect(b.map((x) => [x.avg, x.count])).toEqual([
      [2.5, 6],
      [8.5, 6],
    ]);
  });

  it("answers hour buckets from the hour rollup, minute and raw edges agreeing with a fold of the raw samples", () => {
    const dir = tempDir("timeseries-hours");
    const repo = new TimeseriesRepo(openDatabase(dir));
    const start = T0 - 3 * HOUR + 17_000;
    for (let ts = start; ts < T0 + 2 * HOUR; ts += 7000)
      repo.record({ ref: REF, ts, value: Math.round(Math.sin(ts / 1e6) * 1000) / 100, quality: "good" });
    repo.flush(T0 + HOUR); // the last hour stays open (in memory and the journal)
    const from = start + 123_456;
    const to = T0 + 2 * HOUR - 98_765;
    const raw = repo.query(REF, from, to, 0);
    for (const bucketMs of [HOUR, 2 * HOUR, 60_000, 300_000, 10_000]) {
      const got = repo.query(REF, from, to, bucketMs);
      const want = foldRaw(raw, bucketMs);
      expect(got.map((b) => b.t)).toEqual(want.map(([t]) => t));
      got.forEach((b, i) => {
        const [, w] = want[i]!;
        expect([b.count, b.min, b.max]).toEqual([w.count, w.min, w.max]);
        expect(b.avg).toBeCloseTo(w.sum / w.count, 9);
      });
    }
  });

  it("keeps text values, late samples and repeated timestamps", () => {
    const { repo } = filled();
    repo.record({ ref: "log:mode", ts: T0, value: "Occupied", quality: "good" });
    repo.record({ ref: "log:mode", ts: T0 + 1000, value: "Unoccupied", quality: "uncertain" });
    // Late: its window was sealed by the first flush; it becomes a chunk of its own.
    repo.record({ ref: REF, ts: T0 + 2500, value: 99, quality: "good" });
    repo.flush();
    expect(repo.query("log:mode", T0, T0 + 1000, 0).map((s) => [s.last, s.quality])).toEqual([
      ["Occupied", "good"],
      ["Unoccupied", "uncertain"],
    ]);
    expect(repo.query(REF, T0, T0 + 5000, 0).map((s) => s.avg)).toEqual([0, 99, 1]);
    expect(repo.query(REF, T0, T0 + 59_999, 60_000)[0]).toMatchObject({ count: 13, max: 99 });
    expect(repo.latest("log:mode")).toMatchObject({ value: "Unoccupied", ts: T0 + 1000 });
    // Within the open window, the last write for a timestamp wins.
    const now = T0 + 30 * 60_000;
    repo.record({ ref: REF, ts: now, value: 1, quality: "good" });
    repo.record({ ref: REF, ts: now, value: 2, quality: "good" });
    repo.flush(now);
    expect(repo.query(REF, now, now, 0).map((s) => s.avg)).toEqual([2]);
  });

  it("replays the journal after a restart: open windows survive without a seal", () => {
    const dir = tempDir("timeseries-journal");
    let db = openDatabase(dir);
    let repo = new TimeseriesRepo(db);
    fill(repo, T0, 20);
    repo.flush(T0 + 20 * 60_000); // seals 08:00-08:15, 08:15-08:20 stays open in the journal
    expect(db.prepare("SELECT COUNT(*) FROM history_journal").pluck().get()).toBeGreaterThan(0);
    db.close(); // no final seal: as after a kill -9
    db = openDatabase(dir);
    repo = new TimeseriesRepo(db);
    expect(repo.query(REF, T0, T0 + 20 * 60_000, 0)).toHaveLength(240);
    expect(repo.latest(REF)).toMatchObject({ ts: T0 + 20 * 60_000 - 5000, value: 11 });
    repo.flush(T0 + 40 * 60_000);
    expect(db.prepare("SELECT COUNT(*) FROM history_journal").pluck().get()).toBe(0);
    expect(repo.query(REF, T0, T0 + 20 * 60_000, 0)).toHaveLength(240);
  });

  it("spreads a seal over flushes, and a crash in the middle neither loses nor doubles a sample", () => {
    const dir = tempDir("timeseries-progressive");
    let db = openDatabase(dir);
    let repo = new TimeseriesRepo(db, () => T0, 3); // 3 points per flush
    const refs = Array.from({ length: 10 }, (_, p) => `log:p${p}`);
    const write = (from: number, to: number) => {
      for (let ts = from; ts < to; ts += 5000)
        for (const [p, ref] of refs.entries())
          repo.record({ ref, ts, value: p * 1000 + (ts - T0) / 5000, quality: "good" });
    };
    write(T0, T0 + 16 * 60_000);
    repo.flush(T0 + 16 * 60_000); // starts sealing 08:00-08:15: 3 of 10 points
    const chunks = () => db.prepare("SELECT COUNT(*) FROM history_chunks").pluck().get();
    expect(chunks()).toBe(3);
    // A late sample for a point already sealed in this seal becomes a chunk; one for a point not yet
    // sealed joins its open window.
    const [sealedRef, openRef] = [refs[0]!, refs[9]!];
    repo.record({ ref: sealedRef, ts: T0 + 2500, value: -1, quality: "good" });
    repo.record({ ref: openRef, ts: T0 + 2500, value: -1, quality: "good" });
    repo.flush(T0 + 16 * 60_000);
    expect(chunks()).toBe(7); // 3 more points, and the late chunk
    db.close(); // killed in the middle of the seal

    db = openDatabase(dir);
    repo = new TimeseriesRepo(db, () => T0 + 16 * 60_000, 3);
    const expectAll = () => {
      for (const [p, ref] of refs.entries()) {
        const values = repo.query(ref, T0, T0 + 16 * 60_000, 0).map((s) => s.avg);
        const want = Array.from({ length: 192 }, (_, i) => p * 1000 + i);
        if (ref === sealedRef || ref === openRef) want.splice(1, 0, -1);
        expect(values, ref).toEqual(want);
      }
    };
    expectAll();
    repo.sealAll(T0 + 16 * 60_000);
    expectAll();
    // Sealed: one chunk a point for 08:00-08:15 (and the late one); 08:15-08:16 stays in the journal.
    expect(chunks()).toBe(11);
    expect(db.prepare("SELECT COUNT(*) FROM history_journal").pluck().get()).toBeGreaterThan(0);
  });

  it("prunes whole hours, chunks and rollups together, and keeps a size budget", () => {
    const dir = tempDir("timeseries-prune");
    const db = openDatabase(dir);
    const repo = new TimeseriesRepo(db);
    for (let ts = T0; ts < T0 + 5 * HOUR; ts += 5000)
      repo.record({ ref: REF, ts, value: Math.round(Math.random() * 1e4) / 100, quality: "good" });
    repo.flush();
    const total = repo.query(REF, T0, T0 + 5 * HOUR, 0).length;
    expect(total).toBe(3600);
    // 10 minutes into the second hour: the first hour goes, the second stays whole.
    expect(repo.prune(T0 + HOUR + 10 * 60_000)).toBe(720);
    expect(repo.query(REF, T0, T0 + 5 * HOUR, 0)[0]?.t).toBe(T0 + HOUR);
    expect(repo.query(REF, T0, T0 + 5 * HOUR - 1, HOUR).map((b) => b.t)).toEqual(
      [1, 2, 3, 4].map((h) => T0 + h * HOUR),
    );
    const perHour = repo.storedBytes / 4;
    // A budget of 2.5 hours keeps the newest 2.
    expect(repo.enforceBudget(perHour * 2.5)).toBe(1440);
    expect(repo.query(REF, T0, T0 + 5 * HOUR, HOUR).map((b) => b.t)).toEqual(
      [3, 4].map((h) => T0 + h * HOUR),
    );
    expect(repo.storedBytes).toBeLessThanOrEqual(perHour * 2.5);
    // A late sample from before the retention cutoff still counts, and a budget of 0 empties the store.
    repo.record({ ref: REF, ts: T0 + 100, value: 1, quality: "good" });
    repo.flush();
    expect(repo.prune(T0 + HOUR + 10 * 60_000)).toBe(0); // the cutoff has not moved
    expect(repo.enforceBudget(0)).toBe(1441);
    expect(repo.storedBytes).toBe(0);
    expect(repo.query(REF, T0, T0 + 5 * HOUR, 0)).toEqual([]);
    // The estimate is close to what SQLite really uses for the history tables (dbstat).
    const pages = db
      .prepare(
        "SELECT SUM(pgsize) FROM dbstat WHERE name IN ('history_chunks', 'history_chunks_point', 'history_hours')",
      )
      .pluck()
      .get() as number;
    expect(pages).toBeGreaterThan(0);
  });

  it("migrates a runtime.db of the raw-sample schema in place: rows readable, old tables gone", () => {
    const dir = tempDir("timeseries-legacy");
    const old = new Database(join(dir, "runtime.db"));
    for (let i = 0; i < 6; i++) old.exec(MIGRATIONS[i]!);
    old.pragma("user_version = 6");
    old.prepare("INSERT INTO points (ref) VALUES (?), (?), (?)").run(REF, BOOL, "log:mode");
    const insert = old.prepare(
      "INSERT INTO samples (point_id, ts, value, text, quality) VALUES (?, ?, ?, ?, ?)",
    );
    old.transaction(() => {
      for (let ts = T0; ts < T0 + 2 * HOUR; ts += 5000) {
        insert.run(1, ts, ts === T0 + HOUR ? null : ((ts - T0) / 5000) % 12, null, ts === T0 + HOUR ? 2 : 0);
        insert.run(2, ts, (ts / 5000) % 2, null, 0);
      }
      insert.run(3, T0, null, "Occupied", 1);
    })();
    old.exec(ROLLUP_REBUILD_SQL);
    old.close();

    const db = openDatabase(dir);
    const repo = new TimeseriesRepo(db);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).not.toContain("samples");
    expect(tables).not.toContain("samples_1m");
    const raw = repo.query(REF, T0, T0 + 2 * HOUR, 0);
    expect(raw).toHaveLength(1440);
    expect(raw.slice(0, 3).map((s) => s.avg)).toEqual([0, 1, 2]);
    expect(raw[720]).toMatchObject({ avg: null, quality: "bad" });
    expect(repo.query(REF, T0, T0 + 2 * HOUR - 1, HOUR).map((b) => [b.count, b.quality])).toEqual([
      [720, "good"],
      [719, "bad"],
    ]);
    expect(repo.latest("log:mode")).toMatchObject({ value: "Occupied", quality: "uncertain" });
    expect(db.prepare("SELECT COUNT(*) FROM history_chunks").pluck().get()).toBe(2 * 8 + 1);
  });

  it("chunks hold at most one window", () => {
    const { db } = filled();
    const spans = db.prepare("SELECT start_ts, end_ts FROM history_chunks").raw().all() as [number, number][];
    for (const [s, e] of spans) expect(Math.floor(s / WINDOW_MS)).toBe(Math.floor(e / WINDOW_MS));
  });
});
