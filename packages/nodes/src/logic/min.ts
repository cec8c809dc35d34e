import { z } from "zod";
import { AGGREGATE_PORTS, AggregateBadInputSchema, aggregate } from "../core/aggregate";
import { defineNode } from "../core/types";

export const minimum = defineNode({
  type: "min",
  version: 1,
  category: "logic",
  label: "Minimum",
  icon: "arrow-down-to-line",
  description:
    "Outputs the lowest its inputs: connect any number of wires to `inputs`, each a number or a list of " +
    "numbers (a loop's results), and `count` says how many values were used. Bad, null or NaN values are " +
    "left out and make the result uncertain (on_bad_input 'ignore', the default), or make it bad " +
    "('propagate'). With no usable value the result is bad.",
  inputs: AGGREGATE_PORTS.inputs,
  outputs: AGGREGATE_PORTS.outputs,
  config: z.object({ on_bad_input: AggregateBadInputSchema }),
  execute(_inputs, config, _state, ctx, multi) {
    return aggregate(
      multi.inputs ?? [],
      config.on_bad_input,
      (xs) => xs.reduce((m, x) => Math.min(m, x)),
      ctx.now,
    );
  },
  examples: [{ title: "Lowest zone temperature", config: {}, explanation: "Wire every value to `inputs`." }],
});
