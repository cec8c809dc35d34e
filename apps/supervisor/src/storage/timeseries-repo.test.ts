import { tempDir } from "@bms/test-support";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./database";
import { ROLLUP_REBUILD_SQL } from "./migrations";
import { TimeseriesRepo } from "./timeseries-repo";

const T0 = Date.UTC(2026, 10, 28, 8, 0, 0);
const REF = "bacnet:1/analogInput:1.presentValue";

/** 20 minutes of a sawtooth every 5 s, a bad sample at 10:00 past, and a boolean point. */
function filled() {
  const db = openDatabase(tempDir("timeseries"));
  const repo = new TimeseriesRepo(db);
  for (let ts = T0; ts < T0 + 20 * 60_000; ts += 5000) {
    const bad = ts === T0 + 10 * 60_000;
    repo.record({ ref: REF, ts, value: bad ? null : ((ts - T0) / 5000) % 12, quality: bad ? "bad" : "good" });
    repo.record({
      ref: "bacnet:1/binaryInput:1.presentValue",
      ts,
      value: (ts - T0) % 60_000 < 30_000,
      quality: "good",
    });
  }
  repo.flush();
  return { db, repo };
}

describe("TimeseriesRepo", () => {
  it("returns raw samples in a window", () => {
    const { repo } = filled();
    const raw = repo.query(REF, T0, T0 + 60_000 - 1, 0);
    expect(raw).toHaveLength(12);
    expect(raw.map((s) => s.avg)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it("buckets whole minutes from the rollup exactly as from the raw samples", () => {
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

  it("rebuilds the rollup from raw samples (migration), identical to the one kept on flush", () => {
    const { db, repo } = filled();
    const kept = db.prepare("SELECT * FROM samples_1m ORDER BY point_id, minute").all();
    db.exec("DELETE FROM samples_1m");
    db.exec(ROLLUP_REBUILD_SQL);
    expect(db.prepare("SELECT * FROM samples_1m ORDER BY point_id, minute").all()).toEqual(kept);
    expect(repo.query(REF, T0, T0 + 20 * 60_000, 20 * 60_000)[0]?.count).toBe(239);
  });

  it("prunes samples and rollups past the retention", () => {
    const { db, repo } = filled();
    repo.prune(T0 + 10 * 60_000);
    expect(repo.query(REF, T0, T0 + 10 * 60_000 - 1, 0)).toEqual([]);
    expect((db.prepare("SELECT MIN(minute) AS m FROM samples_1m").get() as { m: number }).m).toBe(
      T0 + 10 * 60_000,
    );
  });
});
