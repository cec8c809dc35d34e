import type { NodeStatus, OnFailure } from "@bms/schemas";
import type {
  AlertEvent,
  MultiInputs,
  NodeContext,
  NodeInputs,
  NodeLogger,
  NodeOutputs,
  NodeValue,
  RecordedValue,
  Scalar,
  WriteRequest,
} from "../core/types";
import { asBoolean, combineItems } from "../core/values";
import type { CompiledNode, FlowPlan } from "./compile";

/** What the host (supervisor, browser simulation, test harness) supplies to one scan. */
export interface ScanIO {
  now: number;
  trigger: string;
  readPoint(point: string): NodeValue | undefined;
  parameter?(name: string): Scalar | undefined;
  log?(level: "info" | "warn" | "error", nodeId: string, message: string): void;
  /** Values a hosting node (loop, subflow) hands to this flow's `subflow_input` nodes. */
  subflowInput?(name: string): NodeValue | undefined;
}

export interface NodeRun {
  nodeId: string;
  status: Exclude<NodeStatus, "idle" | "executing">;
  startedAt: number;
  durationMs: number;
  inputs: NodeInputs;
  outputs: NodeOutputs;
  error?: string;
}

export interface ScanResult {
  scan: number;
  startedAt: number;
  durationMs: number;
  runs: NodeRun[];
  writes: WriteRequest[];
  alerts: AlertEvent[];
  records: RecordedValue[];
  /** A node failed with on_failure "stop": the scan was cut short and the flow should stop. */
  stoppedBy?: { nodeId: string; error: string };
}

export interface SavedNodeState {
  node_id: string;
  type: string;
  version: number;
  config_key: string;
  state: unknown;
  last_run_at: number | null;
  outputs: NodeOutputs | null;
}

export interface RuntimeOptions {
  onFailure: OnFailure;
  retryCount: number;
  /** Monotonic clock for measuring durations; the scan clock (io.now) stays the node's only time. */
  clock?: () => number;
}

const INACTIVE = Symbol("inactive");

/** Awaits the `prepare` hook of every node in a plan (each distinct config once). */
export async function prepareFlow(plan: FlowPlan): Promise<void> {
  await Promise.all(plan.nodes.map((node) => node.definition.prepare?.(node.config)));
}

/** Keeps node states and outputs between scans and evaluates a compiled plan, one scan at a time. */
export class FlowRuntime {
  private readonly outputs: (NodeOutputs | undefined)[];
  private readonly previous: (NodeOutputs | undefined)[];
  private readonly states: unknown[];
  private readonly lastRunAt: (number | undefined)[];
  private readonly aliasIndex: Map<string, number>;
  private scanCount = 0;
  private readonly clock: () => number;

  constructor(
    readonly plan: FlowPlan,
    private readonly options: RuntimeOptions,
  ) {
    const n = plan.nodes.length;
    this.outputs = new Array(n).fill(undefined);
    this.previous = new Array(n).fill(undefined);
    this.lastRunAt = new Array(n).fill(undefined);
    this.states = plan.nodes.map((node) => node.definition.initialState?.(node.config) ?? {});
    this.aliasIndex = new Map(plan.nodes.flatMap((node) => (node.alias ? [[node.alias, node.index]] : [])));
    this.clock = options.clock ?? (() => performance.now());
  }

  /**
   * Runs every node's async set-up (the script engine's WASM load). A host awaits this once after
   * constructing the runtime and before the first scan; a node whose set-up has not finished fails
   * cleanly with a bad value instead.
   */
  async prepare(): Promise<void> {
    await prepareFlow(this.plan);
  }

  get scans(): number {
    return this.scanCount;
  }

  /** The last outputs of a node, for the execution overlay and the `lookup` of expressions. */
  outputsOf(nodeId: string): NodeOutputs | undefined {
    const node = this.plan.byId.get(nodeId);
    return node ? this.outputs[node.index] : undefined;
  }

  stateOf(nodeId: string): unknown {
    const node = this.plan.byId.get(nodeId);
    return node ? this.states[node.index] : undefined;
  }

