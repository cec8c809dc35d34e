import type { NodeStatus, OnFailure } from "@bms/schemas";
import type { ScriptRunner } from "../core/script-runner";
import type {
  AlertEvent,
  AnyNodeDefinition,
  MultiInputs,
  NodeInputs,
  NodeOutputs,
  NodeValue,
  RecordedValue,
  Scalar,
  WriteRequest,
} from "../core/types";
import { asBoolean, combineItems } from "../core/values";
import type { CompiledInput, CompiledNode, FlowPlan } from "./compile";
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
  /** Where `script` nodes evaluate (the supervisor's worker pool); in this thread when absent. */
  scripts?: ScriptRunner;
  /**
   * The debugger (issue 16): called before each node that is about to run (not skipped by an untaken
   * branch), with its gathered inputs. It may replace input values (pinned data) and may answer with a
   * promise, which holds the scan before the node until it settles (a breakpoint, a step). Absent: no cost.
   */
  beforeNode?(nodeId: string, inputs: NodeInputs): void | Promise<void>;
}

export interface NodeRun {
  nodeId: string;
  status: Exclude<NodeStatus, "idle" | "executing" | "stopped">;
  startedAt: number;
  durationMs: number;
  /**
   * The inputs the node saw. The runtime reuses each node's inputs object from scan to scan (gathering
   * them into a fresh object per node per scan was the interpreter's largest cost), so this is valid
   * until the next `runScan`: copy it (`{ ...run.inputs }`) to keep it longer, as the supervisor's traces
   * do. The values in it, and `outputs`, are never modified afterwards and may be kept as they are.
   */
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
  /** The flow's on_failure and retry_count, for nodes whose runtime_options do not set their own. */
  onFailure: OnFailure;
  retryCount: number;
  /** Monotonic clock for measuring durations; the scan clock (io.now) stays the node's only time. */
  clock?: () => number;
  /**
   * Measure each node's duration every this many scans (default 16; 1: every scan). Reading a
   * high-resolution clock costs more than running a typical node, so between measurements a node's
   * `durationMs` repeats its last measurement. A scan's own duration is measured every scan, and so is
   * every execution of a node that sets `runtime_options.timeout_ms` (its overrun check).
   */
  nodeTimingEvery?: number;
}

/**
 * One node as the scan loop walks it: everything a scan needs, resolved once per plan (ports as flat
 * arrays, the effective retry and on_failure policy, the timeout) so the loop does no lookups of its own.
 */
class Slot {
  readonly id: string;
  readonly type: string;
  readonly definition: AnyNodeDefinition;
  readonly config: unknown;
  readonly delayed: boolean;
  readonly hasEnable: boolean;
  /** 1 + the effective retry_count. */
  readonly attempts: number;
  readonly onFailure: OnFailure;
  /** The node's own runtime_options.timeout_ms; 0 when it sets none (then it is not checked). */
  readonly timeoutMs: number;
  /** Single-wire inputs: port name, source node index and source output port. */
  readonly ports: string[];
  readonly fromNode: number[];
  readonly fromPort: string[];
  readonly multiple: CompiledInput[];
  readonly outputPorts: string[];
  /**
   * The inputs object handed to the executor, reused scan after scan: it is created once with every
   * connected port, so gathering only overwrites values and never reshapes or allocates an object.
   */
  readonly inputs: NodeInputs;

  constructor(node: CompiledNode, options: RuntimeOptions) {
    this.id = node.id;
    this.type = node.type;
    this.definition = node.definition;
    this.config = node.config;
    this.delayed = node.delayed;
    this.hasEnable = node.hasEnable;
    this.attempts = 1 + (node.runtime?.retry_count ?? options.retryCount);
    this.onFailure = node.runtime?.on_failure ?? options.onFailure;
    this.timeoutMs = node.runtime?.timeout_ms ?? 0;
    const single = node.inputs.filter((input) => !input.multiple);
    this.ports = orNone(single.map((input) => input.port));
    this.fromNode = orNone(single.map((input) => input.sources[0]!.node));
    this.fromPort = orNone(single.map((input) => input.sources[0]!.output));
    this.multiple = orNone(node.inputs.filter((input) => input.multiple));
    this.outputPorts = outputPortsOf(node.definition);
    // A node with no connected input (a sensor read) gathers nothing: it shares one frozen empty object.
    if (this.ports.length === 0 && this.multiple.length === 0) this.inputs = NO_INPUTS;
    else {
      this.inputs = {};
      for (const port of this.ports) this.inputs[port] = undefined;
      for (const input of this.multiple) this.inputs[input.port] = undefined;
    }
  }
}

