import { describe, expect, it } from "vitest";
import { type InputSpec, nodeRunner, v } from "../testing/node-runner";
import { hysteresis } from "./hysteresis";

describe("hysteresis", () => {
  // setpoint 25, deadband 2: the band is 24..26.
  const cases: [string, string, InputSpec[], boolean[]][] = [
    ["direct: starts off inside the band", "direct", [25], [false]],
    ["direct: on exactly at the top of the band", "direct", [25.99, 26], [false, true]],
    ["direct: stays on inside the band", "direct", [26, 25, 24.01], [true, true, true]],
    ["direct: off exactly at the bottom", "direct", [26, 24], [true, false]],
    ["reverse: on at the bottom, off at the top", "reverse", [24, 25, 26, 25], [true, true, false, false]],
  ];
  it.each(cases)("%s", (_name, action, values, expected) => {
    const r = nodeRunner(hysteresis, { setpoint: 25, deadband: 2, action });
    expect(values.map((value) => r.run({ value }).output?.value)).toEqual(expected);
  });

  it("follows a connected setpoint", () => {
    const r = nodeRunner(hysteresis, { setpoint: 25, deadband: 2 });
    expect(r.run({ value: 22, setpoint: 20 }).output?.value).toBe(true);
  });

  it("freezes its state with bad quality on a bad, null or NaN input", () => {
    const r = nodeRunner(hysteresis, { setpoint: 25, deadband: 2 });
    r.run({ value: 27 });
    for (const value of [v(10, "bad", "offline"), null, Number.NaN] as InputSpec[]) {
      expect(r.run({ value }).output).toMatchObject({ value: true, quality: "bad" });
    }
    expect(r.run({ value: 25 }).output).toMatchObject({ value: true, quality: "good" });
  });

  it("a bad setpoint is bad too", () => {
    const r = nodeRunner(hysteresis, {});
    expect(r.run({ value: 1, setpoint: v(null, "bad") }).output?.quality).toBe("bad");
  });
});
