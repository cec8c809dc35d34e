import { z } from "zod";
import { kleene } from "../core/gates";
import { defineNode } from "../core/types";

export const or = defineNode({
  type: "or",
  version: 1,
  category: "logic",
  label: "OR",
  icon: "git-merge",
  description:
    "True when any connected input is true (connect any number of wires to `inputs`). Bad input: a good " +
    "true input still gives true; otherwise a bad, null or NaN input makes the result bad. An uncertain " +
    "input makes the result uncertain.",
  inputs: [{ name: "inputs", type: "boolean", label: "Inputs", required: true, multiple: true }],
  outputs: [{ name: "result", type: "boolean", label: "Result" }],
  config: z.object({}),
  execute(_inputs, _config, _state, ctx, multi) {
    return { result: kleene(multi.inputs ?? [], true, ctx.now) };
  },
  examples: [
    {
      title: "Any zone calling for cooling",
      config: {},
      explanation: "Wire each zone's cooling demand to `inputs`.",
    },
  ],
});
