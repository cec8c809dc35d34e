import { z } from "zod";
import { defineNode } from "../core/types";

export const constant = defineNode({
  type: "constant",
  version: 1,
  category: "input",
  label: "Constant",
  icon: "hash",
  description:
    "A fixed value, always good. Use `parameter` instead for anything an operator should be able to adjust.",
  inputs: [],
  outputs: [{ name: "value", type: "any", label: "Value" }],
  config: z.object({
    value: z
      .union([z.number(), z.boolean(), z.string().max(200)])
      .default(0)
      .describe("The value"),
  }),
  execute(_inputs, config, _state, ctx) {
    return { value: { value: config.value, quality: "good", timestamp: ctx.now } };
  },
  examples: [{ title: "Minimum outside air", config: { value: 15 }, explanation: "15 % minimum damper." }],
});
