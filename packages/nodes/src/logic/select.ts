import { z } from "zod";
import { portGroup } from "../core/port-groups";
import { defineNode } from "../core/types";
import { asNumber, bad, derive } from "../core/values";

const CHOICES = ["in0", "in1", "in2", "in3", "in4", "in5", "in6", "in7"] as const;
const GROUP = portGroup({
  count: "input_count",
  names: CHOICES,
  min: 2,
  default: 2,
  port: (name) => ({ type: "any", label: name }),
  description: "How many inputs to choose from (in0 …)",
});

export const select = defineNode({
  type: "select",
  version: 1,
  category: "logic",
  label: "Select",
  icon: "list-checks",
  description:
    "A multiplexer: outputs the input chosen by `selector` (0 → in0, 1 → in1 …, up to `input_count` inputs; a boolean selects in1 when " +
    "true and in0 when false, like a DDC switch block). A fractional selector is rounded. A bad, null or " +
    "NaN selector, a selector out of range, or an unconnected chosen input gives a bad output; the chosen " +
    "input's quality is passed through (a bad unselected input does not matter).",
  inputs: [{ name: "selector", type: "any", label: "Selector", required: true }, ...GROUP.ports],
  outputs: [
    { name: "value", type: "any", label: "Value" },
    { name: "index", type: "number", label: "Index" },
  ],
  config: z.object({ input_count: GROUP.field }),
  // Positional (run): inputs[0] selector, inputs[1 + i] in<i>; outputs[0] value, outputs[1] index.
  run(inputs, config, _state, ctx, outputs) {
    const selector = inputs[0];
    const n = selector?.quality === "bad" ? undefined : asNumber(selector);
    if (n === undefined) {
      const reason = selector?.reason ?? "selector is not a number";
      outputs[0] = bad(reason, ctx.now);
      outputs[1] = bad(reason, ctx.now);
      return;
    }
    const index = Math.round(n);
    // A wire kept on an input beyond the count (an older flow) is still selectable. A plain loop: the
    // spread of a mapped list it replaces was ~15 % of a profiled scan of a flow of selects (issue 15).
    let last = config.input_count - 1;
    for (let i = CHOICES.length - 1; i > last; i--) {
      if (inputs[1 + i]) {
        last = i;
        break;
      }
    }
    const port = index >= 0 && index <= last ? CHOICES[index] : undefined;
    const chosen = port === undefined ? undefined : inputs[1 + index];
    if (!chosen) {
      const reason =
        port === undefined ? `selector ${n} is out of range 0..${last}` : `input ${port} is not connected`;
      outputs[0] = bad(reason, ctx.now);
      outputs[1] = derive(index, [selector], ctx.now);
      return;
    }
    outputs[0] = derive(chosen.value, [chosen, selector], ctx.now);
    outputs[1] = derive(index, [selector], ctx.now);
  },
  examples: [
    {
      title: "Occupied/unoccupied setpoint",
      config: {},
      explanation: "Occupancy to selector, unoccupied setpoint to in0, occupied setpoint to in1.",
    },
  ],
});
