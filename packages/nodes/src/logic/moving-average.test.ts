import { describe, expect, it } from "vitest";
import { type InputSpec, nodeRunner, roundTrip, v } from "../testing/node-runner";
import { movingAverage } from "./moving-average";

describe("moving_average", () => {
  const cases: [string, Record<string, unknown>, InputSpec[], (number | null)[]][] = [
    ["window of 3", { samples: 3 }, [3, 6, 9, 12], [3, 4.5, 6, 9]],
    ["window of 1 passes through", { samples: 1 }, [1, 5], [1, 5]],
    [
      "bad values are not taken in",
      { samples: 3 },
      [3, v(100, "bad"), null, Number.NaN, 6],
      [3, 3, 3, 3, 4.5],
    ],
    ["no good value yet is bad", { samples: 3 }, [null, 4], [null, 4]],
  ];
  it.each(cases)("%s", (_name, config, values, expected) => {
    const r = nodeRunner(movingAverage, config);
    expect(values.map((value) => r.run({ value }, 1000).value?.value ?? null)).toEqual(expected);
  });

  it("marks a held average uncertain", () => {
    const r = nodeRunner(movingAverage, {});
    r.run({ value: 1 });
    expect(r.run({ value: v(9, "bad", "offline") }).value).toMatchObject({
      value: 1,
      quality: "uncertain",
      reason: "holding: offline",
    });
  });

  it("exponential mode follows a step by 63% after one time constant, whatever the scan period", () => {
    for (const scanMs of [100, 1000, 5000]) {
      const r = nodeRunner(movingAverage, { mode: "exponential", time_constant_s: 60 });
      r.run({ value: 0 });
      let out = 0;
      for (let t = 0; t < 60_000; t += scanMs) out = r.run({ value: 100 }, scanMs).value?.value as number;
      expect(out).toBeGreaterThan(58);
      expect(out).toBeLessThan(66);
    }
  });

  it("keeps its window across a JSON round trip of its state", () => {
    const r = nodeRunner(movingAverage, { samples: 2 });
    r.run({ value: 2 });
    r.state = roundTrip(r.state);
    expect(r.run({ value: 4 }).value?.value).toBe(3);
  });
});
