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

  const units: [string, Record<string, unknown>, number, number][] = [
    ["0.5 per minute over 60 s", { rate_up: 0.5, rate_unit: "per_minute" }, 60_000, 20.5],
    ["0.5 per minute over 6 s", { rate_up: 0.5, rate_unit: "per_minute" }, 6_000, 20.05],
    ["3 per hour over 20 min", { rate_up: 3, rate_unit: "per_hour" }, 1_200_000, 21],
    ["per second is the default", { rate_up: 0.5 }, 2_000, 21],
  ];
  it.each(units)("rate units: %s", (_name, config, ms, expected) => {
    const r = nodeRunner(ramp, config);
    r.run({ value: 20 });
    expect(r.run({ value: 30 }, ms).value?.value).toBeCloseTo(expected, 9);
  });

  const SP = "bacnet:1001/analogValue:1.presentValue";
  const starts: [string, Record<string, ReturnType<typeof v>>, [number, number][], (number | null)[]][] = [
    [
      "starts from the point's present value, then ramps",
      { [SP]: v(18) },
      [
        [22, 0],
        [22, 60_000],
      ],
      [18, 19],
    ],
    ["waits (bad) while the point is bad", { [SP]: v(null, "bad", "offline") }, [[22, 0]], [null]],
    ["waits while the point is not read yet", {}, [[22, 0]], [null]],
  ];
  it.each(starts)("start_point: %s", (_name, points, steps, expected) => {
    const r = nodeRunner(ramp, { rate_up: 1, rate_unit: "per_minute", start_point: SP }, { points });
    expect(steps.map(([value, ms]) => r.run({ value }, ms).value?.value)).toEqual(expected);
  });

  it("reads its start point, so the engine batches it", () => {
    const config = ramp.config.parse({ start_point: "bacnet:1001/analogValue:1" });
    expect(ramp.points?.(config)).toEqual({ reads: [SP] });
    expect(ramp.points?.(ramp.config.parse({}))).toEqual({ reads: [] });
  });
});
