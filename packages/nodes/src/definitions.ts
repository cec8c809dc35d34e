/**
 * The editor's view of the node library: palette metadata, ports and config schemas, without executors.
 * The Designer imports this subpath so its forms, palette and validation come from the same definitions
 * the runtime executes.
 */

import type { z } from "zod";
import type { NodeCategory, NodeExample, PortDefinition } from "./core/types";
import { nodeRegistry } from "./registry";

export interface NodeDescriptor {
  type: string;
  version: number;
  category: NodeCategory;
  label: string;
  icon: string;
  description: string;
  inputs: readonly PortDefinition[];
  outputs: readonly PortDefinition[];
  config: z.ZodType;
  breaksCycles: boolean;
  examples: readonly NodeExample[];
}

export const NODE_CATEGORIES: readonly { id: NodeCategory; label: string }[] = [
  { id: "input", label: "Input" },
  { id: "logic", label: "Logic" },
  { id: "control", label: "Control" },
  { id: "output", label: "Output" },
  { id: "extension", label: "Extensions" },
];

export const nodeDescriptors: readonly NodeDescriptor[] = [...nodeRegistry.values()].map((d) => ({
  type: d.type,
  version: d.version,
  category: d.category,
  label: d.label,
  icon: d.icon,
  description: d.description,
  inputs: d.inputs,
  outputs: d.outputs,
  config: d.config,
  breaksCycles: d.breaksCycles === true,
  examples: d.examples ?? [],
}));

export function describeNode(type: string): NodeDescriptor | undefined {
  return nodeDescriptors.find((d) => d.type === type);
}

/**
 * The points a node commands and at which priority, as the supervisor's write arbitration reads them
 * (the node's `points()` on its parsed config; priority 16 when the config names none; a sub-flow node:
 * its inner nodes' commands, at their own priorities). Empty for a
 * config that does not parse: validation reports that separately.
 */
export function nodeWrites(node: {
  type: string;
  config: Record<string, unknown>;
}): { ref: string; priority: number }[] {
  const definition = nodeRegistry.get(node.type);
  if (!definition?.points) return [];
  const parsed = definition.config.safeParse(node.config);
  if (!parsed.success) return [];
  // A node hosting a sub-flow (a library instance, a loop) commands at its inner nodes' priorities.
  const inner = (parsed.data as { flow?: { nodes?: { type: string; config: Record<string, unknown> }[] } })
    .flow?.nodes;
  if (Array.isArray(inner)) return inner.flatMap((n) => nodeWrites(n));
  const writes = definition.points(parsed.data).writes ?? [];
  const priority = (parsed.data as { priority?: unknown }).priority;
  return writes.map((ref) => ({ ref, priority: typeof priority === "number" ? priority : 16 }));
}

/**
 * What a flow test case can set for a node: the points it reads and the runtime parameters it publishes
 * (the node's `points()` and `parameters()` on its parsed config). Empty for a config that does not parse.
 */
export function nodeTestInputs(node: { type: string; config: Record<string, unknown> }): {
  reads: string[];
  parameters: string[];
} {
  const definition = nodeRegistry.get(node.type);
  const parsed = definition?.config.safeParse(node.config);
  if (!definition || !parsed?.success) return { reads: [], parameters: [] };
  return {
    reads: [...(definition.points?.(parsed.data).reads ?? [])],
    parameters: (definition.parameters?.(parsed.data) ?? []).map((p) => p.name),
  };
}

export {
  groupCount,
  type PortGroupInfo,
  portGroupsOf,
  presentPorts,
} from "./core/port-groups";
export {
  nextTransitions,
  SCHEDULE_DAYS,
  type ScheduleConfig,
  ScheduleConfigSchema,
  type ScheduleDay,
  type ScheduleException,
  type SchedulePeriod,
  type ScheduleTransition,
  scheduleAt,
} from "./core/schedule";
export type { NodeCategory, PortDefinition, PortType } from "./core/types";
export { nodeCatalog } from "./registry";
