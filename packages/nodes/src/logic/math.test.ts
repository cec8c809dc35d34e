import { describe, expect, it } from "vitest";
import { type InputSpec, nodeRunner, v } from "../testing/node-runner";
import { math } from "./math";

describe("math", () => {
  const cases: [string, Record<string, unknown>, Record<string, InputSpec>, unknown, string][] = [
    ["seed example", { expression: "a * 1.8 + 32" }, { a: 20 }, 68, "good"],
    ["two inputs", { expression: "(a + b) / 2" }, { a: 20, b: 23 }, 21.5, "good"],
    ["boolean result", { expression: "a > b" }, { a: 3, b: 2 }, true, "good"],
    ["uncertain input", { expression: "a + 1" }, { a: v(1, "uncertain", "stale") }, 2, "uncertain"],
    ["bad input propagates", { expression: "a + 1" }, { a: v(1, "bad", "offline") }, null, "bad"],
    ["null input", { expression: "a + 1" }, { a: null }, null, "bad"],
    ["NaN input", { expression: "a + 1" }, { a: Number.NaN }, null, "bad"],
    ["unconnected input", { expression: "a + b" }, { a: 1 }, null, "bad"],
    ["division by zero", { expression: "a / b" }, { a: 1, b: 0 }, null, "bad"],
    [
      "fallback on bad",
      { expression: "a + 1", on_bad_input: "fallback", fallback: 21 },
      { a: null },
      21,
      "uncertain",
    ],
  ];
  it.each(cases)("%s", (_name, config, inputs, value, quality) => {
    const out = nodeRunner(math, config).run(inputs).result;
    expect(out?.value).toEqual(value);
    expect(out?.quality).toBe(quality);
  });

  it("reads flow aliases through ctx.lookup", () => {
    const r = nodeRunner(math, { expression: "$oat + a" }, { aliases: { oat: v(5) } });
    expect(r.run({ a: 2 }).result?.value).toBe(7);
  });

  it("holds the last good result, uncertain, when asked to", () => {
    const r = nodeRunner(math, { expression: "a * 2", on_bad_input: "hold" });
    expect(r.run({ a: 3 }).result?.value).toBe(6);
    expect(r.run({ a: v(null, "bad", "offline") }).result).toMatchObject({
      value: 6,
      quality: "uncertain",
      reason: "holding: offline",
    });
  });

  it("refuses a hostile expression when the flow is validated", () => {
    const parsed = math.config.safeParse({ expression: 'constructor.constructor("return process")()' });
    expect(parsed.success).toBe(false);
  });
});
