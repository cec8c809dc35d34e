/**
 * Sub-flows embedded in a node's config (`loop` runs one per list item, `subflow` one per instance).
 *
 * A sub-flow is `{ nodes, connections }` in the same format as a flow. Values come in through
 * `subflow_input` nodes (by name) and leave through `subflow_output` nodes (by name). It is compiled once
 * per config with the real compiler and run with the real FlowRuntime at the host's scan time, so every
 * node behaves inside exactly as it does outside. Its writes, alerts and records are forwarded through the
 * host's context; its state is saved in the host node's state, so it survives restarts too.
 */
import {
  ConnectionSchema,
  type FlowConfigurationInput,
  NodeConfigurationSchema,
  type Validated,
} from "@bms/schemas";
import { z } from "zod";
import type { NodeContext, NodeValue } from "../core/types";
import { defaultRegistry } from "./catalog";
import { compileFlow, type FlowPlan } from "./compile";
import { FlowRuntime, prepareFlow, type SavedNodeState, type ScanIO } from "./flow-runtime";
import { onChangeState, persistenceOf, statePlanOf } from "./state-persistence";

export const EmbeddedFlowSchema = z.object({
  nodes: z.array(NodeConfigurationSchema).max(500).default([]),
  connections: z.array(ConnectionSchema).max(2000).default([]),
});
export type EmbeddedFlow = z.infer<typeof EmbeddedFlowSchema>;
export type EmbeddedFlowInput = z.input<typeof EmbeddedFlowSchema>;

const SUBFLOW_ID = "00000000-0000-4000-8000-00000000f10e";

function asFlowDocument(flow: EmbeddedFlowInput): FlowConfigurationInput {
  return {
    metadata: {
      flow_id: SUBFLOW_ID,
      flow_name: "sub-flow",
      version: "1.0.0",
      generated_at: "2026-01-01T00:00:00Z",
    },
    nodes: flow.nodes ?? [],
    connections: flow.connections ?? [],
  };
}

const compiled = new WeakMap<object, Validated<FlowPlan>>();

/** Compiles once per config object (the engine parses a node's config once per deploy). */
export function compileEmbedded(flow: EmbeddedFlowInput): Validated<FlowPlan> {
  let plan = compiled.get(flow);
  if (!plan) {
    plan = compileFlow(asFlowDocument(flow), defaultRegistry());
    compiled.set(flow, plan);
  }
  return plan;
}

/** For config schemas: reports a sub-flow's problems under the config path, so the editor shows them. */
export function checkEmbedded(flow: EmbeddedFlowInput, ctx: z.RefinementCtx, path: PropertyKey[]): void {
  const plan = compileFlow(asFlowDocument(flow), defaultRegistry());
  if (plan.ok) return;
  for (const problem of plan.errors) {
    ctx.addIssue({ code: "custom", path, message: `sub-flow ${problem.path}: ${problem.message}` });
  }
}

export function embeddedPoints(flow: EmbeddedFlowInput): { reads: string[]; writes: string[] } {
  const plan = compileEmbedded(flow);
  return plan.ok ? { reads: plan.value.reads, writes: plan.value.writes } : { reads: [], writes: [] };
}

export async function prepareEmbedded(flow: EmbeddedFlowInput): Promise<void> {
  const plan = compileEmbedded(flow);
  if (plan.ok) await prepareFlow(plan.value);
}

/**
 * The part of a sub-flow's saved state whose change is written at the end of the scan: its on-change inner
 * nodes' (latches, counters, nested sub-flows' own part), not its periodic ones' (a PID, a math node's
 * `last`), which reach the disk with the host's at the save interval. The host node's `onChangeState`.
 */
export function embeddedOnChangeState(flow: EmbeddedFlowInput, saved: readonly SavedNodeState[]): unknown {
  const plan = compileEmbedded(flow);
  if (!plan.ok) return saved;
  const { loopSources } = statePlanOf(plan.value);
  const part: unknown[] = [];
  for (const entry of saved) {
    const node = plan.value.byId.get(entry.node_id);
    if (!node) continue;
    const loop = loopSources.has(node.id);
    if (persistenceOf(node.definition, loop) === "on_change") part.push(onChangeState(node, entry, loop));
  }
  return part;
}

/** One running copy of a sub-flow. */
export class EmbeddedInstance {
  readonly runtime: FlowRuntime;
  private readonly outputNodes: { id: string; name: string }[];

  constructor(
    readonly plan: FlowPlan,
    saved: readonly SavedNodeState[] = [],
  ) {
    this.runtime = new FlowRuntime(plan, { onFailure: "continue", retryCount: 0, clock: () => 0 });
    if (saved.length > 0) this.runtime.importState(saved);
    this.outputNodes = plan.nodes
      .filter((n) => n.type === "subflow_output")
      .map((n) => ({ id: n.id, name: (n.config as { name: string }).name }));
  }

  /**
   * Runs one scan of the sub-flow. `item` tells a loop item's alerts and records apart from its siblings':
   * alert keys become `<flow>/<node>[<item>]/<key>` (and the ack parameter follows), record names
   * `<item>.<name>`. A subflow (one copy) passes null.
   */
  async run(
    ctx: NodeContext,
    inputs: ReadonlyMap<string, NodeValue>,
    item: number | null,
  ): Promise<Map<string, NodeValue>> {
    const hostPath = `${ctx.nodeId}${item === null ? "" : `[${item}]`}`;
    const keyPrefix = `${ctx.flowId}/${hostPath}/`;
    const io: ScanIO = {
      now: ctx.now,
      trigger: ctx.trigger,
      readPoint: (point) => ctx.readPoint(point),
      parameter: (name) => {
        if (name.startsWith("alert_ack:"))
          return ctx.parameter(`alert_ack:${keyPrefix}${name.slice("alert_ack:".length)}`);
        // A latch inside resets as `<host node>[<item>]/<latch>`, so two instances (or two items) of
        // one definition are reset one at a time; nested sub-flows compose the path.
        if (name.startsWith("latch_reset:"))
          return ctx.parameter(`latch_reset:${hostPath}/${name.slice("latch_reset:".length)}`);
        return ctx.parameter(name);
      },
      subflowInput: (name) => inputs.get(name),
      log: (level, nodeId, message) =>
        ctx.log[level](`${item === null ? "" : `[${item}] `}${nodeId}: ${message}`),
    };
    // Scripts inside a sub-flow go where the host's go (the supervisor's worker pool).
    if (ctx.scripts) io.scripts = ctx.scripts;
    const result = await this.runtime.runScan(io);
    for (const { nodeId: _inner, ...write } of result.writes) ctx.writePoint(write);
    for (const { nodeId: _inner, timestamp: _t, ...alert } of result.alerts) {
      ctx.emitAlert({ ...alert, key: `${keyPrefix}${alert.key}` });
    }
    for (const record of result.records) {
      const value: NodeValue = { value: record.value, quality: record.quality, timestamp: record.timestamp };
      ctx.record(item === null ? record.name : `${item}.${record.name}`, value);
    }
    const outputs = new Map<string, NodeValue>();
    for (const node of this.outputNodes) {
      const value = this.runtime.outputsOf(node.id)?.value;
      if (value) outputs.set(node.name, value);
    }
    return outputs;
  }

  /** The inner nodes that have state to save (as a flow saves its nodes: stateless ones have none). */
  save(): SavedNodeState[] {
    return this.runtime.exportState(statePlanOf(this.plan).persisted);
  }
}
