import { describe, expect, it } from "vitest";
import { type InputSpec, nodeRunner, roundTrip, v } from "../testing/node-runner";
import { totalizer } from "./totalizer";

describe("totalizer", () => {
  // [rate, ms since previous scan] → total
  const cases: [string, Record<string, unknown>, [InputSpec, number][], number][] = [
    [
      "constant 10 kW for one hour is 10 kWh",
      { rate_per: "hour", max_gap_s: 3600 },
      [
        [10, 0],
        [10, 1_800_000],
        [10, 1_800_000],
      ],
      10,
    ],
    [
      "trapezoidal: ramp 0 → 10 over an hour is 5",
      { rate_per: "hour", max_gap_s: 3600 },
      [
        [0, 0],
        [10, 3_600_000],
      ],
      5,
    ],
    [
      "per second",
      { rate_per: "second" },
      [
        [2, 0],
        [2, 1000],
        [2, 1000],
      ],
      4,
    ],
    [
      "a gap longer than max_gap_s is not integrated",
      { max_gap_s: 60 },
      [
        [10, 0],
        [10, 3_600_000],
      ],
      0,
    ],
    [
      "bad rate skips its interval",
      { rate_per: "second" },
      [
        [1, 0],
        [v(99, "bad"), 1000],
        [1, 1000],
        [1, 1000],
      ],
      1,
    ],
    [
      "null and NaN skip too",
      { rate_per: "second" },
      [
        [1, 0],
        [null, 1000],
        [Number.NaN, 1000],
        [1, 1000],
      ],
      0,
    ],
  ];
  it.each(cases)("%s", (_name, config, steps, total) => {
    const r = nodeRunner(totalizer, config);
    let out = 0;
    for (const [rate, ms] of steps) out = r.run({ rate }, ms).total?.value as number;
    expect(out).toBeCloseTo(total, 9);
  });

  it("counts runtime hours and starts of the running input", () => {
    const r = nodeRunner(totalizer, { max_gap_s: 3600 });
    const steps: [boolean, number][] = [
      [false, 0],
      [true, 60_000],
      [true, 1_800_000],
      [false, 1_800_000],
      [true, 60_000],
    ];
    let out = r.run({ running: false });
    for (const [running, ms] of steps.slice(1)) out = r.run({ running }, ms);
    expect(out.runtime_hours?.value).toBeCloseTo(1, 9);
    expect(out.starts?.value).toBe(2);
  });

  it("holds the total uncertain on a bad rate, and reset clears", () => {
    const r = nodeRunner(totalizer, { rate_per: "second" });
    r.run({ rate: 1 });
    r.run({ rate: 1 }, 1000);
    expect(r.run({ rate: v(null, "bad", "offline") }, 1000).total).toMatchObject({
      value: 1,
      quality: "uncertain",
    });
    expect(r.run({ rate: 1, reset: true }, 1000).total?.value).toBe(0);
  });

  it("keeps totals across a restart and a config change", () => {
    expect(totalizer.keepStateOnConfigChange).toBe(true);
    const r = nodeRunner(totalizer, { rate_per: "second" });
    r.run({ rate: 1 });
    r.run({ rate: 1 }, 10_000);
    r.state = roundTrip(r.state);
    expect(r.run({ rate: 1 }, 10_000).total?.value).toBe(20);
  });

  // The part written at the end of the scan (NodeDefinition.onChangeState); the rest waits for the interval.
  describe("what a power cut may lose", () => {
    const runner = () => {
      const r = nodeRunner(totalizer, {});
      return { r, part: () => JSON.stringify(totalizer.onChangeState!(r.state, r.config)) };
    };

    it("leaves the total and hours that move every scan to the save interval", () => {
      const { r, part } = runner();
      r.run({ rate: 10, running: true });
      r.run({ rate: 10, running: true }, 1000);
      const running = part();
      r.run({ rate: 12, running: true }, 1000);
      r.run({ rate: 11, running: true }, 1000);
      expect(r.state.total).toBeGreaterThan(0);
      expect(r.state.runtime_s).toBe(3);
      expect(part()).toBe(running);
    });

    it("writes a start and a stop at the end of their scan: a lost edge would count a start twice", () => {
      const { r, part } = runner();
      r.run({ rate: 10, running: false });
      const stopped = part();
      r.run({ rate: 10, running: true }, 1000);
      const started = part();
      expect(started).not.toBe(stopped);
      r.run({ rate: 10, running: false }, 1000);
      expect(part()).not.toBe(started);
    });

    it("writes a reset at the end of its scan: a lost reset would bring the old total back", () => {
      const { r, part } = runner();
      r.run({ rate: 10 });
      r.run({ rate: 10 }, 60_000);
      const counting = part();
      r.run({ rate: 10, reset: true }, 1000);
      expect(r.state.total).toBe(0);
      expect(part()).not.toBe(counting);
    });
  });
});
