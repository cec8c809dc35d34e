import { z } from "zod";
import { defineNode, type PortDefinition } from "../core/types";
import { asNumber, bad, derive } from "../core/values";

const CHOICES = ["in0", "in1", "in2", "in3", "in4", "in5", "in6", "in7"] as const;

export const select = defineNode({
  type: "select",
  version: 1,
  category: "logic",
  label: "Select",
  icon: "list-checks",
  description:
    "A multiplexer: outputs the input chosen by `selector` (0 → in0 … 7 → in7; a boolean selects in1 when " +
    "true and in0 when false, like a DDC switch block). A fractional selector is rounded. A bad, null or " +
    "NaN selector, a selector out of range, or an unconnected chosen input gives a bad output; the chosen " +
    "input's quality is passed through (a bad unselected input does not matter).",
  inputs: [
    { name: "selector", type: "any", label: "Selector", required: true },
    ...CHOICES.map((name): PortDefinition => ({ name, type: "any", label: name })),
  ],
  outputs: [
    { name: "value", type: "any", label: "Value" },
    { name: "index", type: "number", label: "Index" },
  ],
  config: z.object({}),
  execute(inputs, _config, _state, ctx) {
    const selector = inputs.selector;
    const n = selector?.quality === "bad" ? undefined : asNumber(selector);
    if (n === undefined) {
      const reason = selector?.reason ?? "selector is not a number";
      return { value: bad(reason, ctx.now), index: bad(reason, ctx.now) };
    }
    const index = Math.round(n);
    const port = CHOICES[index];
    const chosen = port === undefined ? undefined : inputs[port];
    if (!chosen) {
      const reason =
        port === undefined ? `selector ${n} is out of range 0..7` : `input ${port} is not connected`;
      return { value: bad(reason, ctx.now), index: derive(index, [selector], ctx.now) };
    }
    return {
      value: derive(chosen.value, [chosen, selector], ctx.now),
      index: derive(index, [selector], ctx.now),
    };
  },
  examples: [
    {
      title: "Occupied/unoccupied setpoint",
      config: {},
      explanation: "Occupancy to selector, unoccupied setpoint to in0, occupied setpoint to in1.",
    },
  ],
});
