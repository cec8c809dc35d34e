import { z } from "zod";
import { numberedInputs } from "../core/aggregate";
import { kleene } from "../core/gates";
import { defineNode } from "../core/types";

const INPUTS = numberedInputs("boolean");

export const and = defineNode({
  type: "and",
  version: 1,
  category: "logic",
  label: "AND",
  icon: "ampersand",
  description:
    "True when every connected input is true (one wire per input in1…in8; `input_count` sets how many). Numbers count as " +
    "true when non-zero and BACnet 'active'/'inactive' are understood. Bad input: a good false input still " +
    "gives false (it decides the result whatever the others are); otherwise a bad, null or NaN input makes " +
    "the result bad. An uncertain input makes the result uncertain.",
  inputs: INPUTS.ports,
  outputs: [{ name: "result", type: "boolean", label: "Result" }],
  config: z.object({ input_count: INPUTS.input_count }),
  execute(inputs, _config, _state, ctx, multi) {
    return { result: kleene(INPUTS.collect(inputs, multi), false, ctx.now) };
  },
  examples: [
    {
      title: "Fan proven and occupied",
      config: {},
      explanation: "Wire the fan status and the occupancy schedule to `inputs`.",
    },
  ],
});
