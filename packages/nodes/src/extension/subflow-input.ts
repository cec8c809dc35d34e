import { IdentifierSchema } from "@bms/schemas";
import { z } from "zod";
import { defineNode } from "../core/types";

export const subflowInput = defineNode({
  type: "subflow_input",
  version: 1,
  category: "extension",
  label: "Sub-flow Input",
  icon: "log-in",
  description:
    "Inside a `loop` or `subflow` sub-flow: outputs the value the host hands in under `name` (a loop gives " +
    "`item`, `index`, `count` and its inputs in1..in4; a subflow its inputs in1..in8). When the host gives " +
    "nothing under that name (its input is not connected, or the node is used in a top-level flow), " +
    "`default` is output, or a bad value when default is null.",
  inputs: [],
  outputs: [{ name: "value", type: "any", label: "Value" }],
  config: z.object({
    name: IdentifierSchema.describe("item, index, count, in1…"),
    default: z
      .union([z.number(), z.boolean(), z.string(), z.null()])
      .default(null)
      .describe("Used when not given"),
  }),
  execute(_inputs, config, _state, ctx) {
    const given = ctx.subflowInput?.(config.name);
    if (given) return { value: given };
    if (config.default !== null)
      return { value: { value: config.default, quality: "good", timestamp: ctx.now } };
    return {
      value: {
        value: null,
        quality: "bad",
        timestamp: ctx.now,
        reason: `no value for sub-flow input ${config.name}`,
      },
    };
  },
  examples: [{ title: "Loop item", config: { name: "item" }, explanation: "The current list item." }],
});
