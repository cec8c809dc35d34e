import type { NodeStatus, OnFailure } from "@bms/schemas";
import type {
  AlertEvent,
  MultiInputs,
  NodeInputs,
  NodeOutputs,
  NodeValue,
  RecordedValue,
  Scalar,
  WriteRequest,
} from "../core/types";
import { asBoolean, combineItems } from "../core/values";
import type { CompiledNode, FlowPlan } from "./compile";
import { ScanContext } from "./scan-context";

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
  /**
   * Measure each node's duration every this many scans (default 16; 1: every scan). Reading a
   * high-resolution clock costs more than running a typical node, so between measurements a node's
   * `durationMs` repeats its last measurement. A scan's own duration is measured every scan.
   */
  nodeTimingEvery?: number;
}

const INACTIVE = Symbol("inactive");

interface Wiring {
  ports: string[];
  fromNode: number[];
  fromPort: string[];
  multiple: CompiledNode["inputs"];
}
const EMPTY_MULTI: MultiInputs = Object.freeze({});

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
  private readonly ctx: ScanContext;
  private readonly timingEvery: number;
  /** Each node's last measured duration (see nodeTimingEvery). */
  private readonly durations: number[];
  /** Each node's connected inputs as flat arrays, built once per plan for the gathering loop. */
  private readonly wiring: Wiring[];

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
    this.timingEvery = Math.max(1, Math.floor(options.nodeTimingEvery ?? 16));
    this.durations = new Array(n).fill(0);
    this.wiring = plan.nodes.map((node) => {
      const single = node.inputs.filter((input) => !input.multiple);
      return {
        ports: single.map((input) => input.port),
        fromNode: single.map((input) => input.sources[0]!.node),
        fromPort: single.map((input) => input.sources[0]!.output),
        multiple: node.inputs.filter((input) => input.multiple),
      };
    });
    this.ctx = new ScanContext(plan.flow.metadata.flow_id, (alias) => {
      const index = this.aliasIndex.get(alias);
      const outputs = index === undefined ? undefined : this.outputs[index];
      if (!outputs) return undefined;
      for (const key in outputs) return outputs[key];
      return undefined;
    });
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
    const timed = (scan - 1) % this.timingEvery === 0;
    // One clock reading per node: each node's end is the next one's start.
    let mark = startedAt;
    const now = io.now;
    const ctx = this.ctx;
    ctx.io = io;
    ctx.now = now;
    ctx.scan = scan;
    ctx.trigger = io.trigger;
    const writes: WriteRequest[] = [];
    const alerts: AlertEvent[] = [];
    const records: RecordedValue[] = [];
    ctx.writes = writes;
    ctx.alerts = alerts;
    ctx.records = records;
    const runs: NodeRun[] = new Array(this.plan.nodes.length);
    let ran = 0;
    let stoppedBy: ScanResult["stoppedBy"];

    // Last scan's outputs, for nodes that break feedback loops.
    for (let i = 0; i < this.outputs.length; i++) this.previous[i] = this.outputs[i];

    const nodes = this.plan.nodes;
    for (let index = 0; index < nodes.length; index++) {
      const node = nodes[index]!;
      ctx.nodeId = node.id;
      const nodeStart = mark;
      const inputs = this.gatherInputs(node);
      if (inputs === INACTIVE) {
        // An untaken branch: the node does not run and its outputs are inactive downstream too.
        this.outputs[index] = undefined;
        if (timed) mark = this.clock();
        runs[ran++] = {
          nodeId: node.id,
          status: "skipped",
          startedAt: now,
          durationMs: 0,
          inputs: {},
          outputs: {},
        };
        continue;
      }
      if (node.hasEnable && asBoolean(inputs.enable) !== true) {
        // Disabled: hold the last outputs, as a DDC block with its enable off does.
        const held = this.previous[index] ?? {};
        this.outputs[index] = held;
        if (timed) mark = this.clock();
        runs[ran++] = {
          nodeId: node.id,
          status: "skipped",
          startedAt: now,
          durationMs: 0,
          inputs,
          outputs: held,
        };
        continue;
      }

      const last = this.lastRunAt[index];
      ctx.dt = last === undefined ? 0 : Math.max(0, (now - last) / 1000);
      const runtime = node.runtime;
      const attempts = 1 + (runtime?.retry_count ?? this.options.retryCount);
      const multi = this.gatheredMulti;
      let error: string | undefined;
      let outputs: NodeOutputs | undefined;
      for (let attempt = 0; attempt < attempts && outputs === undefined; attempt++) {
        try {
          outputs = node.definition.execute(inputs, node.config, this.states[index], ctx, multi);
          error = undefined;
        } catch (e) {
          error = e instanceof Error ? e.message : String(e);
        }
      }
      this.lastRunAt[index] = now;
      let durationMs = this.durations[index]!;
      if (timed) {
        mark = this.clock();
        durationMs = mark - nodeStart;
        this.durations[index] = durationMs;
      }

      if (outputs !== undefined) {
        this.outputs[index] = outputs;
        runs[ran++] = { nodeId: node.id, status: "completed", startedAt: now, durationMs, inputs, outputs };
        continue;
      }

      const message = error ?? "failed";
      const failed: NodeOutputs = {};
      for (const port of node.definition.outputs) {
        failed[port.name] = { value: null, quality: "bad", timestamp: now, reason: `${node.id}: ${message}` };
      }
      this.outputs[index] = failed;
      runs[ran++] = {
        nodeId: node.id,
        status: "error",
        startedAt: now,
        durationMs,
        inputs,
        outputs: failed,
        error,
      };
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
          timestamp: now,
        });
      } else if (onFailure === "stop") {
        stoppedBy = { nodeId: node.id, error: message };
        break;
      }
    }
    runs.length = ran;
    ctx.io = undefined;

    const result: ScanResult = {
      scan,
      startedAt: now,
      durationMs: this.clock() - startedAt,
      runs,
      writes,
      alerts,
      records,
    };
    if (stoppedBy) result.stoppedBy = stoppedBy;
    return result;
  }

  /** The multi-input lists of the node just gathered (a shared empty object when it has no such port). */
  private gatheredMulti: MultiInputs = EMPTY_MULTI;

  private gatherInputs(node: CompiledNode): NodeInputs | typeof INACTIVE {
    const inputs: NodeInputs = {};
    const source = node.delayed ? this.previous : this.outputs;
    const wiring = this.wiring[node.index]!;
    const { ports, fromNode, fromPort } = wiring;
    // Single-wire ports first, from flat arrays: this loop runs for every input of every node every scan.
    for (let i = 0; i < ports.length; i++) {
      const outputs = source[fromNode[i]!];
      const value = outputs === undefined ? undefined : outputs[fromPort[i]!];
      if (value === undefined && !node.delayed) return INACTIVE;
      inputs[ports[i]!] = value;
    }
    if (wiring.multiple.length === 0) {
      this.gatheredMulti = EMPTY_MULTI;
      return inputs;
    }
    const multi: Record<string, readonly NodeValue[]> = {};
    for (const input of wiring.multiple) {
      const items: NodeValue[] = [];
      for (const from of input.sources) {
        const value = source[from.node]?.[from.output];
        if (value !== undefined) items.push(value);
      }
      if (items.length === 0 && !node.delayed) return INACTIVE;
      multi[input.port] = items;
      inputs[input.port] = combineItems(items);
    }
    this.gatheredMulti = multi;
    return inputs;
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