  runScan(io: ScanIO): ScanResult {
    const scan = ++this.scanCount;
    const startedAt = this.clock();
    const writes: WriteRequest[] = [];
    const alerts: AlertEvent[] = [];
    const records: RecordedValue[] = [];
    const runs: NodeRun[] = [];
    let stoppedBy: ScanResult["stoppedBy"];

    // Last scan's outputs, for nodes that break feedback loops.
    for (let i = 0; i < this.outputs.length; i++) this.previous[i] = this.outputs[i];

    let current: CompiledNode = this.plan.nodes[0]!;
    let currentDt = 0;
    const log = (level: "info" | "warn" | "error") => (message: string) =>
      io.log?.(level, current.id, message);
    const logger: NodeLogger = { info: log("info"), warn: log("warn"), error: log("error") };
    const ctx: NodeContext = {
      now: io.now,
      scan,
      flowId: this.plan.flow.metadata.flow_id,
      trigger: io.trigger,
      get nodeId() {
        return current.id;
      },
      get dt() {
        return currentDt;
      },
      readPoint: (point) => io.readPoint(point),
      parameter: (name) => io.parameter?.(name),
      writePoint: (request) => writes.push({ ...request, nodeId: current.id }),
      lookup: (alias) => {
        const index = this.aliasIndex.get(alias);
        const outputs = index === undefined ? undefined : this.outputs[index];
        if (!outputs) return undefined;
        for (const key in outputs) return outputs[key];
        return undefined;
      },
      emitAlert: (alert) => alerts.push({ ...alert, nodeId: current.id, timestamp: io.now }),
      record: (name, value) =>
        records.push({
          nodeId: current.id,
          name,
          value: value.value,
          quality: value.quality,
          timestamp: io.now,
        }),
      log: logger,
      subflowInput: (name) => io.subflowInput?.(name),
    };

    for (const node of this.plan.nodes) {
      current = node;
      const nodeStart = this.clock();
      const gathered = this.gatherInputs(node);
      if (gathered === INACTIVE) {
        // An untaken branch: the node does not run and its outputs are inactive downstream too.
        this.outputs[node.index] = undefined;
        runs.push({
          nodeId: node.id,
          status: "skipped",
          startedAt: io.now,
          durationMs: 0,
          inputs: {},
          outputs: {},
        });
        continue;
      }
      const [inputs, multi] = gathered;
      if (node.hasEnable && asBoolean(inputs.enable) !== true) {
        // Disabled: hold the last outputs, as a DDC block with its enable off does.
        const held = this.previous[node.index] ?? {};
        this.outputs[node.index] = held;
        runs.push({
          nodeId: node.id,
          status: "skipped",
          startedAt: io.now,
          durationMs: 0,
          inputs,
          outputs: held,
        });
        continue;
      }

      const last = this.lastRunAt[node.index];
      currentDt = last === undefined ? 0 : Math.max(0, (io.now - last) / 1000);
      const runtime = node.runtime;
      const attempts = 1 + (runtime?.retry_count ?? this.options.retryCount);
      let error: string | undefined;
      let outputs: NodeOutputs | undefined;
      for (let attempt = 0; attempt < attempts && outputs === undefined; attempt++) {
        try {
          outputs = node.definition.execute(inputs, node.config, this.states[node.index], ctx, multi);
          error = undefined;
        } catch (e) {
          error = e instanceof Error ? e.message : String(e);
        }
      }
      this.lastRunAt[node.index] = io.now;
      const durationMs = this.clock() - nodeStart;

      if (outputs !== undefined) {
        this.outputs[node.index] = outputs;
        runs.push({ nodeId: node.id, status: "completed", startedAt: io.now, durationMs, inputs, outputs });
        continue;
      }

      const message = error ?? "failed";
      const failed: NodeOutputs = {};
      for (const port of node.definition.outputs) {
        failed[port.name] = {
          value: null,
          quality: "bad",
          timestamp: io.now,
          reason: `${node.id}: ${message}`,
        };
      }
      this.outputs[node.index] = failed;
      runs.push({
        nodeId: node.id,
        status: "error",
        startedAt: io.now,
        durationMs,
        inputs,
        outputs: failed,
        error,
      });
      io.log?.("error", node.id, message);
      const onFailure = runtime?.on_failure ?? this.options.onFailure;
      if (onFailure === "alert") {
        alerts.push({
          nodeId: node.id,
          key: `node-failure:${node.id}`,
          state: "active",
          priority: "high",
          message: `Node ${node.id} (${node.type}) failed: ${message}`,
          latched: false,
          timestamp: io.now,
        });
      } else if (onFailure === "stop") {
        stoppedBy = { nodeId: node.id, error: message };
        break;
      }
    }

    const result: ScanResult = {
      scan,
      startedAt: io.now,
      durationMs: this.clock() - startedAt,
      runs,
      writes,
      alerts,
      records,
    };
    if (stoppedBy) result.stoppedBy = stoppedBy;
    return result;
  }

  private gatherInputs(node: CompiledNode): [NodeInputs, MultiInputs] | typeof INACTIVE {
    const inputs: NodeInputs = {};
    const multi: MultiInputs = {};
    const source = node.delayed ? this.previous : this.outputs;
    for (const input of node.inputs) {
      if (!input.multiple) {
        const from = input.sources[0]!;
        const value = source[from.node]?.[from.output];
        if (value === undefined && !node.delayed) return INACTIVE;
        inputs[input.port] = value;
        continue;
      }
      const items: NodeValue[] = [];
      for (const from of input.sources) {
        const value = source[from.node]?.[from.output];
        if (value !== undefined) items.push(value);
      }
      if (items.length === 0 && !node.delayed) return INACTIVE;
      multi[input.port] = items;
      inputs[input.port] = combineItems(items);
    }
    return [inputs, multi];
  }

  exportState(): SavedNodeState[] {
    return this.plan.nodes.map((node) => ({
      node_id: node.id,
      type: node.type,
      version: node.definition.version,
      config_key: node.configKey,
      state: this.states[node.index],
      last_run_at: this.lastRunAt[node.index] ?? null,
      outputs: this.outputs[node.index] ?? null,
    }));
  }

  /**
   * Restores saved state for nodes that are the same node: same id, type and version, and either the same
   * config or a type whose state is meant to survive tuning (PID, totalizer). Returns the ids restored.
   */
  importState(saved: readonly SavedNodeState[]): string[] {
    const restored: string[] = [];
    for (const entry of saved) {
      const node = this.plan.byId.get(entry.node_id);
      if (!node || node.type !== entry.type || node.definition.version !== entry.version) continue;
      if (entry.config_key !== node.configKey && !node.definition.keepStateOnConfigChange) continue;
      this.states[node.index] = entry.state;
      this.lastRunAt[node.index] = entry.last_run_at ?? undefined;
      if (entry.outputs) this.outputs[node.index] = entry.outputs;
      restored.push(node.id);
    }
    return restored;
  }
}
