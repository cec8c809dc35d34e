import { describe, expect, it } from "vitest";
import { type InputSpec, nodeRunner, v } from "../testing/node-runner";
import { changeDetect } from "./change-detect";

describe("change_detect", () => {
  const cases: [string, Record<string, unknown>, InputSpec[], boolean[]][] = [
    ["first value is only the reference", {}, [5, 5, 6], [false, false, true]],
    ["first_is_change", { first_is_change: true }, [5, 5], [true, false]],
    [
      "deadband: exactly the increment is a change",
      { deadband: 0.5 },
      [20, 20.4, 20.5],
      [false, false, true],
    ],
    [
      "slow drift adds up against the last reported value",
      { deadband: 1 },
      [20, 20.4, 20.8, 21.2],
      [false, false, false, true],
    ],
    ["booleans", {}, [false, true, true, false], [false, true, false, true]],
    ["text", {}, ["auto", "hand", "hand"], [false, true, false]],
    [
      "a dropout is not a change",
      {},
      [5, v(null, "bad"), Number.NaN, null, 5],
      [false, false, false, false, false],
    ],
  ];
  it.each(cases)("%s", (_name, config, values, expected) => {
    const r = nodeRunner(changeDetect, config);
    expect(values.map((value) => r.run({ value }).changed?.value)).toEqual(expected);
  });

  it("gives delta and previous", () => {
    const r = nodeRunner(changeDetect, {});
    r.run({ value: 20 });
    const out = r.run({ value: 22.5 });
    expect([out.delta?.value, out.previous?.value]).toEqual([2.5, 20]);
    expect(r.run({ value: v(null, "bad") }).changed?.quality).toBe("bad");
  });
});
