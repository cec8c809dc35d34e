import type { CompiledNode } from "./compile";
import { compileEmbedded, type EmbeddedFlowInput } from "./embedded-flow";

/** A point a node commands, at the priority it commands it. */
export interface NodeCommand {
  ref: string;
  priority: number;
}

/**
 * What a node commands and at which priority. A node hosting a sub-flow (a library instance, a loop)
 * commands at its inner nodes' priorities, not its own (it has none): write arbitration and relinquish
 * on removal must see the priority that goes on the wire.
 */
export function nodeCommands(node: Pick<CompiledNode, "writes" | "config">): NodeCommand[] {
  const config = node.config as { priority?: number; flow?: EmbeddedFlowInput } | null;
  if (config?.flow && typeof config.flow === "object") {
    const plan = compileEmbedded(config.flow);
    if (plan.ok) return plan.value.nodes.flatMap((inner) => nodeCommands(inner));
  }
  const priority = config?.priority ?? 16;
  return node.writes.map((ref) => ({ ref, priority }));
}
