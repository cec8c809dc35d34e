import type { Connection, NodeConfiguration } from "@bms/schemas";
import { describeNode } from "./node-catalog";

/**
 * "Make sub-flow from selection" as a pure function of the flow: the selected nodes move into a
 * `subflow` node's embedded flow, and every wire that crossed the selection's boundary is kept, through
 * a `subflow_input` (wires coming in) or a `subflow_output` (wires going out) inside and the matching
 * port outside. One outside source feeding several nodes inside is one input; one inside output
 * feeding several nodes outside is one output. The sub-flow node's ports are typed `any`, so every wire
 * that was legal stays legal.
 */

/** The subflow node's port groups (packages/nodes extension/subflow.ts). */
export const SUBFLOW_PORTS = 8;

export interface Extraction {
  nodes: NodeConfiguration[];
  connections: Connection[];
  /** The new sub-flow node's id. */
  subflowId: string;
  /** Things the user should know (aliases that now only resolve inside). */
  notes: string[];
}

export type ExtractionResult = { ok: true; value: Extraction } | { ok: false; message: string };

function key(node: string, port: string): string {
  return `${node}\u0000${port}`;
}

/** "Zone temp: Value", as the canvas names a port; cut to the 40 characters a port label may have. */
function portLabel(node: NodeConfiguration, port: string, side: "inputs" | "outputs"): string {
  const descriptor = describeNode(node.type);
  const nodeName = node.label || node.alias || descriptor?.label || node.id;
  const portName = descriptor?.[side].find((p) => p.name === port)?.label ?? port;
  const label = descriptor && descriptor[side].length === 1 ? nodeName : `${nodeName}: ${portName}`;
  return label.length > 40 ? `${label.slice(0, 39)}…` : label;
}

function freeId(base: string, taken: Set<string>): string {
  let n = 1;
  while (taken.has(`${base}_${n}`)) n++;
  const id = `${base}_${n}`;
  taken.add(id);
  return id;
}

