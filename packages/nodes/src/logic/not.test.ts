import { describe, expect, it } from "vitest";
import { type InputSpec, nodeRunner, v } from "../testing/node-runner";
import { not } from "./not";

describe("not", () => {
  const cases: [InputSpec, boolean | null, string][] = [
    [true, false, "good"],
    [false, true, "good"],
    [0, true, "good"],
    ["active", false, "good"],
    [v(true, "uncertain"), false, "uncertain"],
    [v(true, "bad"), null, "bad"],
    [null, null, "bad"],
    [Number.NaN, null, "bad"],
  ];
  it.each(cases)("not %o = %o (%s)", (input, value, quality) => {
    expect(nodeRunner(not).run({ value: input }).result).toMatchObject({ value, quality });
  });
});
