/**
 * Which node state is saved, and which change of it must reach the disk at the end of the scan (see
 * `NodeDefinition.statePersistence`). One place for both hosts: the supervisor's flow engine saves a flow's
 * nodes by it, and a sub-flow (subflow, loop) saves its inner nodes by it, so a PID inside a sub-flow is
 * periodic and a latch inside it on-change, exactly as they are outside.
 */
import type { NodeDefinition, NodeValue, StatePersistence } from "../core/types";
import type { CompiledNode, FlowPlan } from "./compile";
import type { SavedNodeState } from "./flow-runtime";

export interface StatePlan {
  /**
   * Plan indices of the nodes whose state is saved: those with state (initialState) and loop sources.
   * A stateless node has nothing to save, and serialising 2,000 sensor reads' `{}` every scan was a
   * visible share of a 2,000-point scan cycle.
   */
  persisted: number[];
  /** The part of `persisted` whose change is saved at the end of the scan that made it (the rest: periodically). */
  onChange: number[];
  /** Nodes whose outputs a cycle-breaking node reads next scan: last scan's outputs are their loop's state. */
  loopSources: Set<string>;
}

const plans = new WeakMap<FlowPlan, StatePlan>();

/** The plan's state classification, computed once per compiled plan. */
export function statePlanOf(plan: FlowPlan): StatePlan {
  let found = plans.get(plan);
  if (found) return found;
  const loopSources = new Set(
    plan.nodes
      .filter((n) => n.delayed)
      .flatMap((n) => n.inputs.flatMap((i) => i.sources.map((src) => plan.nodes[src.node]!.id))),
  );
  const persisted = plan.nodes.filter(
    (n) => n.definition.initialState !== undefined || loopSources.has(n.id),
  );
  found = {
    persisted: persisted.map((n) => n.index),
    onChange: persisted
      .filter((n) => persistenceOf(n.definition, loopSources.has(n.id)) === "on_change")
      .map((n) => n.index),
    loopSources,
  };
  plans.set(plan, found);
  return found;
}

/**
 * A node's persistence class. A loop source's outputs are loop state too: a node without its own class is
 * periodic there (a filter fed back), except when every output is boolean: gates that feed themselves
 * through a feedback are a seal-in, which is a latch.
 */
export function persistenceOf(definition: NodeDefinition, loopSource: boolean): StatePersistence {
  if (definition.initialState !== undefined) return definition.statePersistence ?? "on_change";
  if (!loopSource) return "periodic";
  const sealIn = definition.outputs.length > 0 && definition.outputs.every((o) => o.type === "boolean");
  return definition.statePersistence ?? (sealIn ? "on_change" : "periodic");
}

/**
 * What is compared to tell whether a node's saved state changed: its state alone (outputs and run times
 * change every scan; integrals, timers and latches only when it matters), with the outputs' values for a
 * loop source (last scan's output *is* the loop's state).
 */
export function wholeState(saved: SavedNodeState, loopSource: boolean): unknown {
  return loopSource ? [saved.state, outputValues(saved.outputs)] : saved.state;
}

/**
 * The same for an on-change node, narrowed to the part whose change must reach the disk at the end of the
 * scan (`NodeDefinition.onChangeState`: a totalizer's start count but not its total, the latches inside a
 * sub-flow but not its PID). A node that does not narrow it compares its whole state.
 */
export function onChangeState(node: CompiledNode, saved: SavedNodeState, loopSource: boolean): unknown {
  const narrow = node.definition.onChangeState;
  if (!narrow) return wholeState(saved, loopSource);
  const part = narrow(saved.state, node.config);
  return loopSource ? [part, outputValues(saved.outputs)] : part;
}

function outputValues(outputs: Record<string, NodeValue> | null): unknown {
  if (!outputs) return null;
  return Object.entries(outputs).map(([port, v]) => [port, v.value, v.quality]);
}
