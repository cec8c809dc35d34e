import type { SubflowDefinitionInput } from "@bms/schemas";

type Connection = NonNullable<SubflowDefinitionInput["flow"]["connections"]>[number];

/** `"node.port"` → `"node.port"`: the starters' wiring, read left to right like the canvas. */
export function wire(from: string, to: string): Connection {
  const [fromNode, fromOutput] = from.split(".") as [string, string];
  const [toNode, toInput] = to.split(".") as [string, string];
  return { from_node: fromNode, from_output: fromOutput, to_node: toNode, to_input: toInput };
}
