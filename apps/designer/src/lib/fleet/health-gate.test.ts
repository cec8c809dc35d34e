import { describe, expect, it } from "vitest";
import { judgeSample, judgeScans } from "./health-gate";
import type { HealthSample } from "./supervisor-health";

const sample = (over: Partial<HealthSample> = {}): HealthSample => ({
  at: 0,
  status: "ok",
  version: "1.0.0",
  engine: "running",
  config_version: 5,
  scans: 100,
  bad_points: 1,
  alarms_open: 2,
  project: null,
  ...over,
});

describe("judgeSample: one health sample against the baseline before the deploy", () => {
  const baseline = sample({ config_version: 4 });
  it.each([
    ["healthy: same bad points and alarms as before", sample(), true, undefined],
    ["fewer bad points and alarms is healthy", sample({ bad_points: 0, alarms_open: 0 }), true, undefined],
    ["a new bad point", sample({ bad_points: 2 }), false, "new_bad_points"],
    ["a new alarm", sample({ alarms_open: 3 }), false, "new_alarms"],
    ["the engine stopped", sample({ engine: "stopped" }), false, "not_running"],
    ["the engine in error", sample({ engine: "error" }), false, "not_running"],
    ["another config than the deployed one", sample({ config_version: 4 }), false, "wrong_version"],
    ["an older supervisor without counters", sample({ scans: null }), false, "no_counters"],
  ] as const)("%s", (_name, s, ok, code) => {
    const verdict = judgeSample(baseline, s, 5);
    expect(verdict.ok).toBe(ok);
    if (!verdict.ok) expect(verdict.code).toBe(code);
  });

  it("a baseline without counters counts as zero: any bad point after the deploy is new", () => {
    const verdict = judgeSample(
      sample({ bad_points: null, alarms_open: null }),
      sample({ alarms_open: 0 }),
      5,
    );
    expect(verdict).toMatchObject({ ok: false, code: "new_bad_points" });
  });
});

describe("judgeScans: scans went on during the watch", () => {
  it.each([
    [100, 140, true],
    [100, 100, false],
    [null, 140, false],
  ] as const)("%s → %s: %s", (first, last, ok) => {
    expect(judgeScans(sample({ scans: first }), sample({ scans: last })).ok).toBe(ok);
  });
});
