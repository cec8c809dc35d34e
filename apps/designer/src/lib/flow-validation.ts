import { nodeCatalog } from "@bms/nodes/definitions";
import { type FlowConfiguration, parsePointRef, validateFlowConfiguration } from "@bms/schemas";

export interface FlowProblem {
  /** Readable path into the flow document, as the supervisor reports it. */
  path: string;
  message: string;
  /** The node to focus when the problem is clicked (a connection's target, a node's own id). */
  nodeId?: string;
  kind: "schema" | "connection" | "cycle" | "point";
}

const catalog = nodeCatalog();

/** Maps `nodes[3].config.point` or `connections[1].to_input` to the node the user should look at. */
export function nodeIdForPath(flow: FlowConfiguration, path: string): string | undefined {
  const node = /^(?:configuration\.)?nodes\[(\d+)\]/.exec(path);
  if (node) return flow.nodes[Number(node[1])]?.id;
  const connection =
    /^(?:configuration\.)?connections\[(\d+)\](?:\.(from_node|from_output|to_node|to_input))?/.exec(path);
  if (connection) {
    const c = flow.connections[Number(connection[1])];
    if (!c) return undefined;
    return connection[2] === "from_node" || connection[2] === "from_output" ? c.from_node : c.to_node;
  }
  return undefined;
}

function kindOf(path: string, message: string): FlowProblem["kind"] {
  if (message.startsWith("cycle ")) return "cycle";
  if (/connections\[|required input/.test(`${path} ${message}`)) return "connection";
  return "schema";
}

/**
 * Everything the shared schemas say about a flow, plus unknown points when the supervisor's point
 * list is known. The same `validateFlowConfiguration` runs on the supervisor, so a flow that passes
 * here is not refused there for a structural reason.
 */
export function validateFlow(flow: FlowConfiguration, knownPoints?: ReadonlySet<string>): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const result = validateFlowConfiguration(flow, catalog);
  if (!result.ok) {
    for (const p of result.errors) {
      const nodeId = nodeIdForPath(flow, p.path);
      problems.push({ ...p, kind: kindOf(p.path, p.message), ...(nodeId ? { nodeId } : {}) });
    }
  }
  if (knownPoints && knownPoints.size > 0) {
    flow.nodes.forEach((node, i) => {
      for (const [key, value] of Object.entries(node.config)) {
        if (typeof value !== "string" || !/(^|_)point$/.test(key)) continue;
        const parsed = parsePointRef(value);
        if (!parsed.ok || parsed.ref.protocol !== "bacnet") continue;
        const objectKey = `${parsed.ref.device}/${parsed.ref.objectType}:${parsed.ref.instance}`;
        if (!knownPoints.has(objectKey)) {
          problems.push({
            path: `nodes[${i}].config.${key}`,
            message: `point ${value} is not among the objects discovered on the supervisor`,
            nodeId: node.id,
            kind: "point",
          });
        }
      }
    });
  }
  return problems;
}
