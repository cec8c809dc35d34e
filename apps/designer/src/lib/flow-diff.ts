import type { FlowConfiguration, ProjectDocument } from "@bms/schemas";
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

/**
 * What changed between two project documents, flow by flow (matched by flow id) and in the library.
 * Editing a library definition changes every flow holding an instance of it; those instances are named,
 * since that is where the edit takes effect.
 */
export interface DocumentDiff {
  flows: {
    flowId: string;
    name: string;
    change: "added" | "removed" | "changed" | "renamed" | "unchanged";
    diff: FlowDiff | null;
  }[];
  library: { id: string; name: string; change: "added" | "removed" | "changed" }[];
  /** The tabs that both versions hold stand in another order. */
  reordered: boolean;
  /** Instances whose definition changed: `flow name / node label`. */
  instancesChanged: {
    flowId: string;
    flowName: string;
    nodeId: string;
    nodeLabel: string;
    definitionId: string;
  }[];
}

export function diffDocuments(before: ProjectDocument, after: ProjectDocument): DocumentDiff {
  const beforeFlows = new Map(before.flows.map((f) => [f.configuration.metadata.flow_id, f.configuration]));
  const afterIds = new Set(after.flows.map((f) => f.configuration.metadata.flow_id));
  const flows: DocumentDiff["flows"] = [];
  for (const { configuration: flow } of after.flows) {
    const old = beforeFlows.get(flow.metadata.flow_id);
    const name = flow.metadata.flow_name;
    if (!old) {
      flows.push({ flowId: flow.metadata.flow_id, name, change: "added", diff: null });
      continue;
    }
    const diff = diffFlows(old, flow);
    const changed = summarizeDiff(diff) !== "no changes";
    const renamed = old.metadata.flow_name !== name;
    flows.push({
      flowId: flow.metadata.flow_id,
      name,
      change: changed ? "changed" : renamed ? "renamed" : "unchanged",
      diff,
    });
  }
  for (const { configuration: flow } of before.flows) {
    if (!afterIds.has(flow.metadata.flow_id))
      flows.push({
        flowId: flow.metadata.flow_id,
        name: flow.metadata.flow_name,
        change: "removed",
        diff: null,
      });
  }
  const beforeDefs = new Map(before.library.map((d) => [d.id, d]));
  const afterDefs = new Set(after.library.map((d) => d.id));
  const library: DocumentDiff["library"] = [];
  for (const def of after.library) {
    const old = beforeDefs.get(def.id);
    if (!old) library.push({ id: def.id, name: def.name, change: "added" });
    else if (canonicalJson({ ...old, version: 0 }) !== canonicalJson({ ...def, version: 0 }))
      library.push({ id: def.id, name: def.name, change: "changed" });
  }
  for (const def of before.library)
    if (!afterDefs.has(def.id)) library.push({ id: def.id, name: def.name, change: "removed" });
  const changedDefs = new Set(library.filter((l) => l.change === "changed").map((l) => l.id));
  const instancesChanged: DocumentDiff["instancesChanged"] = [];
  for (const { configuration: flow } of after.flows) {
    for (const node of flow.nodes) {
      const lib = node.config.library as { id?: unknown } | undefined;
      if (node.type === "subflow" && typeof lib?.id === "string" && changedDefs.has(lib.id))
        instancesChanged.push({
          flowId: flow.metadata.flow_id,
          flowName: flow.metadata.flow_name,
          nodeId: node.id,
          nodeLabel: node.label ?? node.id,
          definitionId: lib.id,
        });
    }
  }
  const kept = (doc: ProjectDocument, other: Set<string>) =>
    doc.flows.map((f) => f.configuration.metadata.flow_id).filter((id) => other.has(id));
  const reordered = kept(before, afterIds).join() !== kept(after, new Set(beforeFlows.keys())).join();
  return { flows, library, reordered, instancesChanged };
}

/**
 * One line for the history list. A project of one flow reads as before ("1 node added"); with several,
 * each changed flow is named ("AHU-1: 1 node changed; VAV loops added").
 */
export function summarizeDocumentDiff(diff: DocumentDiff): string {
  const parts: string[] = [];
  const single = diff.flows.length === 1 && diff.flows[0]!.change !== "added";
  for (const f of diff.flows) {
    if (f.change === "added") parts.push(`flow "${f.name}" added`);
    else if (f.change === "removed") parts.push(`flow "${f.name}" removed`);
    else if (f.diff && f.change === "changed")
      parts.push(single ? summarizeDiff(f.diff) : `${f.name}: ${summarizeDiff(f.diff)}`);
    else if (f.change === "renamed") parts.push(`flow renamed to "${f.name}"`);
  }
  if (diff.reordered) parts.push("flows reordered");
  for (const l of diff.library) parts.push(`library "${l.name}" ${l.change}`);
  if (diff.instancesChanged.length > 0)
    parts.push(
      `${diff.instancesChanged.length} instance${diff.instancesChanged.length === 1 ? "" : "s"} updated`,
    );
  return parts.length > 0 ? parts.join("; ") : "no changes";
}
