import type { FlowConfiguration } from "@bms/schemas";
import { connectionKey, diffFlows, type FlowDiff, type NodeChange, summarizeDiff } from "../lib/flow-diff";
import { type BmsEdge, type BmsNode, graphFromConfiguration } from "./flow-graph";

/** A read-only view of two versions laid over each other on the canvas. */
export interface Comparison {
  fromLabel: string;
  toLabel: string;
  nodes: BmsNode[];
  edges: BmsEdge[];
  highlight: Record<string, NodeChange>;
  diff: FlowDiff;
  summary: string;
}

const EDGE_ADDED = { stroke: "#059669", strokeWidth: 3 };
const EDGE_REMOVED = { stroke: "#dc2626", strokeWidth: 3, strokeDasharray: "6 4" };

/**
 * The newer version's graph, plus the nodes and connections the older one had and the newer lost
 * (drawn as ghosts where they were), so "removed" is seen where it happened, not only in a list.
 */
export function buildComparison(
  from: FlowConfiguration,
  to: FlowConfiguration,
  fromLabel: string,
  toLabel: string,
): Comparison {
  const diff = diffFlows(from, to);
  const newer = graphFromConfiguration(to);
  const older = graphFromConfiguration(from);
  const lock = { draggable: false, connectable: false, deletable: false, selectable: true } as const;
  const removedNodes = older.nodes.filter((n) => diff.nodes[n.id] === "removed");
  const nodes = [...newer.nodes, ...removedNodes].map((n) => ({ ...n, ...lock }));
  const added = new Set(diff.connectionsAdded);
  const removed = new Set(diff.connectionsRemoved);
  const keyOf = (e: BmsEdge) =>
    connectionKey({
      from_node: e.source,
      from_output: e.sourceHandle ?? "",
      to_node: e.target,
      to_input: e.targetHandle ?? "",
    });
  const edges: BmsEdge[] = [
    ...newer.edges.map((e) => (added.has(keyOf(e)) ? { ...e, style: EDGE_ADDED, animated: true } : e)),
    ...older.edges
      .filter((e) => removed.has(keyOf(e)))
      .map((e) => ({ ...e, id: `removed:${e.id}`, style: EDGE_REMOVED })),
  ].map((e) => ({ ...e, deletable: false, selectable: false }));
  const highlight: Record<string, NodeChange> = {};
  for (const [id, change] of Object.entries(diff.nodes)) if (change !== "unchanged") highlight[id] = change;
  return { fromLabel, toLabel, nodes, edges, highlight, diff, summary: summarizeDiff(diff) };
}
