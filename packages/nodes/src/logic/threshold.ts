import { z } from "zod";
import { defineNode } from "../core/types";
import { asNumber, bad, derive } from "../core/values";

const OPERATORS = [">", "<", ">=", "<=", "==", "!="] as const;

function compare(a: number, op: (typeof OPERATORS)[number], b: number, tolerance: number): boolean {
  switch (op) {
    case ">":
      return a > b;
    case "<":
      return a < b;
    case ">=":
      return a >= b;
    case "<=":
      return a <= b;
    case "==":
      return Math.abs(a - b) <= tolerance;
    case "!=":
      return Math.abs(a - b) > tolerance;
  }
}

export const threshold = defineNode({
  type: "threshold",
  version: 1,
  category: "logic",
  label: "Threshold",
  icon: "git-compare",
  description:
    "Compares the input with a limit: result = value <operator> limit. The limit is the `limit` input when " +
    "connected, else the configured value. A missing or bad input gives a bad result (null), so downstream " +
    "writes hold instead of acting on garbage. == and != compare within `tolerance` (floats are never exact).",
  // Positional (run): inputs[0] value, inputs[1] limit; outputs[0] result.
  inputs: [
    { name: "value", type: "number", label: "Value", required: true },
    { name: "limit", type: "number", label: "Limit" },
  ],
  outputs: [{ name: "result", type: "boolean", label: "Result" }],
  config: z.object({
    operator: z.enum(OPERATORS).default(">"),
    value: z.number().default(0).describe("Limit used when the limit input is not connected"),
    tolerance: z.number().min(0).default(0).describe("For == and !="),
  }),
  run(inputs, config, _state, ctx, outputs) {
    const valueInput = inputs[0];
    const limitInput = inputs[1];
    const value = asNumber(valueInput);
    const limit = limitInput ? asNumber(limitInput) : config.value;
    if (value === undefined || valueInput?.quality === "bad") {
      outputs[0] = bad(valueInput?.reason ?? "input 'value' is missing or not a number", ctx.now);
    } else if (limit === undefined || limitInput?.quality === "bad") {
      outputs[0] = bad(limitInput?.reason ?? "input 'limit' is not a number", ctx.now);
    } else {
      outputs[0] = derive(
        compare(value, config.operator, limit, config.tolerance),
        [valueInput, limitInput],
        ctx.now,
      );
    }
    return undefined;
  },
  examples: [
    {
      title: "Cooling needed",
      config: { operator: ">", value: 24 },
      explanation: "True while the zone temperature is above 24.",
    },
  ],
});
