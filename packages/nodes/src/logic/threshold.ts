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
  execute(inputs, config, _state, ctx) {
    const value = asNumber(inputs.value);
    const limitInput = inputs.limit;
    const limit = limitInput ? asNumber(limitInput) : config.value;
    if (value === undefined || inputs.value?.quality === "bad") {
      return { result: bad(inputs.value?.reason ?? "input 'value' is missing or not a number", ctx.now) };
    }
    if (limit === undefined || limitInput?.quality === "bad") {
      return { result: bad(limitInput?.reason ?? "input 'limit' is not a number", ctx.now) };
    }
    return {
      result: derive(
        compare(value, config.operator, limit, config.tolerance),
        [inputs.value, limitInput],
        ctx.now,
      ),
    };
  },
  examples: [
    {
      title: "Cooling needed",
      config: { operator: ">", value: 24 },
      explanation: "True while the zone temperature is above 24.",
    },
  ],
});
