import { describeNode } from "@bms/nodes/definitions";
import { nodeDisplayName, type ProjectDocument } from "@bms/schemas";

export interface FlowSearchHit {
  flowId: string;
  flowName: string;
  nodeId: string;
  /** As the canvas draws the node. */
  nodeLabel: string;
  /** What matched: label, type, alias, point (a config field naming a point) or id. */
  field: "label" | "type" | "alias" | "point" | "id";
  text: string;
}

/** Config values that name a point: the `point` field and its `*_point` siblings, and library bindings. */
function pointsOf(config: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === "string" && /(^|_)point$/.test(key)) out.push(value);
  }
  const bound = (config.library as { points?: Record<string, unknown> } | undefined)?.points;
  if (bound && typeof bound === "object")
    for (const v of Object.values(bound)) if (typeof v === "string") out.push(v);
  return out;
}

/**
 * Nodes of every flow whose label, type (name or palette label), alias, point or id contains the query
 * (case-insensitive), in tab order (the order the user sees). One hit per node, naming the most
 * telling field that matched.
 */
export function searchFlows(doc: ProjectDocument, query: string, limit = 50): FlowSearchHit[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const hits: FlowSearchHit[] = [];
  for (const { configuration: flow } of doc.flows) {
    for (const node of flow.nodes) {
      const info = describeNode(node.type);
      const candidates: [FlowSearchHit["field"], string][] = [
        ["label", node.label ?? ""],
        ["alias", node.alias ?? ""],
        ...pointsOf(node.config).map((p): [FlowSearchHit["field"], string] => ["point", p]),
        ["type", `${info?.label ?? ""} ${node.type}`.trim()],
        ["id", node.id],
      ];
      const match = candidates.find(([, text]) => text.toLowerCase().includes(q));
      if (!match) continue;
      hits.push({
        flowId: flow.metadata.flow_id,
        flowName: flow.metadata.flow_name,
        nodeId: node.id,
        nodeLabel: nodeDisplayName(node, info),
        field: match[0],
        text: match[1],
      });
      if (hits.length >= limit) return hits;
    }
  }
  return hits;
}
