import type { SubflowDefinitionInput } from "@bms/schemas";

type Connection = NonNullable<SubflowDefinitionInput["flow"]["connections"]>[number];
type FlowNode = SubflowDefinitionInput["flow"]["nodes"][number];

/** `"node.port"` → `"node.port"`: the starters' wiring, read left to right like the canvas. */
export function wire(from: string, to: string): Connection {
  const [fromNode, fromOutput] = from.split(".") as [string, string];
  const [toNode, toInput] = to.split(".") as [string, string];
  return { from_node: fromNode, from_output: fromOutput, to_node: toNode, to_input: toInput };
}

/*
 * The nodes every starter is made of, each bound to the subflow's own points and parameters by key
 * (`{{point:key}}`, `{{param:key}}`), so a starter reads as what it does rather than as node literals.
 */

/** Reads the subflow's point `point`; `fallback` is the value used while the point cannot be read. */
export function readPoint(id: string, label: string, point: string, fallback?: boolean): FlowNode {
  const config =
    fallback === undefined ? { point: `{{point:${point}}}` } : { point: `{{point:${point}}}`, fallback };
  return { id, type: "sensor_read", label, config };
}

/** Commands the subflow's point `point` at the subflow's `priority` parameter. */
export function writePoint(id: string, label: string, point: string): FlowNode {
  return {
    id,
    type: "actuator_write",
    label,
    config: { point: `{{point:${point}}}`, priority: "{{param:priority}}" },
  };
}

/** The subflow's parameter `param` as a value other nodes wire from. */
export function paramValue(id: string, label: string, param: string): FlowNode {
  return { id, type: "constant", label, config: { value: `{{param:${param}}}` } };
}

/** The subflow's output `name` (out1, out2, …). */
export function output(id: string, label: string, name: string): FlowNode {
  return { id, type: "subflow_output", label, config: { name } };
}

/** One node (or wire) a unit of a pair, made once for unit 1 and unit 2: the pair's halves cannot drift. */
export function pair<T>(make: (unit: 1 | 2) => T): [T, T] {
  return [make(1), make(2)];
}
