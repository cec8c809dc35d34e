import { describe, expect, it } from "vitest";
import { type InputSpec, nodeRunner, v } from "../testing/node-runner";
import { or } from "./or";

describe("or", () => {
  const cases: [string, InputSpec[], boolean | null, string][] = [
    ["all false", [false, false], false, "good"],
    ["one true", [false, true], true, "good"],
    ["a good true decides despite a bad input", [v(null, "bad"), true], true, "good"],
    ["an uncertain true with a bad input", [v(null, "bad"), v(true, "uncertain")], true, "uncertain"],
    ["a bad input with the rest false is bad", [v(null, "bad"), false], null, "bad"],
    ["text that is not a state", ["maybe", false], null, "bad"],
    ["zero and non-zero", [0, 2], true, "good"],
  ];
  it.each(cases)("%s", (_name, items, value, quality) => {
    expect(nodeRunner(or).run({ inputs: items }).result).toMatchObject({ value, quality });
  });
});
