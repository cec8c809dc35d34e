import { describe, expect, it } from "vitest";
import { type InputSpec, nodeRunner, v } from "../testing/node-runner";
import { xor } from "./xor";

describe("xor", () => {
  const cases: [string, string, InputSpec[], boolean | null, string][] = [
    ["two differ", "odd", [true, false], true, "good"],
    ["two agree", "odd", [true, true], false, "good"],
    ["three true is odd", "odd", [true, true, true], true, "good"],
    ["three true is not exactly one", "exactly_one", [true, true, true], false, "good"],
    ["exactly one of three", "exactly_one", [false, true, false], true, "good"],
    ["bad input", "odd", [true, v(false, "bad")], null, "bad"],
    ["null input", "odd", [true, null], null, "bad"],
    ["uncertain input", "odd", [true, v(false, "uncertain")], true, "uncertain"],
  ];
  it.each(cases)("%s (%s)", (_name, mode, items, value, quality) => {
    expect(nodeRunner(xor, { mode }).run({ inputs: items }).result).toMatchObject({ value, quality });
  });
});
