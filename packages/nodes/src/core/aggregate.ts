import { z } from "zod";
import type { NodeValue, Payload } from "./types";
import { bad } from "./values";

export const AggregateBadInputSchema = z
  .enum(["ignore", "propagate"])
  .default("ignore")
  .describe("ignore: leave bad/NaN inputs out (result uncertain); propagate: any bad input makes it bad");

function flatten(value: Payload, out: unknown[]): void {
  if (Array.isArray(value)) for (const x of value) flatten(x as Payload, out);
  else out.push(value);
}

/**
 * Reduces N inputs (each a number or a list of numbers, e.g. every VAV's damper position from a loop)
 * to one number. Bad, null or NaN entries are left out and make the result uncertain (`ignore`), or make it
 * bad (`propagate`); with nothing usable left the result is bad.
 */
export function aggregate(
  items: readonly NodeValue[],
  policy: "ignore" | "propagate",
  reduce: (xs: readonly number[]) => number,
  now: number,
): { value: NodeValue; count: NodeValue } {
  const numbers: number[] = [];
  let dropped: string | undefined;
  let uncertain: string | undefined;
  for (const item of items) {
    const raw: unknown[] = [];
    flatten(item.value, raw);
    for (const x of raw) {
      const n = typeof x === "boolean" ? (x ? 1 : 0) : x;
      if (item.quality === "bad" || typeof n !== "number" || !Number.isFinite(n)) {
        dropped ??= item.reason ?? "an input is not a number";
      } else {
        numbers.push(n);
        if (item.quality === "uncertain") uncertain ??= item.reason ?? "an input is uncertain";
      }
    }
  }
  if (numbers.length === 0 || (dropped && policy === "propagate")) {
    const reason = dropped ?? "no values";
    return { value: bad(reason, now), count: { value: numbers.length, quality: "good", timestamp: now } };
  }
  const reason = dropped ?? uncertain;
  const value: NodeValue =
    reason === undefined
      ? { value: reduce(numbers), quality: "good", timestamp: now }
      : { value: reduce(numbers), quality: "uncertain", timestamp: now, reason };
  return { value, count: { value: numbers.length, quality: "good", timestamp: now } };
}

export const AGGREGATE_PORTS = {
  inputs: [{ name: "inputs", type: "any", label: "Inputs", required: true, multiple: true }],
  outputs: [
    { name: "value", type: "number", label: "Value" },
    { name: "count", type: "number", label: "Count", description: "How many values were used" },
  ],
} as const;
