import { PointRefSchema } from "@bms/schemas";
import { z } from "zod";
import { defineNode } from "../core/types";

export const pointStatus = defineNode({
  type: "point_status",
  version: 1,
  category: "input",
  label: "Point Status",
  icon: "heart-pulse",
  description:
    "Reports the health of a point rather than its value: `quality` (good, uncertain or bad), `age_s` " +
    "(seconds since the value was produced), `stale` (older than max_age_s) and `ok` (good and not stale), " +
    "for sensor-failure alarms and fail-safe logic. These outputs are themselves always good; a point never " +
    "read has quality bad, ok false and age_s null.",
  inputs: [],
  outputs: [
    { name: "ok", type: "boolean", label: "OK" },
    { name: "quality", type: "string", label: "Quality" },
    { name: "age_s", type: "number", label: "Age (s)" },
    { name: "stale", type: "boolean", label: "Stale" },
  ],
  config: z.object({
    point: PointRefSchema.describe("Point reference, e.g. bacnet:1001/analogInput:1"),
    max_age_s: z.number().min(0).max(86_400).default(300).describe("Older than this is stale; 0: never"),
  }),
  points: (config) => ({ reads: [config.point] }),
  execute(_inputs, config, _state, ctx) {
    const read = ctx.readPoint(config.point);
    const at = (value: number | boolean | string | null) => ({
      value,
      quality: "good" as const,
      timestamp: ctx.now,
    });
    if (!read) return { ok: at(false), quality: at("bad"), age_s: at(null), stale: at(true) };
    const age = Math.max(0, (ctx.now - read.timestamp) / 1000);
    const stale = config.max_age_s > 0 && age > config.max_age_s;
    return {
      ok: at(read.quality === "good" && !stale),
      quality: at(read.quality),
      age_s: at(age),
      stale: at(stale),
    };
  },
  examples: [
    {
      title: "Outside-air sensor failed",
      config: { point: "bacnet:1001/analogInput:3", max_age_s: 120 },
      explanation: "`ok` goes false when the sensor is unreliable or has not reported for 2 minutes.",
    },
  ],
});
