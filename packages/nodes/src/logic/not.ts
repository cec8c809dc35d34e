import { z } from "zod";
import { defineNode } from "../core/types";
import { asBoolean, bad, derive } from "../core/values";

export const not = defineNode({
  type: "not",
  version: 1,
  category: "logic",
  label: "NOT",
  icon: "circle-slash",
  description:
    "Inverts a boolean (non-zero numbers and 'active' count as true). A bad, null or NaN input gives a " +
    "bad result: inverting an unknown is still unknown.",
  inputs: [{ name: "value", type: "boolean", label: "Value", required: true }],
  outputs: [{ name: "result", type: "boolean", label: "Result" }],
  config: z.object({}),
  execute(inputs, _config, _state, ctx) {
    const input = inputs.value;
    const b = input?.quality === "bad" ? undefined : asBoolean(input);
    if (b === undefined) return { result: bad(input?.reason ?? "input 'value' is not a boolean", ctx.now) };
    return { result: derive(!b, [input], ctx.now) };
  },
  examples: [{ title: "Unoccupied", config: {}, explanation: "Inverts the occupancy schedule." }],
});
