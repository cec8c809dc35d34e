import { FlowConfigurationStructureSchema } from "@bms/schemas";
import { describe, expect, it } from "vitest";
import { compileFlow } from "../engine/compile";
import { lookupNode } from "../registry";
import { testFlow } from "../testing/harness";
import { type ChangeWindow, compareReplays, describeChange } from "./replay-compare";
import { type RecordedSample, type ReplayRun, replayFlow } from "./replay-run";

const ZONE = "bacnet:3001/analogInput:1.presentValue";
const DAMPER = "bacnet:3001/analogOutput:1.presentValue";
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const MIN = 60_000;

/** A proportional damper: (zone − 24) × gain, clamped 0–100, at priority 10. */
function damperFlow(gain: number) {
  const flow = FlowConfigurationStructureSchema.parse({
    ...testFlow(
      [
        { id: "zone", type: "sensor_read", config: { point: ZONE } },
        {
          id: "demand",
          type: "math",
          config: { input_count: 1, expression: `min(100, max(0, (a - 24) * ${gain}))` },
        },
        { id: "damper", type: "actuator_write", config: { point: DAMPER, priority: 10 } },
      ],
      [
        { from_node: "zone", from_output: "value", to_node: "demand", to_input: "a" },
        { from_node: "demand", from_output: "result", to_node: "damper", to_input: "value" },
      ],
    ),
  });
  const compiled = compileFlow(flow, lookupNode);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  return compiled.value;
}

const run = (values: (number | null)[]): ReplayRun => ({
  scans: values.length,
  tracks: new Map([[DAMPER, { point: DAMPER, priority: 10, values }]]),
});
const minutes = (n: number) => Array.from({ length: n }, (_, i) => T0 + i * MIN);

describe("replaying a flow over recorded values", () => {
  it("runs two versions over the same recording and tells where the damper differs", async () => {
    // Zone 24 °C (no demand) until 10:04, 27 °C from 10:04 to 10:09, then 24 °C again.
    const recorded: RecordedSample[] = [
      { at: T0, value: 24, quality: "good" },
      { at: T0 + 4 * MIN, value: 27, quality: "good" },
      { at: T0 + 10 * MIN, value: 24, quality: "good" },
    ];
    const inputs = new Map([[ZONE, recorded]]);
    const times = minutes(15);
    const running = await replayFlow(damperFlow(20), inputs, times);
    const candidate = await replayFlow(damperFlow(16), inputs, times);
    expect(running.scans).toBe(15);
    expect(running.tracks.get(DAMPER)?.values.slice(0, 5)).toEqual([0, 0, 0, 0, 60]);
    expect(candidate.tracks.get(DAMPER)?.values.slice(3, 6)).toEqual([0, 48, 48]);

    const [damper] = compareReplays(running, candidate, times, { units: () => "%", timeZone: "UTC" });
    expect(damper).toMatchObject({ point: DAMPER, priority: 10, changed: true, maxDelta: 12 });
    // Both command 0 until 10:04 and from 10:10; in between the candidate is 12 lower.
    expect(damper!.windows.map((w) => [w.from, w.to, w.meanDelta])).toEqual([
      [T0 + 4 * MIN, T0 + 9 * MIN, -12],
    ]);
    expect(damper!.summary).toBe(
      `this change would have commanded ${DAMPER} 12 % lower between 10:04 and 10:09`,
    );
    expect(damper!.chart).toHaveLength(15);
  });

  it("a point the recording does not hold reads back the flow's own last command", async () => {
    const times = minutes(3);
    const r = await replayFlow(damperFlow(20), new Map(), times);
    // No zone value: the math node has nothing to work on, so nothing is commanded.
    expect(r.tracks.get(DAMPER)?.values ?? [null, null, null]).toEqual([null, null, null]);
  });
});

describe("the wording of a change", () => {
  const w = (from: number, to: number, extra: Partial<ChangeWindow>): ChangeWindow => ({
    from: T0 + from * MIN,
    to: T0 + to * MIN,
    running: 1,
    candidate: 1,
    ...extra,
  });

  it("says higher or lower by the mean difference, with the point's units", () => {
    expect(describeChange("AO1", [w(4, 9, { meanDelta: 3.456 })], "°C", "UTC")).toBe(
      "this change would have commanded AO1 3.46 °C higher between 10:04 and 10:09",
    );
    expect(describeChange("AO1", [w(4, 9, { meanDelta: -0.5 })], undefined, "UTC")).toBe(
      "this change would have commanded AO1 0.5 lower between 10:04 and 10:09",
    );
  });

  it("gives the mean and the peak of a varying difference, and counts the other stretches", () => {
    const [c] = compareReplays(
      run([10, 50, 60, 40, 10, 30, 10]),
      run([10, 45, 50, 38, 10, 31, 10]),
      minutes(7),
      {
        units: () => "%",
        timeZone: "UTC",
      },
    );
    expect(c!.windows.map((w) => [w.meanDelta, w.peakDelta])).toEqual([
      [-17 / 3, -10],
      [1, 1],
    ]);
    expect(c!.summary).toBe(
      "this change would have commanded bacnet:3001/analogOutput:1.presentValue 5.67 % lower on average (at most 10 %) between 10:01 and 10:03 (and 1 more period of change)",
    );
  });

  it("names on/off and texts instead of a difference, and gives seconds for short stretches", () => {
    expect(describeChange("BO1", [w(4, 4.5, { running: false, candidate: true })], undefined, "UTC")).toBe(
      "this change would have commanded BO1 on instead of off between 10:04:00 and 10:04:30",
    );
  });

  it("names the day when a stretch runs over midnight, so a day-long change never reads '20:56 and 20:56'", () => {
    const day = 24 * 60;
    expect(describeChange("AO1", [w(-10 * 60, day - 10 * 60 - 1, { meanDelta: 1 })], undefined, "UTC")).toBe(
      "this change would have commanded AO1 1 higher between 00:00 and 23:59",
    );
    expect(describeChange("AO1", [w(0, day, { meanDelta: 1 })], undefined, "UTC")).toBe(
      "this change would have commanded AO1 1 higher between 5 Jan 10:00 and 6 Jan 10:00",
    );
  });

  it("says when only one version commands the point, and when nothing changes", () => {
    expect(describeChange("AO1", [w(1, 2, { running: null, candidate: 40 })], "%", "UTC")).toBe(
      "this change would have commanded AO1 to 40 where the running version commanded nothing between 10:01:00 and 10:02:00",
    );
    expect(describeChange("AO1", [w(1, 5, { running: 40, candidate: null })], "%", "UTC")).toBe(
      "this change would not have commanded AO1 (the running version commanded 40) between 10:01 and 10:05",
    );
    expect(describeChange("AO1", [], "%")).toBe("no change to what AO1 is commanded");
  });

  it("compares equal runs as unchanged, and floats within the tolerance as equal", () => {
    const times = minutes(3);
    const [same] = compareReplays(run([10, 20, 30]), run([10, 20 + 1e-9, 30]), times, { timeZone: "UTC" });
    expect(same).toMatchObject({ changed: false, windows: [] });
    expect(same!.summary).toBe(`no change to what ${DAMPER} is commanded`);
  });
});
