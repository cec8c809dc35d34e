import { z } from "zod";
import type { NodeValue, Payload } from "./types";

/**
 * What a node outputs when it cannot compute (a bad, null or NaN input), chosen per node in its config:
 * - propagate: a bad value, so downstream writes hold and alarms can see it (the safe default);
 * - hold: the last good output, marked uncertain, as a DDC block freezes on a failed sensor;
 * - fallback: a configured value, marked uncertain.
 */
export const BadInputPolicySchema = z
  .enum(["propagate", "hold", "fallback"])
  .default("propagate")
  .describe("On a bad input: propagate bad quality, hold the last good output, or use the fallback");

export type BadInputPolicy = z.infer<typeof BadInputPolicySchema>;

export const FallbackSchema = z
  .union([z.number(), z.boolean(), z.null()])
  .default(null)
  .describe("Output when on_bad_input is fallback");

export function badOutput(
  policy: BadInputPolicy,
  fallback: number | boolean | null,
  lastGood: Payload | undefined,
  reason: string,
  now: number,
): NodeValue {
  if (policy === "hold" && lastGood !== undefined && lastGood !== null) {
    return { value: lastGood, quality: "uncertain", timestamp: now, reason: `holding: ${reason}` };
  }
  if (policy === "fallback" && fallback !== null) {
    return { value: fallback, quality: "uncertain", timestamp: now, reason: `fallback: ${reason}` };
  }
  return { value: null, quality: "bad", timestamp: now, reason };
}