const EMPTY_MULTI: MultiInputs = Object.freeze({});

/**
 * Slots share one empty array for the ports a node lacks, and one output-port list per node type: a
 * sensor read has no inputs, and at 50,000 of them five empty arrays each were ~8 MB (issue 15).
 */
const NONE: never[] = Object.freeze([]) as unknown as never[];
const NO_INPUTS: NodeInputs = Object.freeze({}) as NodeInputs;
const NO_STATE: object = Object.freeze({});
function orNone<T>(items: T[]): T[] {
  return items.length === 0 ? NONE : items;
}
const outputPortLists = new WeakMap<AnyNodeDefinition, string[]>();
function outputPortsOf(definition: AnyNodeDefinition): string[] {
  let ports = outputPortLists.get(definition);
  if (!ports) {
    ports = definition.outputs.map((port) => port.name);
    outputPortLists.set(definition, ports);
  }
  return ports;
}

/** How an overrun reads in a run's error, the log and an alert. */
export function timeoutMessage(tookMs: number, timeoutMs: number): string {
  return `took ${Math.round(tookMs * 10) / 10} ms, over its timeout of ${timeoutMs} ms`;
}

/** Awaits the `prepare` hook of every node in a plan (each distinct config once). */
export async function prepareFlow(plan: FlowPlan): Promise<void> {
  await Promise.all(plan.nodes.map((node) => node.definition.prepare?.(node.config)));
}

/** Keeps node states and outputs between scans and evaluates a compiled plan, one scan at a time. */
export class FlowRuntime {
  /**
   * Each node's outputs: this scan's for the nodes evaluated so far (below `cursor`), the last scan's for
   * the rest until their turn. A fresh array every scan, so storing fresh outputs into it costs no write
   * barrier into an old array, and the previous one is simply kept as `previous`.
   */
  private outputs: (NodeOutputs | undefined)[];
  /** Last scan's outputs: what delayed (cycle-breaking) nodes read, and what a node not yet evaluated still has. */
  private previous: (NodeOutputs | undefined)[];
  /** The node being evaluated (plan index); the node count between scans. */
  private cursor = 0;
  private readonly states: unknown[];
  /** When each node last executed (scan time); NaN: never. Unboxed, as it is written every node every scan. */
  private readonly lastRunAt: Float64Array;
  private readonly aliasIndex: Map<string, number>;
  private scanCount = 0;
  private readonly clock: () => number;
  private readonly ctx: ScanContext;
  private readonly timingEvery: number;
  /** Each node's last measured duration (see nodeTimingEvery). */
  private readonly durations: number[];
  /** The plan's nodes as the scan loop walks them, built once per plan. */
  private readonly slots: Slot[];

