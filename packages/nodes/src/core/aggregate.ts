import { z } from "zod";
import { portGroup } from "./port-groups";
import {
  defineNode,
  type MultiInputs,
  type NodeInputs,
  type NodeValue,
  type Payload,
  type PortDefinition,
  type PortType,
} from "./types";
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

/**
 * Minimum, Maximum and Average are one node told apart by what they reduce their inputs to: one
 * definition of their ports, config and bad-input handling, each keeping its own type, label and example.
 */
export function defineAggregateNode(spec: {
  type: string;
  label: string;
  icon: string;
  /** What the node outputs, for the description: "the mean", "the highest". */
  result: string;
  reduce: (xs: readonly number[]) => number;
  example: string;
}) {
  return defineNode({
    type: spec.type,
    version: 1,
    category: "logic",
    label: spec.label,
    icon: spec.icon,
    description:
      `Outputs ${spec.result} of its inputs: connect one value to each of in1…in8 (\`input_count\` sets how many), each a number or a list of ` +
      "numbers (a loop's results), and `count` says how many values were used. Bad, null or NaN values are " +
      "left out and make the result uncertain (on_bad_input 'ignore', the default), or make it bad " +
      "('propagate'). With no usable value the result is bad.",
    inputs: AGGREGATE_PORTS.inputs,
    outputs: AGGREGATE_PORTS.outputs,
    config: z.object({ input_count: AGGREGATE_INPUTS.input_count, on_bad_input: AggregateBadInputSchema }),
    execute(inputs, config, _state, ctx, multi) {
      return aggregate(AGGREGATE_INPUTS.collect(inputs, multi), config.on_bad_input, spec.reduce, ctx.now);
    },
    examples: [
      {
        title: spec.example,
        config: {},
        explanation: "Wire each value to its own input; + input adds one (up to 8).",
      },
    ],
  });
}
