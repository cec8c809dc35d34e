import { PointRefSchema } from "@bms/schemas";
import { z } from "zod";
import { defineNode, type NodeValue } from "../core/types";

export const sensorRead = defineNode({
  type: "sensor_read",
  version: 1,
  category: "input",
  label: "Sensor Read",
  icon: "thermometer",
  description:
    "Reads one point each scan (batched with the flow's other reads). The value's quality is passed through. " +
    "When the read is bad and a fallback is set, the fallback is output with quality 'uncertain' and the reason; " +
    "without a fallback the bad value propagates. A value older than max_age_ms is downgraded to 'uncertain'.",
  inputs: [],
  outputs: [{ name: "value", type: "any", label: "Value" }],
  config: z.object({
    point: PointRefSchema.describe("Point reference, e.g. bacnet:1001/analogInput:1"),
    fallback: z
      .union([z.number(), z.boolean(), z.null()])
      .default(null)
      .describe("Used when the read is bad"),
    max_age_ms: z.number().int().min(0).max(86_400_000).default(0).describe("0: no age check"),
  }),
  points: (config) => ({ reads: [config.point] }),
  // Positional (run): no inputs; outputs[0] value. The plain read is handed on as the device answered it,
  // with no wrapper object per point per scan (issue 15).
  run(_inputs, config, _state, ctx, outputs) {
    const read: NodeValue = ctx.readPoint(config.point) ?? {
      value: null,
      quality: "bad",
      timestamp: ctx.now,
      reason: `no value for ${config.point}`,
    };
    if (read.quality === "bad" && config.fallback !== null) {
      outputs[0] = {
        value: config.fallback,
        quality: "uncertain",
        timestamp: ctx.now,
        reason: `fallback: ${read.reason ?? "read failed"}`,
      };
    } else if (
      config.max_age_ms > 0 &&
      read.quality === "good" &&
      ctx.now - read.timestamp > config.max_age_ms
    ) {
      outputs[0] = { ...read, quality: "uncertain", reason: `value is ${ctx.now - read.timestamp} ms old` };
    } else {
      outputs[0] = read;
    }
    return undefined;
  },
  examples: [
    {
      title: "Zone temperature",
      config: { point: "bacnet:1001/analogInput:1", fallback: 21 },
      explanation: "Reads AI-1 of device 1001; uses 21 if the device stops answering.",
    },
  ],
});