  constructor(
    readonly plan: FlowPlan,
    options: RuntimeOptions,
  ) {
    const n = plan.nodes.length;
    this.outputs = new Array(n).fill(undefined);
    this.previous = new Array(n).fill(undefined);
    this.cursor = n;
    this.lastRunAt = new Float64Array(n).fill(Number.NaN);
    // A node type without initialState keeps no state: they all share one frozen empty object.
    this.states = plan.nodes.map((node) => node.definition.initialState?.(node.config) ?? NO_STATE);
    this.aliasIndex = new Map(plan.nodes.flatMap((node) => (node.alias ? [[node.alias, node.index]] : [])));
    this.clock = options.clock ?? (() => performance.now());
    this.timingEvery = Math.max(1, Math.floor(options.nodeTimingEvery ?? 16));
    this.durations = new Array(n).fill(0);
    this.slots = plan.nodes.map((node) => new Slot(node, options));
    this.ctx = new ScanContext(plan.flow.metadata.flow_id, (alias) => {
      const index = this.aliasIndex.get(alias);
      const outputs =
        index === undefined ? undefined : (index < this.cursor ? this.outputs : this.previous)[index];
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

  /**
   * The last outputs of a node, for the execution overlay and the `lookup` of expressions. Asked while a
   * scan awaits a script, a node not yet evaluated answers with last scan's outputs.
   */
  outputsOf(nodeId: string): NodeOutputs | undefined {
    const node = this.plan.byId.get(nodeId);
    if (!node) return undefined;
    return (node.index < this.cursor ? this.outputs : this.previous)[node.index];
  }

  stateOf(nodeId: string): unknown {
    const node = this.plan.byId.get(nodeId);
    return node ? this.states[node.index] : undefined;
  }

  /**
   * Evaluates every node once, in plan order. Per node: an untaken branch is skipped with inactive
   * outputs; a node whose `enable` is off is skipped and holds its outputs; otherwise it executes, up to
   * 1 + retry_count times while it throws or overruns its timeout_ms, and a node that still fails gets
   * bad outputs and its on_failure policy (stop the scan, continue, or raise an alert).
   *
   * The loop runs synchronously until an executor returns a promise (a script handed to a worker, a
   * sub-flow that holds one); only then does it await, so the event loop stays free while a script runs.
   * A flow with no such node has finished its scan (outputs, state) when this returns. Scans of one
   * runtime never overlap: the host awaits each before starting the next.
   */
  runScan(io: ScanIO): Promise<ScanResult> {
    if (this.scanning) return Promise.reject(new Error("a scan of this flow is already running"));
    this.scanning = true;
    return this.scanOnce(io).catch((error: unknown) => {
      this.scanning = false;
      throw error;
    });
  }

  /** A scan is in progress; cleared by scanOnce as it finishes, synchronously when nothing awaited. */
  private scanning = false;

  private async scanOnce(io: ScanIO): Promise<ScanResult> {
    const scan = ++this.scanCount;
    const clock = this.clock;
    const startedAt = clock();
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
    const slots = this.slots;
    const count = slots.length;
    const runs: NodeRun[] = new Array(count);
    let ran = 0;
    let stoppedBy: ScanResult["stoppedBy"];

    // Last scan's outputs, for nodes that break feedback loops.
    const previous = this.outputs;
    const outputs: (NodeOutputs | undefined)[] = new Array(count);
    this.previous = previous;
    this.outputs = outputs;
    const states = this.states;
    const lastRunAt = this.lastRunAt;
    const durations = this.durations;
    const beforeNode = io.beforeNode;

    for (let index = 0; index < count; index++) {
      const slot = slots[index]!;
      this.cursor = index;
      ctx.nodeId = slot.id;
      let nodeStart = mark;
      const inputs = this.gatherInputs(slot, slot.delayed ? previous : outputs);
      if (inputs === undefined) {
        // An untaken branch: the node does not run and its outputs are inactive downstream too.
        outputs[index] = undefined;
        if (timed) mark = clock();
        runs[ran++] = {
          nodeId: slot.id,
          status: "skipped",
          startedAt: now,
          durationMs: 0,
          inputs: {},
          outputs: {},
        };
        continue;
      }
      if (beforeNode !== undefined) {
        const held = beforeNode(slot.id, inputs);
        if (held !== undefined) {
          await held;
          // The pause is not the node's time.
          if (timed) {
            mark = clock();
            nodeStart = mark;
          }
        }
      }
      if (slot.hasEnable && asBoolean(inputs.enable) !== true) {
        // Disabled: hold the last outputs, as a DDC block with its enable off does.
        const held = previous[index] ?? {};
        outputs[index] = held;
        if (timed) mark = clock();
        runs[ran++] = {
          nodeId: slot.id,
          status: "skipped",
          startedAt: now,
          durationMs: 0,
          inputs,
          outputs: held,
        };
        continue;
      }

      const last = lastRunAt[index]!;
      ctx.dt = Number.isNaN(last) ? 0 : Math.max(0, (now - last) / 1000);
      const multi = this.gatheredMulti;
      let result: NodeOutputs | undefined;
      let error: string | undefined;
      let durationMs: number;
      if (slot.timeoutMs > 0) {
        // An explicit timeout: measured on every scan, each attempt on its own.
        let at = timed ? nodeStart : clock();
        const begun = at;
        for (let attempt = 0; attempt < slot.attempts && result === undefined; attempt++) {
          const pending = this.attempt(slot, inputs, states[index], multi);
          result = pending instanceof Promise ? await pending : pending;
          error = result === undefined ? this.attemptError : undefined;
          const end = clock();
          if (result !== undefined && end - at > slot.timeoutMs) {
            error = timeoutMessage(end - at, slot.timeoutMs);
            result = undefined;
          }
          at = end;
        }
        durationMs = at - begun;
        durations[index] = durationMs;
        mark = at;
      } else {
        const pending = this.attempt(slot, inputs, states[index], multi);
        result = pending instanceof Promise ? await pending : pending;
        if (result === undefined) {
          error = this.attemptError;
          for (let attempt = 1; attempt < slot.attempts && result === undefined; attempt++) {
            const retry = this.attempt(slot, inputs, states[index], multi);
            result = retry instanceof Promise ? await retry : retry;
            error = result === undefined ? this.attemptError : undefined;
          }
        }
        if (timed) {
          mark = clock();
          durationMs = mark - nodeStart;
          durations[index] = durationMs;
        } else durationMs = durations[index]!;
      }
      lastRunAt[index] = now;

      if (result !== undefined) {
        outputs[index] = result;
        runs[ran++] = {
          nodeId: slot.id,
          status: "completed",
          startedAt: now,
          durationMs,
          inputs,
          outputs: result,
        };
        continue;
      }

      const message = error ?? "failed";
      const failed: NodeOutputs = {};
      for (const port of slot.outputPorts) {
        failed[port] = { value: null, quality: "bad", timestamp: now, reason: `${slot.id}: ${message}` };
      }
      outputs[index] = failed;
      runs[ran++] = {
        nodeId: slot.id,
        status: "error",
        startedAt: now,
        durationMs,
        inputs,
        outputs: failed,
        error,
      };
      io.log?.("error", slot.id, message);
      if (slot.onFailure === "alert") {
        alerts.push({
          nodeId: slot.id,
          key: `node-failure:${slot.id}`,
          state: "active",
          priority: "high",
          message: `Node ${slot.id} (${slot.type}) failed: ${message}`,
          latched: false,
          timestamp: now,
        });
      } else if (slot.onFailure === "stop") {
        stoppedBy = { nodeId: slot.id, error: message };
        // The nodes after it did not run: they keep their outputs.
        for (let rest = index + 1; rest < count; rest++) outputs[rest] = previous[rest];
        break;
      }
    }
    runs.length = ran;
    this.cursor = count;
    ctx.io = undefined;
    this.scanning = false;

    const result: ScanResult = {
      scan,
      startedAt: now,
      durationMs: clock() - startedAt,
      runs,
      writes,
      alerts,
      records,
    };
    if (stoppedBy) result.stoppedBy = stoppedBy;
    return result;
  }

  /** Why the last attempt failed: set by `attempt` when it returns undefined. */
  private attemptError: string | undefined;

  /**
   * One execution; the try/catch lives here so the scan loop itself stays free of it. An executor that
   * answers with a promise gets a promise back, settled the same way (outputs, or undefined and the error).
   */
  private attempt(
    slot: Slot,
    inputs: NodeInputs,
    state: unknown,
    multi: MultiInputs,
  ): NodeOutputs | undefined | Promise<NodeOutputs | undefined> {
    try {
      const outputs = slot.definition.execute(inputs, slot.config, state, this.ctx, multi);
      if (outputs instanceof Promise) return outputs.catch((e: unknown) => this.failed(e));
      return outputs;
    } catch (e) {
      return this.failed(e);
    }
  }

  private failed(e: unknown): undefined {
    this.attemptError = e instanceof Error ? e.message : String(e);
    return undefined;
  }

  /** The multi-input lists of the node just gathered (a shared empty object when it has no such port). */
  private gatheredMulti: MultiInputs = EMPTY_MULTI;

  /** The node's inputs from `source` (this scan's outputs, or last scan's for a delayed node); undefined when inactive. */
  private gatherInputs(slot: Slot, source: (NodeOutputs | undefined)[]): NodeInputs | undefined {
    const { inputs, ports, fromNode, fromPort, delayed } = slot;
    // Single-wire ports first, from flat arrays: this loop runs for every input of every node every scan.
    for (let i = 0; i < ports.length; i++) {
      const outputs = source[fromNode[i]!];
      const value = outputs === undefined ? undefined : outputs[fromPort[i]!];
      if (value === undefined && !delayed) return undefined;
      inputs[ports[i]!] = value;
    }
    if (slot.multiple.length === 0) {
      this.gatheredMulti = EMPTY_MULTI;
      return inputs;
    }
    const multi: Record<string, readonly NodeValue[]> = {};
    for (const input of slot.multiple) {
      const items: NodeValue[] = [];
      for (const from of input.sources) {
        const value = source[from.node]?.[from.output];
        if (value !== undefined) items.push(value);
      }
      if (items.length === 0 && !delayed) return undefined;
      multi[input.port] = items;
      inputs[input.port] = combineItems(items);
    }
    this.gatheredMulti = multi;
    return inputs;
  }

  /** Every node's saved state, or only the nodes at these plan indices (a host persisting stateful nodes). */
  exportState(indices?: readonly number[]): SavedNodeState[] {
    const nodes = indices ? indices.map((i) => this.plan.nodes[i]!) : this.plan.nodes;
    return nodes.map((node) => ({
      node_id: node.id,
      type: node.type,
      version: node.definition.version,
      config_key: node.configKey,
      state: this.states[node.index],
      last_run_at: Number.isNaN(this.lastRunAt[node.index]) ? null : this.lastRunAt[node.index]!,
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
      this.lastRunAt[node.index] = entry.last_run_at ?? Number.NaN;
      if (entry.outputs) this.outputs[node.index] = entry.outputs;
      restored.push(node.id);
    }
    return restored;
  }
}
