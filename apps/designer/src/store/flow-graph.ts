import type { FlowConfiguration, NodeConfiguration } from "@bms/schemas";
import type { Edge, Node } from "@xyflow/react";

/** What a canvas node carries: exactly a FlowConfiguration node minus id and position. */
export type BmsNodeData = {
  type: string;
  version: number;
  label?: string;
  alias?: string;
  config: Record<string, unknown>;
  runtime_options: NodeConfiguration["runtime_options"];
};
export type BmsNode = Node<BmsNodeData, "bms">;
export type BmsEdge = Edge;

/** A sticky note on the canvas: kept in flow_data, never sent to a supervisor. */
export type CommentNode = Node<{ text: string }, "comment">;

export function commentsFromFlowData(
  comments: readonly {
    id: string;
    text: string;
    position: { x: number; y: number };
    width: number;
    height: number;
  }[],
): CommentNode[] {
  return comments.map((c) => ({
    id: c.id,
    type: "comment",
    position: c.position,
    width: c.width,
    height: c.height,
    zIndex: -1,
    data: { text: c.text },
  }));
}

export function flowDataComments(comments: readonly CommentNode[]) {
  return comments.map((c) => ({
    id: c.id,
    text: c.data.text,
    position: { x: Math.round(c.position.x), y: Math.round(c.position.y) },
    width: Math.round(c.width ?? c.measured?.width ?? 240),
    height: Math.round(c.height ?? c.measured?.height ?? 120),
  }));
}

export function edgeId(c: {
  from_node: string;
  from_output: string;
  to_node: string;
  to_input: string;
}): string {
  return `${c.from_node}.${c.from_output}->${c.to_node}.${c.to_input}`;
}

export function graphFromConfiguration(flow: FlowConfiguration): { nodes: BmsNode[]; edges: BmsEdge[] } {
  const nodes: BmsNode[] = flow.nodes.map((n, i) => ({
    id: n.id,
    type: "bms",
    position: n.position ?? { x: 80 + (i % 5) * 280, y: 80 + Math.floor(i / 5) * 180 },
    data: {
      type: n.type,
      version: n.version,
      ...(n.label !== undefined ? { label: n.label } : {}),
      ...(n.alias !== undefined ? { alias: n.alias } : {}),
      config: n.config,
      runtime_options: n.runtime_options,
    },
  }));
  const edges: BmsEdge[] = flow.connections.map((c) => ({
    id: edgeId(c),
    source: c.from_node,
    sourceHandle: c.from_output,
    target: c.to_node,
    targetHandle: c.to_input,
  }));
  return { nodes, edges };
}

export function configurationFromGraph(
  base: Pick<FlowConfiguration, "metadata" | "execution">,
  nodes: readonly BmsNode[],
  edges: readonly BmsEdge[],
): FlowConfiguration {
  return {
    metadata: base.metadata,
    execution: base.execution,
    nodes: nodes.map((n) => ({
      id: n.id,
      type: n.data.type,
      version: n.data.version,
      ...(n.data.alias ? { alias: n.data.alias } : {}),
      ...(n.data.label ? { label: n.data.label } : {}),
      position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
      config: n.data.config,
      runtime_options: n.data.runtime_options,
    })),
    connections: edges.map((e) => ({
      from_node: e.source,
      from_output: e.sourceHandle ?? "",
      to_node: e.target,
      to_input: e.targetHandle ?? "",
    })),
  };
}

/** Readable, unique ids (`threshold_2`): they appear in validation messages and supervisor logs. */
export function nextNodeId(type: string, taken: ReadonlySet<string>): string {
  const base = type.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 56) || "node";
  for (let i = 1; ; i++) {
    const id = `${base}_${i}`;
    if (!taken.has(id)) return id;
  }
}
