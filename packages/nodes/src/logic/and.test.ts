import { describe, expect, it } from "vitest";
import { type InputSpec, nodeRunner, v } from "../testing/node-runner";
import { and } from "./and";

describe("and", () => {
  const cases: [string, InputSpec[], boolean | null, string][] = [
    ["all true", [true, true, true], true, "good"],
    ["one false", [true, false, true], false, "good"],
    ["numbers and BACnet states", [1, "active", true], true, "good"],
    ["'inactive' is false", [true, "inactive"], false, "good"],
    ["a good false decides despite a bad input", [v(null, "bad", "offline"), false], false, "good"],
    ["a bad input with the rest true is bad", [v(null, "bad", "offline"), true], null, "bad"],
    ["null input", [null, true], null, "bad"],
    ["NaN input", [Number.NaN, true], null, "bad"],
    ["uncertain true", [v(true, "uncertain", "stale"), true], true, "uncertain"],
    ["single input", [true], true, "good"],
  ];
  it.each(cases)("%s", (_name, items, value, quality) => {
    const out = nodeRunner(and).run({ inputs: items }).result;
    expect(out).toMatchObject({ value, quality });
  });

  it("names the reason of a bad input", () => {
    expect(nodeRunner(and).run({ inputs: [v(null, "bad", "offline"), true] }).result?.reason).toBe("offline");
  });

  const numbered: [string, Record<string, InputSpec>, boolean | null][] = [
    ["in1 and in2 true", { in1: true, in2: true }, true],
    ["in3 false with input_count 3", { in1: true, in2: true, in3: false }, false],
    ["an old flow's multi-wire inputs count with the numbered ones", { inputs: [true], in1: false }, false],
    ["only in2 wired", { in2: true }, true],
  ];
  it.each(numbered)("numbered inputs: %s", (_name, inputs, value) => {
    expect(nodeRunner(and, { input_count: 3 }).run(inputs).result?.value).toBe(value);
  });
});
