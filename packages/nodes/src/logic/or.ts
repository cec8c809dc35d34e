import { z } from "zod";
import { numberedInputs } from "../core/aggregate";
import { kleene } from "../core/gates";
import { defineNode } from "../core/types";

const INPUTS = numberedInputs("boolean");

export const or = defineNode({
  type: "or",
  version: 1,
  category: "logic",
  label: "OR",
  icon: "git-merge",
  description:
    "True when any connected input is true (one wire per input in1…in8; `input_count` sets how many). Bad input: a good " +
    "true input still gives true; otherwise a bad, null or NaN input makes the result bad. An uncertain " +
    "input makes the result uncertain.",
  inputs: INPUTS.ports,
  outputs: [{ name: "result", type: "boolean", label: "Result" }],
  config: z.object({ input_count: INPUTS.input_count }),
  execute(inputs, _config, _state, ctx, multi) {
    return { result: kleene(INPUTS.collect(inputs, multi), true, ctx.now) };
  },
  examples: [
    {
      title: "Any zone calling for cooling",
      config: {},
      explanation: "Wire each zone's cooling demand to `inputs`.",
    },
  ],
});
