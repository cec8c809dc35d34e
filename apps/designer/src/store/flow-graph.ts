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

/** A labelled frame that moves its member nodes with it: kept in flow_data, never sent to a supervisor. */
export type GroupNode = Node<{ label: string; members: string[] }, "group">;

/** Frames sit behind comments and nodes, so a member stays clickable inside its frame. */
export const GROUP_Z_INDEX = -2;
/** Room around the members, and for the frame's title bar above them. */
export const GROUP_PADDING = 24;
export const GROUP_HEADER = 32;

export function groupsFromFlowData(
  groups: readonly {
    id: string;
    label: string;
    position: { x: number; y: number };
    width: number;
    height: number;
    members: string[];
  }[],
): GroupNode[] {
  return groups.map((g) => ({
    id: g.id,
    type: "group",
    position: g.position,
    width: g.width,
    height: g.height,
    zIndex: GROUP_Z_INDEX,
    data: { label: g.label, members: [...g.members] },
  }));
}

/** Members that no longer exist (deleted nodes) are dropped, so flow_data never names a ghost. */
export function flowDataGroups(groups: readonly GroupNode[], nodeIds: ReadonlySet<string>) {
  return groups.map((g) => ({
    id: g.id,
    label: g.data.label,
    position: { x: Math.round(g.position.x), y: Math.round(g.position.y) },
    width: Math.round(g.width ?? g.measured?.width ?? 300),
    height: Math.round(g.height ?? g.measured?.height ?? 200),
    members: g.data.members.filter((m) => nodeIds.has(m)),
  }));
}

/** The frame around some nodes: their bounding box plus padding and a title bar. */
export function groupFrame(nodes: readonly BmsNode[]): {
  position: { x: number; y: number };
  width: number;
  height: number;
} {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const n of nodes) {
    const w = n.measured?.width ?? n.width ?? 220;
    const h = n.measured?.height ?? n.height ?? 100;
    minX = Math.min(minX, n.position.x);
    minY = Math.min(minY, n.position.y);
    maxX = Math.max(maxX, n.position.x + w);
    maxY = Math.max(maxY, n.position.y + h);
  }
  return {
    position: { x: Math.round(minX - GROUP_PADDING), y: Math.round(minY - GROUP_PADDING - GROUP_HEADER) },
    width: Math.round(maxX - minX + 2 * GROUP_PADDING),
    height: Math.round(maxY - minY + 2 * GROUP_PADDING + GROUP_HEADER),
  };
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
