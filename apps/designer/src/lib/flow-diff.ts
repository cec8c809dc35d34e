import type { FlowConfiguration } from "@bms/schemas";
import { canonicalJson } from "@bms/schemas";

export type NodeChange = "added" | "removed" | "changed" | "moved" | "unchanged";

export interface FlowDiff {
  /** Keyed by node id; covers the nodes of both versions. */
  nodes: Record<string, NodeChange>;
  /** What changed in a changed node: config keys, label, alias, type, version. */
  changedFields: Record<string, string[]>;
  connectionsAdded: string[];
  connectionsRemoved: string[];
  executionChanged: boolean;
}

type FlowNode = FlowConfiguration["nodes"][number];
type FlowConnection = FlowConfiguration["connections"][number];

export function connectionKey(c: FlowConnection): string {
  return `${c.from_node}.${c.from_output}->${c.to_node}.${c.to_input}`;
}

function changedFieldsOf(before: FlowNode, after: FlowNode): string[] {
  const fields: string[] = [];
  for (const key of ["type", "version", "label", "alias"] as const) {
    if (before[key] !== after[key]) fields.push(key);
  }
  const keys = new Set([...Object.keys(before.config), ...Object.keys(after.config)]);
  for (const key of keys) {
    if (canonicalJson(before.config[key]) !== canonicalJson(after.config[key])) fields.push(`config.${key}`);
  }
  if (canonicalJson(before.runtime_options) !== canonicalJson(after.runtime_options)) {
    fields.push("runtime_options");
  }
  return fields;
}

/**
 * Compares two versions of a flow by node id. A move alone is reported apart from a change: it does
 * not alter what the controller runs, and a diff full of "changed" nodes after tidying the layout
 * would hide the edits that matter.
 */
export function diffFlows(before: FlowConfiguration, after: FlowConfiguration): FlowDiff {
  const diff: FlowDiff = {
    nodes: {},
    changedFields: {},
    connectionsAdded: [],
    connectionsRemoved: [],
    executionChanged: canonicalJson(before.execution) !== canonicalJson(after.execution),
  };
  const beforeById = new Map(before.nodes.map((n) => [n.id, n]));
  const afterById = new Map(after.nodes.map((n) => [n.id, n]));
  for (const [id, node] of afterById) {
    const old = beforeById.get(id);
    if (!old) {
      diff.nodes[id] = "added";
      continue;
    }
    const fields = changedFieldsOf(old, node);
    if (fields.length > 0) {
      diff.nodes[id] = "changed";
      diff.changedFields[id] = fields;
    } else if (old.position?.x !== node.position?.x || old.position?.y !== node.position?.y) {
      diff.nodes[id] = "moved";
    } else {
      diff.nodes[id] = "unchanged";
    }
  }
  for (const id of beforeById.keys()) {
    if (!afterById.has(id)) diff.nodes[id] = "removed";
  }
  const beforeKeys = new Set(before.connections.map(connectionKey));
  const afterKeys = new Set(after.connections.map(connectionKey));
  diff.connectionsAdded = [...afterKeys].filter((k) => !beforeKeys.has(k));
  diff.connectionsRemoved = [...beforeKeys].filter((k) => !afterKeys.has(k));
  return diff;
}

/** One line for the history list: "+2 nodes, ~1 changed, 1 connection added". */
export function summarizeDiff(diff: FlowDiff): string {
  const count = (kind: NodeChange) => Object.values(diff.nodes).filter((c) => c === kind).length;
  const parts: string[] = [];
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (count("added")) parts.push(`${plural(count("added"), "node")} added`);
  if (count("removed")) parts.push(`${plural(count("removed"), "node")} removed`);
  if (count("changed")) parts.push(`${plural(count("changed"), "node")} changed`);
  if (count("moved")) parts.push(`${plural(count("moved"), "node")} moved`);
  if (diff.connectionsAdded.length) parts.push(`${plural(diff.connectionsAdded.length, "connection")} added`);
  if (diff.connectionsRemoved.length) {
    parts.push(`${plural(diff.connectionsRemoved.length, "connection")} removed`);
  }
  if (diff.executionChanged) parts.push("trigger/error handling changed");
  return parts.length > 0 ? parts.join(", ") : "no changes";
}
