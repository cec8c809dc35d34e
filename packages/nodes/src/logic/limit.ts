import { z } from "zod";
import { BadInputPolicySchema, badOutput, FallbackSchema } from "../core/bad-input";
import { defineNode } from "../core/types";
import { asNumber, derive } from "../core/values";

export const limit = defineNode({
  type: "limit",
  version: 1,
  category: "logic",
  label: "Limit",
  icon: "fold-vertical",
  description:
    "Clamps the value between min and max (the min/max inputs when connected, else the config; null means " +
    "no limit on that side). `limited` is true while the value is clamped. A bad, null or NaN value or " +
    "limit follows on_bad_input (default: propagate bad quality). If min > max, max wins (a safety limit " +
    "such as a high-limit discharge temperature must not be overridden by a low limit).",
  inputs: [
    { name: "value", type: "number", label: "Value", required: true },
    { name: "min", type: "number", label: "Min" },
    { name: "max", type: "number", label: "Max" },
  ],
  outputs: [
    { name: "value", type: "number", label: "Value" },
    { name: "limited", type: "boolean", label: "Limited" },
  ],
  config: z.object({
    min: z.number().nullable().default(null).describe("Low limit; null: none"),
    max: z.number().nullable().default(null).describe("High limit; null: none"),
    on_bad_input: BadInputPolicySchema,
    fallback: FallbackSchema,
  }),
  // `last` only serves on_bad_input "hold" until the next good value.
  statePersistence: "periodic",
  initialState: (): { last: number | null } => ({ last: null }),
  execute(inputs, config, state, ctx) {
    const value = asNumber(inputs.value);
    const lo = inputs.min ? asNumber(inputs.min) : (config.min ?? Number.NEGATIVE_INFINITY);
    const hi = inputs.max ? asNumber(inputs.max) : (config.max ?? Number.POSITIVE_INFINITY);
    const broken = [inputs.value, inputs.min, inputs.max].find((x) => x?.quality === "bad");
    if (value === undefined || lo === undefined || hi === undefined || broken) {
      const reason = broken?.reason ?? "value or limit is not a number";
      const out = badOutput(config.on_bad_input, config.fallback, state.last, reason, ctx.now);
      return { value: out, limited: { ...out, value: out.value === null ? null : false } };
    }
    const clamped = Math.min(Math.max(value, lo), hi);
    state.last = clamped;
    const from = [inputs.value, inputs.min, inputs.max];
    return { value: derive(clamped, from, ctx.now), limited: derive(clamped !== value, from, ctx.now) };
  },
  examples: [
    {
      title: "Supply air setpoint limits",
      config: { min: 12, max: 18 },
      explanation: "Keeps a reset supply-air setpoint between 12 and 18 °C.",
    },
  ],
});
