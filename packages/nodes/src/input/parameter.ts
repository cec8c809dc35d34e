import { IdentifierSchema } from "@bms/schemas";
import { z } from "zod";
import { defineNode, type NodeValue, type Scalar } from "../core/types";

export const parameter = defineNode({
  type: "parameter",
  version: 1,
  category: "input",
  label: "Parameter",
  icon: "sliders-horizontal",
  description:
    "A manual input or setpoint that operators adjust at runtime through the supervisor's API (the flow " +
    "publishes it under `name`). Until it is set, `default` is output. An override of the wrong type " +
    "(text for a number) is ignored in favour of the default; a number outside min..max is clamped. Both " +
    "are marked uncertain with the reason, so a mistyped setpoint never drives the plant outside its range.",
  inputs: [],
  outputs: [{ name: "value", type: "any", label: "Value" }],
  config: z
    .object({
      name: IdentifierSchema.describe("Name the API adjusts, e.g. setpoint"),
      default: z.union([z.number(), z.boolean(), z.string().max(200)]).describe("Value until overridden"),
      min: z.number().nullable().default(null).describe("Lowest accepted value (numbers); null: none"),
      max: z.number().nullable().default(null).describe("Highest accepted value (numbers); null: none"),
      unit: z.string().max(20).default("").describe("Shown next to the value, e.g. °C"),
    })
    .refine((c) => c.min === null || c.max === null || c.min <= c.max, {
      message: "min must not exceed max",
    }),
  parameters: (config) => [
    { name: config.name, value: config.default, min: config.min, max: config.max, unit: config.unit },
  ],
  execute(_inputs, config, _state, ctx) {
    const override: Scalar | undefined = ctx.parameter(config.name);
    if (override === undefined)
      return { value: { value: config.default, quality: "good", timestamp: ctx.now } };
    if (
      typeof override !== typeof config.default ||
      (typeof override === "number" && !Number.isFinite(override))
    ) {
      return {
        value: {
          value: config.default,
          quality: "uncertain",
          timestamp: ctx.now,
          reason: `parameter ${config.name}: ${JSON.stringify(override)} is not a ${typeof config.default}`,
        },
      };
    }
    if (typeof override === "number") {
      const clamped = Math.min(Math.max(override, config.min ?? -Infinity), config.max ?? Infinity);
      if (clamped !== override) {
        const out: NodeValue = {
          value: clamped,
          quality: "uncertain",
          timestamp: ctx.now,
          reason: `parameter ${config.name}: ${override} clamped to ${clamped}`,
        };
        return { value: out };
      }
    }
    return { value: { value: override, quality: "good", timestamp: ctx.now } };
  },
  examples: [
    {
      title: "Zone setpoint",
      config: { name: "setpoint", default: 22, min: 16, max: 28, unit: "°C" },
      explanation: "Operators adjust `setpoint` between 16 and 28 °C; 22 until they do.",
    },
  ],
});
