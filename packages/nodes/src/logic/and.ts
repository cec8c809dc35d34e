import { z } from "zod";
import { kleene } from "../core/gates";
import { defineNode } from "../core/types";

export const and = defineNode({
  type: "and",
  version: 1,
  category: "logic",
  label: "AND",
  icon: "ampersand",
  description:
    "True when every connected input is true (connect any number of wires to `inputs`). Numbers count as " +
    "true when non-zero and BACnet 'active'/'inactive' are understood. Bad input: a good false input still " +
    "gives false (it decides the result whatever the others are); otherwise a bad, null or NaN input makes " +
    "the result bad. An uncertain input makes the result uncertain.",
  inputs: [{ name: "inputs", type: "boolean", label: "Inputs", required: true, multiple: true }],
  outputs: [{ name: "result", type: "boolean", label: "Result" }],
  config: z.object({}),
  execute(_inputs, _config, _state, ctx, multi) {
    return { result: kleene(multi.inputs ?? [], false, ctx.now) };
  },
  examples: [
    {
      title: "Fan proven and occupied",
      config: {},
      explanation: "Wire the fan status and the occupancy schedule to `inputs`.",
    },
  ],
});
