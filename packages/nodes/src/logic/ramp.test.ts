import { describe, expect, it } from "vitest";
import { type InputSpec, nodeRunner, v } from "../testing/node-runner";
import { ramp } from "./ramp";

describe("ramp", () => {
  // [target, ms since last scan] → expected output
  const cases: [string, Record<string, unknown>, [InputSpec, number][], (number | null)[]][] = [
    ["first value passes through", {}, [[50, 0]], [50]],
    [
      "rises at rate_up per second",
      { rate_up: 2, rate_down: 5 },
      [
        [0, 0],
        [10, 1000],
        [10, 1000],
        [10, 500],
      ],
      [0, 2, 4, 5],
    ],
    [
      "falls at rate_down, never past the target",
      { rate_up: 2, rate_down: 5 },
      [
        [10, 0],
        [0, 1000],
        [0, 1000],
        [0, 1000],
      ],
      [10, 5, 0, 0],
    ],
    [
      "rate independent of the scan period",
      { rate_up: 1 },
      [
        [0, 0],
        [100, 10_000],
      ],
      [0, 10],
    ],
    [
      "0 means unlimited",
      { rate_up: 0, rate_down: 0 },
      [
        [0, 0],
        [80, 1000],
        [-5, 1000],
      ],
      [0, 80, -5],
    ],
    [
      "a bad input freezes and propagates bad, then resumes",
      { rate_up: 1 },
      [
        [0, 0],
        [10, 1000],
        [v(10, "bad"), 5000],
        [10, 1000],
      ],
      [0, 1, null, 2],
    ],
  ];
  it.each(cases)("%s", (_name, config, steps, expected) => {
    const r = nodeRunner(ramp, config);
    expect(steps.map(([value, ms]) => r.run({ value }, ms).value?.value)).toEqual(expected);
  });

  it("ramping is true until the target is reached; hold keeps the value uncertain", () => {
    const r = nodeRunner(ramp, { rate_up: 1, on_bad_input: "hold" });
    r.run({ value: 0 });
    expect(r.run({ value: 2 }, 1000).ramping?.value).toBe(true);
    expect(r.run({ value: 2 }, 1000).ramping?.value).toBe(false);
    expect(r.run({ value: Number.NaN }, 1000).value).toMatchObject({ value: 2, quality: "uncertain" });
  });
});
