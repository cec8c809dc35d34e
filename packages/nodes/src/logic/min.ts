import { z } from "zod";
import { AGGREGATE_INPUTS, AGGREGATE_PORTS, AggregateBadInputSchema, aggregate } from "../core/aggregate";
import { defineNode } from "../core/types";

export const minimum = defineNode({
  type: "min",
  version: 1,
  category: "logic",
  label: "Minimum",
  icon: "arrow-down-to-line",
  description:
    "Outputs the lowest its inputs: connect one value to each of in1…in8 (`input_count` sets how many), each a number or a list of " +
    "numbers (a loop's results), and `count` says how many values were used. Bad, null or NaN values are " +
    "left out and make the result uncertain (on_bad_input 'ignore', the default), or make it bad " +
    "('propagate'). With no usable value the result is bad.",
  inputs: AGGREGATE_PORTS.inputs,
  outputs: AGGREGATE_PORTS.outputs,
  config: z.object({ input_count: AGGREGATE_INPUTS.input_count, on_bad_input: AggregateBadInputSchema }),
  execute(inputs, config, _state, ctx, multi) {
    return aggregate(
      AGGREGATE_INPUTS.collect(inputs, multi),
      config.on_bad_input,
      (xs) => xs.reduce((m, x) => Math.min(m, x)),
      ctx.now,
    );
  },
  examples: [
    {
      title: "Lowest zone temperature",
      config: {},
      explanation: "Wire each value to its own input; + input adds one (up to 8).",
    },
  ],
});
