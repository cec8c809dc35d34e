import { z } from "zod";
import { defineNode, type NodeOutputs } from "../core/types";
import { asBoolean, derive } from "../core/values";

export const conditional = defineNode({
  type: "conditional",
  version: 1,
  category: "control",
  label: "If / Else",
  icon: "git-branch",
  description:
    "Branches the flow. When `condition` is true the `then` output carries `value` (or the condition itself " +
    "when `value` is not connected) and `else` is left out; when false, the other way round. Nodes fed by " +
    "the branch not taken are skipped this scan, and so is everything downstream of them, so their " +
    "writes are not sent (the points keep their last command). A bad, null or NaN condition takes no " +
    "branch (both are skipped, so nothing acts on an unknown) unless on_bad_condition is 'else'.",
  inputs: [
    { name: "condition", type: "boolean", label: "Condition", required: true },
    { name: "value", type: "any", label: "Value" },
  ],
  outputs: [
    { name: "then", type: "any", label: "Then" },
    { name: "else", type: "any", label: "Else" },
  ],
  config: z.object({
    on_bad_condition: z
      .enum(["none", "else"])
      .default("none")
      .describe("none: skip both branches; else: take the else branch"),
  }),
  execute(inputs, config, _state, ctx): NodeOutputs {
    const condition = inputs.condition;
    const b = condition?.quality === "bad" ? undefined : asBoolean(condition);
    const carried = inputs.value ?? condition!;
    if (b === undefined) {
      if (config.on_bad_condition === "none") return {};
      return {
        else: {
          ...derive(carried.value, [carried], ctx.now),
          quality: "uncertain",
          reason: `condition unknown: ${condition?.reason ?? "not a boolean"}`,
        },
      };
    }
    const out = derive(inputs.value ? inputs.value.value : b, [condition, inputs.value], ctx.now);
    // biome-ignore lint/suspicious/noThenProperty: the port is named `then` by the spec; its value is a NodeValue, never a function, so the object is not a thenable
    return b ? { then: out } : { else: out };
  },
  examples: [
    {
      title: "Cooling needed",
      config: {},
      explanation:
        "Threshold to `condition`; wire `then` to the cooling command chain and `else` to heating.",
    },
  ],
});