export function extractSubflow(
  flow: { nodes: readonly NodeConfiguration[]; connections: readonly Connection[] },
  selected: ReadonlySet<string>,
  name = "Sub-flow",
): ExtractionResult {
  const inside = flow.nodes.filter((n) => selected.has(n.id));
  if (inside.length === 0) return { ok: false, message: "Select the nodes to put in the sub-flow first." };
  const boundary = inside.find((n) => n.type === "subflow_input" || n.type === "subflow_output");
  if (boundary) {
    return { ok: false, message: `${boundary.id} is a sub-flow port; it cannot move into another sub-flow.` };
  }

  const incoming = flow.connections.filter((c) => !selected.has(c.from_node) && selected.has(c.to_node));
  const outgoing = flow.connections.filter((c) => selected.has(c.from_node) && !selected.has(c.to_node));
  const internal = flow.connections.filter((c) => selected.has(c.from_node) && selected.has(c.to_node));

  const inputs = [...new Set(incoming.map((c) => key(c.from_node, c.from_output)))];
  const outputs = [...new Set(outgoing.map((c) => key(c.from_node, c.from_output)))];
  if (inputs.length > SUBFLOW_PORTS || outputs.length > SUBFLOW_PORTS) {
    return {
      ok: false,
      message: `A sub-flow has at most ${SUBFLOW_PORTS} inputs and ${SUBFLOW_PORTS} outputs; this selection needs ${inputs.length} and ${outputs.length}.`,
    };
  }

  // Outside → sub-flow → outside again would make the new node feed itself.
  const after = new Map<string, string[]>();
  for (const c of flow.connections) {
    if (selected.has(c.from_node) || selected.has(c.to_node)) continue;
    if (describeNode(flow.nodes.find((n) => n.id === c.to_node)?.type ?? "")?.breaksCycles) continue;
    after.set(c.from_node, [...(after.get(c.from_node) ?? []), c.to_node]);
  }
  const feeding = new Set(incoming.map((c) => c.from_node));
  const seen = new Set<string>();
  const queue = outgoing
    .filter((c) => !describeNode(flow.nodes.find((n) => n.id === c.to_node)?.type ?? "")?.breaksCycles)
    .map((c) => c.to_node);
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    if (feeding.has(id)) {
      return {
        ok: false,
        message: `The selection's outputs come back into it through ${id}: add that node to the selection, or close the loop through a delay or feedback node.`,
      };
    }
    queue.push(...(after.get(id) ?? []));
  }

  const byId = new Map(flow.nodes.map((n) => [n.id, n]));
  const innerIds = new Set(inside.map((n) => n.id));
  const labels: Record<string, string> = {};
  const innerNodes: NodeConfiguration[] = [];
  const innerConnections: Connection[] = internal.map((c) => ({ ...c }));

  const xs = inside.map((n) => n.position?.x ?? 0);
  const ys = inside.map((n) => n.position?.y ?? 0);
  const minX = Math.min(...xs);
  const minY = Math.min(...ys);
  const maxX = Math.max(...xs);
  // Inside, the moved nodes keep their layout, with the ports in columns on each side.
  for (const n of inside) {
    innerNodes.push({
      ...n,
      position: { x: (n.position?.x ?? 0) - minX + 320, y: (n.position?.y ?? 0) - minY + 40 },
    });
  }

  const outerConnections: Connection[] = flow.connections.filter(
    (c) => !selected.has(c.from_node) && !selected.has(c.to_node),
  );
  const outerTaken = new Set(flow.nodes.filter((n) => !selected.has(n.id)).map((n) => n.id));
  const subflowId = freeId("subflow", outerTaken);

  inputs.forEach((source, i) => {
    const port = `in${i + 1}`;
    const [fromNode, fromOutput] = source.split("\u0000") as [string, string];
    const id = freeId("input", innerIds);
    innerNodes.push({
      id,
      type: "subflow_input",
      version: 1,
      config: { name: port },
      runtime_options: {},
      position: { x: 0, y: 40 + i * 110 },
    });
    for (const c of incoming.filter((c) => key(c.from_node, c.from_output) === source)) {
      innerConnections.push({
        from_node: id,
        from_output: "value",
        to_node: c.to_node,
        to_input: c.to_input,
      });
    }
    outerConnections.push({
      from_node: fromNode,
      from_output: fromOutput,
      to_node: subflowId,
      to_input: port,
    });
    labels[port] = portLabel(byId.get(fromNode)!, fromOutput, "outputs");
  });

  outputs.forEach((source, i) => {
    const port = `out${i + 1}`;
    const [fromNode, fromOutput] = source.split("\u0000") as [string, string];
    const id = freeId("output", innerIds);
    innerNodes.push({
      id,
      type: "subflow_output",
      version: 1,
      config: { name: port },
      runtime_options: {},
      position: { x: maxX - minX + 640, y: 40 + i * 110 },
    });
    innerConnections.push({ from_node: fromNode, from_output: fromOutput, to_node: id, to_input: "value" });
    for (const c of outgoing.filter((c) => key(c.from_node, c.from_output) === source)) {
      outerConnections.push({
        from_node: subflowId,
        from_output: port,
        to_node: c.to_node,
        to_input: c.to_input,
      });
    }
    labels[port] = portLabel(byId.get(fromNode)!, fromOutput, "outputs");
  });

  const subflowNode: NodeConfiguration = {
    id: subflowId,
    type: "subflow",
    version: describeNode("subflow")?.version ?? 1,
    label: name,
    position: {
      x: Math.round(xs.reduce((a, b) => a + b, 0) / xs.length),
      y: Math.round(ys.reduce((a, b) => a + b, 0) / ys.length),
    },
    config: {
      name,
      input_count: inputs.length,
      output_count: outputs.length,
      labels,
      flow: { nodes: innerNodes, connections: innerConnections },
    },
    runtime_options: {},
  };

  const notes = inside
    .filter((n) => n.alias)
    .map((n) => `Alias ${n.alias} (${n.id}) now only resolves inside the sub-flow.`);
  return {
    ok: true,
    value: {
      nodes: [...flow.nodes.filter((n) => !selected.has(n.id)), subflowNode],
      connections: outerConnections,
      subflowId,
      notes,
    },
  };
}
