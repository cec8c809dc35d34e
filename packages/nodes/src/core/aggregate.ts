import { z } from "zod";
import { portGroup } from "./port-groups";
import type { MultiInputs, NodeInputs, NodeValue, Payload, PortDefinition, PortType } from "./types";
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

/**
 * The inputs of an N-input node (AND, OR, Minimum, Maximum, Average): `in1`…`in8`, as many as
 * `input_count` says, plus the one multi-wire `inputs` port that flows saved before the count existed
 * wired everything to (kept while wired, so they load unchanged).
 */
export function numberedInputs(type: PortType) {
  const group = portGroup({
    count: "input_count",
    names: Array.from({ length: 8 }, (_, i) => `in${i + 1}`),
    min: 1,
    default: 2,
    port: (_name, i) => ({ type, label: `Input ${i + 1}`, required: true }),
    description: "How many inputs the node has",
  });
  const legacy: PortDefinition = { name: "inputs", type, label: "Inputs", multiple: true, legacy: true };
  return {
    ports: [...group.ports, legacy],
    input_count: group.field,
    /** Every connected value, legacy wires first, then in1…in8 in order. */
    collect(inputs: NodeInputs, multi: MultiInputs): NodeValue[] {
      const items = [...(multi.inputs ?? [])];
      for (const port of group.ports) {
        const value = inputs[port.name];
        if (value) items.push(value);
      }
      return items;
    },
  };
}

export const AGGREGATE_INPUTS = numberedInputs("any");

export const AGGREGATE_PORTS = {
  inputs: AGGREGATE_INPUTS.ports,
  outputs: [
    { name: "value", type: "number", label: "Value" },
    { name: "count", type: "number", label: "Count", description: "How many values were used" },
  ] satisfies PortDefinition[],
};
