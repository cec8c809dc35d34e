import { PointRefSchema } from "@bms/schemas";
import { z } from "zod";
import { defineNode } from "../core/types";

/** MQTT publish options, only when set: other protocols' writes carry none. */
function publishOptions(config: { qos?: 0 | 1 | 2 | undefined; retain?: boolean | undefined }) {
  return {
    ...(config.qos === undefined ? {} : { qos: config.qos }),
    ...(config.retain === undefined ? {} : { retain: config.retain }),
  };
}

export const actuatorWrite = defineNode({
  type: "actuator_write",
  version: 1,
  category: "output",
  label: "Actuator Write",
  icon: "power",
  description:
    "Commands a point at a BACnet priority (1..16, default 16). The supervisor writes only when the value " +
    "changes, plus an optional heartbeat rewrite, and relinquishes the point (NULL at this priority) when the " +
    "flow stops or no longer commands it. On a bad input the last command is held (default), the point is " +
    "relinquished so the device's own logic takes over, or a fallback value is written.",
  inputs: [{ name: "value", type: "any", label: "Value", required: true }],
  outputs: [{ name: "commanded", type: "any", label: "Commanded" }],
  config: z.object({
    point: PointRefSchema.describe("Commandable point, e.g. bacnet:1001/binaryOutput:1"),
    priority: z.number().int().min(1).max(16).default(16).describe("BACnet write priority"),
    heartbeat_ms: z.number().int().min(0).max(86_400_000).default(0).describe("0: write on change only"),
    on_bad_input: z.enum(["hold", "relinquish", "fallback"]).default("hold"),
    fallback: z.union([z.number(), z.boolean(), z.null()]).default(null),
    // Protocol-specific: only MQTT refs use these (the plugin's per-topic options or default QoS otherwise).
    qos: z
      .union([z.literal(0), z.literal(1), z.literal(2)])
      .optional()
      .describe("MQTT publish QoS (0, 1 or 2)"),
    retain: z.boolean().optional().describe("MQTT: the broker keeps the last published value"),
  }),
  points: (config) => ({ writes: [config.point] }),
  // Positional (run): inputs[0] value; outputs[0] commanded.
  run(inputs, config, _state, ctx, outputs) {
    const input = inputs[0];
    const usable = input && input.quality !== "bad" && input.value !== null && !Array.isArray(input.value);
    if (usable) {
      const value = input.value as number | boolean | string;
      ctx.writePoint({
        point: config.point,
        value,
        priority: config.priority,
        heartbeatMs: config.heartbeat_ms,
        ...publishOptions(config),
      });
      outputs[0] = input;
      return undefined;
    }
    const reason = input?.reason ?? "input 'value' is missing";
    if (config.on_bad_input === "relinquish") {
      ctx.writePoint({ point: config.point, value: null, priority: config.priority, heartbeatMs: 0 });
      outputs[0] = { value: null, quality: "bad", timestamp: ctx.now, reason: `relinquished: ${reason}` };
      return undefined;
    }
    if (config.on_bad_input === "fallback" && config.fallback !== null) {
      ctx.writePoint({
        point: config.point,
        value: config.fallback,
        priority: config.priority,
        heartbeatMs: config.heartbeat_ms,
        ...publishOptions(config),
      });
      outputs[0] = {
        value: config.fallback,
        quality: "uncertain",
        timestamp: ctx.now,
        reason: `fallback: ${reason}`,
      };
      return undefined;
    }
    outputs[0] = { value: null, quality: "bad", timestamp: ctx.now, reason: `holding: ${reason}` };
    return undefined;
  },
  examples: [
    {
      title: "Cooling command",
      config: { point: "bacnet:1001/binaryOutput:1", priority: 8 },
      explanation: "Commands BO-1 at priority 8 (manual operator level) whenever the input changes.",
    },
  ],
});
