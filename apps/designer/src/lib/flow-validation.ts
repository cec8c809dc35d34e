import { nodeCatalog } from "@bms/nodes/definitions";
import {
  documentProblemTarget,
  type FlowConfiguration,
  fieldDisplayName,
  nodeDisplayName,
  parsePointRef,
} from "@bms/schemas";
import type { SiteCheck } from "./site-check";
import { validateFlowOnce } from "./validated-flow";

export interface FlowProblem {
  /** Readable path into the flow document, as the supervisor reports it. */
  path: string;
  message: string;
  /** The node to focus when the problem is clicked (a connection's target, a node's own id). */
  nodeId?: string;
  /** The flow holding that node when it is not the open one (problems across the project). */
  flowId?: string;
  kind: "schema" | "connection" | "cycle" | "point" | "conflict" | "library" | "flow";
  /** "info": worth seeing, never blocks a deploy (the same point written from two flows at different priorities). */
  severity?: "info";
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

/** Groups by the problem's code (never by its wording, which is for people). */
function kindOf(path: string, code: string | undefined): FlowProblem["kind"] {
  if (code === "cycle") return "cycle";
  if (code === "required_input" || code === "input_taken" || path.startsWith("connections["))
    return "connection";
  return "schema";
}

/**
 * Everything the shared schemas say about a flow, plus unknown points when the supervisor's point
 * list is known. The same `validateFlowConfiguration` (validated-flow.ts) runs on the supervisor, so a flow that passes
 * here is not refused there for a structural reason.
 */
export function validateFlow(
  flow: FlowConfiguration,
  knownObjects?: Readonly<Record<number, readonly string[] | null>> | null,
): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const result = validateFlowOnce(flow);
  if (!result.ok) {
    for (const p of result.errors) {
      const nodeId = nodeIdForPath(flow, p.path);
      problems.push({
        path: p.path,
        // The shared validation already names the node and port as the canvas draws them.
        message: p.message,
        kind: kindOf(p.path, p.code),
        ...(nodeId ? { nodeId } : {}),
      });
    }
  }
  if (knownObjects) {
    const sets = new Map<number, Set<string> | null>();
    for (const [device, objects] of Object.entries(knownObjects)) {
      sets.set(Number(device), objects ? new Set(objects) : null);
    }
    flow.nodes.forEach((node, i) => {
      for (const [key, value] of Object.entries(node.config)) {
        if (typeof value !== "string" || !/(^|_)point$/.test(key)) continue;
        const parsed = parsePointRef(value);
        if (!parsed.ok || parsed.ref.protocol !== "bacnet") continue;
        const { device, objectType, instance } = parsed.ref;
        let message: string | undefined;
        if (!sets.has(device)) {
          message = `device ${device} has not been discovered by the supervisor`;
        } else {
          const objects = sets.get(device);
          if (objects && !objects.has(`${device}/${objectType}:${instance}`)) {
            message = `device ${device} has no ${objectType}:${instance}`;
          }
        }
        if (message) {
          problems.push({
            path: `nodes[${i}].config.${key}`,
            message: `${nodeDisplayName(node, catalog(node.type))}: ${fieldDisplayName(key)}: ${message}`,
            nodeId: node.id,
            kind: "point",
          });
        }
      }
    });
  }
  return problems;
}

/** Problems that come from the library expansion (a binding or parameter of an instance), by code. */
const LIBRARY_CODES = new Set(["unbound_point", "bad_parameter", "unknown_subflow", "unknown_point"]);

/**
 * The project-wide side of the Problems panel: write conflicts across flows (naming both nodes and
 * flows), library instance problems, every other flow's problems (named by flow, a click opens it),
 * and, as information, points written from several flows at different priorities. The open flow's own
 * problems come from `validateFlow` on its expanded configuration, so they are not repeated here.
 */
export function projectProblems(check: SiteCheck, activeFlowId: string): FlowProblem[] {
  const out: FlowProblem[] = [];
  for (const p of check.problems) {
    const target = documentProblemTarget(p.path);
    const flow = target ? check.flows[target.flow] : undefined;
    if (!flow) continue;
    const flowId = flow.metadata.flow_id;
    const nodeId = target?.node !== undefined ? flow.nodes[target.node]?.id : undefined;
    const active = flowId === activeFlowId;
    const conflict = p.code === "write_conflict";
    const library = (p.code !== undefined && LIBRARY_CODES.has(p.code)) || p.path.includes(".config.library");
    if (active && !conflict && !library) continue;
    out.push({
      path: p.path,
      message: active || conflict ? p.message : `Flow "${flow.metadata.flow_name}": ${p.message}`,
      kind: conflict ? "conflict" : library ? "library" : "flow",
      ...(nodeId ? { nodeId } : {}),
      ...(active ? {} : { flowId }),
    });
  }
  for (const shared of check.shared) {
    out.push({
      path: shared.ref,
      message: `${shared.ref} is commanded by ${shared.writers
        .map((w) => `"${w.nodeLabel}" in flow "${w.flowName}" at priority ${w.priority}`)
        .join(" and ")}: the priority array decides which wins`,
      kind: "conflict",
      severity: "info",
    });
  }
  return out;
}
