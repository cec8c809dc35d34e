import type { FlowConfiguration } from "@bms/schemas";
import type { CurrentConfigResponse, NodePorts } from "./api/types";

/** The deployed flows in site order: a site package's, or the one flow of a package from before sites. */
export function flowsOf(config: CurrentConfigResponse | null | undefined): FlowConfiguration[] {
  const pkg = config?.package;
  if (!pkg) return [];
  return "flows" in pkg ? pkg.flows : [pkg.configuration];
}

/** One deployed flow by id (the first when no id is given). */
export function flowOf(
  config: CurrentConfigResponse | null | undefined,
  flowId: string | null | undefined,
): FlowConfiguration | undefined {
  const flows = flowsOf(config);
  return flows.find((f) => f.metadata.flow_id === flowId) ?? (flowId ? undefined : flows[0]);
}

/** The ports each node of one flow draws (node ids repeat across flows). */
export function portsOf(config: CurrentConfigResponse, flowId: string): NodePorts | undefined {
  return config.flow_ports?.[flowId] ?? config.node_ports;
}

/** A node's name as drawn: label, alias, or id. */
export function nodeLabel(
  config: CurrentConfigResponse | null | undefined,
  flowId: string | undefined,
  nodeId: string,
): string | undefined {
  const flows = flowsOf(config).filter((f) => flowId === undefined || f.metadata.flow_id === flowId);
  const node = flows.flatMap((f) => f.nodes).find((n) => n.id === nodeId);
  return node ? (node.label ?? node.alias ?? node.id) : undefined;
}
