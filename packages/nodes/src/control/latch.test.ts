import { describe, expect, it } from "vitest";
import { type InputSpec, nodeRunner, roundTrip, v } from "../testing/node-runner";
import { latch } from "./latch";

type Step = [InputSpec, InputSpec];

describe("latch", () => {
  const cases: [string, Record<string, unknown>, Step[], boolean[]][] = [
    [
      "set latches, reset clears",
      {},
      [
        [true, false],
        [false, false],
        [false, true],
        [false, false],
      ],
      [true, true, false, false],
    ],
    ["both true: reset wins by default", {}, [[true, true]], [false]],
    ["both true: set wins when set-dominant", { dominant: "set" }, [[true, true]], [true]],
    ["initial state", { initial: true }, [[false, false]], [true]],
    ["bad set is not asserted", {}, [[v(true, "bad"), false]], [false]],
    [
      "null reset does not clear",
      {},
      [
        [true, false],
        [false, null],
      ],
      [true, true],
    ],
    ["unknown reset blocks set on a reset-dominant latch", {}, [[true, v(false, "bad")]], [false]],
    ["unknown reset does not block set when set-dominant", { dominant: "set" }, [[true, Number.NaN]], [true]],
  ];
  it.each(cases)("%s", (_name, config, steps, expected) => {
    const r = nodeRunner(latch, config);
    expect(steps.map(([set, reset]) => r.run({ set, reset }).q?.value)).toEqual(expected);
  });

  it("marks the output uncertain while an input is bad, and gives not_q", () => {
    const out = nodeRunner(latch).run({ set: true, reset: v(null, "bad", "offline") });
    expect(out.q).toMatchObject({ quality: "uncertain", reason: "offline" });
    expect(out.not_q?.value).toBe(true);
  });

  it("survives a restart (JSON state)", () => {
    const r = nodeRunner(latch);
    r.run({ set: true, reset: false });
    r.state = roundTrip(r.state);
    expect(r.run({ set: false, reset: false }).q?.value).toBe(true);
  });

  it("is reset once by a new token on its latch_reset parameter (the dashboard's reset)", () => {
    const r = nodeRunner(latch);
    expect(r.run({ set: true, reset: false }).q?.value).toBe(true);
    r.parameters.set("latch_reset:node", 1);
    expect(r.run({ set: false, reset: false }).q?.value).toBe(false);
    // The same token again is not a second reset: a new set latches as usual.
    expect(r.run({ set: true, reset: false }).q?.value).toBe(true);
    expect(r.run({ set: false, reset: false }).q?.value).toBe(true);
    r.parameters.set("latch_reset:node", 2);
    expect(r.run({ set: false, reset: false }).q?.value).toBe(false);
  });
});
