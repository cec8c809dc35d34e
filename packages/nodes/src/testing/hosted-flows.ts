/**
 * Inner flows for the nodes that host one (subflow, loop), shared by their tests: the same inner nodes
 * under the input name each host hands them (`in1` for a sub-flow, `item` for a loop).
 */

/**
 * `input` → math f = a * 2 → output `output` (periodic state: the math's `last`), and `input` > 100 →
 * a latch `trip` (on-change state): what a power cut may lose, and what it must not.
 */
export function mathAndLatch(input: string, output: string) {
  return {
    nodes: [
      { id: "in", type: "subflow_input", config: { name: input } },
      { id: "f", type: "math", config: { expression: "a * 2" } },
      { id: "out", type: "subflow_output", config: { name: output } },
      { id: "high", type: "threshold", config: { operator: ">", value: 100 } },
      { id: "trip", type: "latch", config: {} },
    ],
    connections: [
      { from_node: "in", from_output: "value", to_node: "f", to_input: "a" },
      { from_node: "f", from_output: "result", to_node: "out", to_input: "value" },
      { from_node: "in", from_output: "value", to_node: "high", to_input: "value" },
      { from_node: "high", from_output: "result", to_node: "trip", to_input: "set" },
    ],
  };
}
