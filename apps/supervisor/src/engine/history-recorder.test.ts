import type { Quality } from "@bms/schemas";
import { tempDir } from "@bms/test-support";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../storage/database";
import { TimeseriesRepo } from "../storage/timeseries-repo";
import { HistoryRecorder } from "./history-recorder";

type Value = number | boolean | string | null;

function seeded(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

describe("HistoryRecorder", () => {
  it("records what the plain rule records: a change or a quality change past the minimum interval, a flat line at the maximum", () => {
    const repo = new TimeseriesRepo(openDatabase(tempDir("history-recorder")));
    const policy = { minIntervalMs: 5000, maxIntervalMs: 60_000, retentionMs: 3_600_000, maxBytes: 1e9 };
    const recorder = new HistoryRecorder(repo, policy);
    const got: string[] = [];
    recorder.onRecorded((ref, value, quality, ts) => got.push(`${ref} ${ts} ${String(value)} ${quality}`));
    // The rule as written before the columns: the last sample per point as an object.
    const last = new Map<string, { ts: number; value: Value; quality: Quality }>();
    const want: string[] = [];
    const values: Value[] = [1, 1, 2, -0, 0, Number.NaN, true, false, null, "on", "off", "on"];
    const qualities: Quality[] = ["good", "good", "good", "uncertain", "bad"];
    const random = seeded(3);
    let ts = 1_700_000_000_000;
    for (let step = 0; step < 20_000; step++) {
      ts += Math.floor(random() * 200);
      const ref = `bacnet:1/analogValue:${Math.floor(random() * 300)}.presentValue`;
      const value = values[Math.floor(random() * values.length)]!;
      const quality = qualities[Math.floor(random() * qualities.length)]!;
      recorder.record(ref, value, quality, ts);
      const l = last.get(ref);
      if (l) {
        const elapsed = ts - l.ts;
        if (elapsed < policy.minIntervalMs) continue;
        if (l.value === value && l.quality === quality && elapsed < policy.maxIntervalMs) continue;
      }
      last.set(ref, { ts, value, quality });
      want.push(`${ref} ${ts} ${String(value)} ${quality}`);
    }
    expect(got).toEqual(want);
    // Flat stretches were skipped, and every kind of value was recorded.
    expect(want.length).toBeLessThan(20_000);
    for (const v of ["NaN", "true", "false", "null", "on", "off"])
      expect(got.some((g) => g.includes(` ${v} `))).toBe(true);
  });
});
