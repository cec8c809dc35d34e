import { z } from "zod";
import { defineNode, type NodeValue } from "../core/types";

export const feedback = defineNode({
  type: "feedback",
  version: 1,
  category: "control",
  label: "Feedback",
  icon: "undo-2",
  description:
    "Outputs last scan's value of its input: the way to close a loop (a node's output fed back into its own " +
    "inputs) without an illegal cycle. The wire into it is read one scan late, so it does not constrain " +
    "the evaluation order. On the first scan, and while its source was skipped, `initial` is output (bad " +
    "when initial is null). The value's quality is passed through unchanged.",
  inputs: [{ name: "value", type: "any", label: "Value", required: true }],
  outputs: [{ name: "value", type: "any", label: "Last value" }],
  breaksCycles: true,
  config: z.object({
    initial: z
      .union([z.number(), z.boolean(), z.string(), z.null()])
      .default(null)
      .describe("Output before a value has been seen"),
  }),
  execute(inputs, config, _state, ctx) {
    const last = inputs.value;
    if (last) return { value: last };
    const out: NodeValue =
      config.initial === null
        ? { value: null, quality: "bad", timestamp: ctx.now, reason: "no previous value yet" }
        : { value: config.initial, quality: "good", timestamp: ctx.now };
    return { value: out };
  },
  examples: [
    {
      title: "Integrate with math",
      config: { initial: 0 },
      explanation: "math `a + b` with a = feedback of its own result: a running sum.",
    },
  ],
});
