import { nodeWrites } from "../definitions";
import type { CompiledNode } from "./compile";

/** A point a node commands, at the priority it commands it. */
export interface NodeCommand {
  ref: string;
  priority: number;
}

/**
 * What a compiled node commands and at which priority. A node hosting a sub-flow (a library instance, a
 * loop) commands at its inner nodes' priorities, not its own (it has none): write arbitration and
 * relinquish on removal must see the priority that goes on the wire. The Designer's check uses the same
 * `nodeWrites`.
 */
export function nodeCommands(node: Pick<CompiledNode, "type" | "config">): NodeCommand[] {
  return nodeWrites({ type: node.type, config: node.config as Record<string, unknown> });
}
