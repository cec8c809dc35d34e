import type { Quality } from "@bms/schemas";
import type { z } from "zod";
import { namedFromPositional } from "./positional";
import type { ScriptRunner } from "./script-runner";

export type PortType = "number" | "boolean" | "string" | "any" | "list";

export type Scalar = number | boolean | string;
/** What flows along an edge: a scalar, a list (loop, min/max over a list) or nothing known. */
export type Payload = Scalar | null | readonly Payload[];

/** Every value carries its quality and when it was produced, like a point value in a DDC controller. */
export interface NodeValue {
  value: Payload;
  quality: Quality;
  /** ms since epoch, from the scan clock. */
  timestamp: number;
  /** Why the quality is not good: "timeout reading bacnet:1001/...", "input 'a' is bad", ... */
  reason?: string;
}

export interface PortDefinition {
  name: string;
  type: PortType;
  label?: string;
  description?: string;
  /** Validation refuses a flow where a required input is not connected. */
  required?: boolean;
  /** The port takes any number of connections; the executor gets them as one list value. */
  multiple?: boolean;
  /**
   * One of a numbered run of ports whose count is the config field `count` (Select's in0…in7, Math's
   * a…h): present while `index < count`, and always while it is wired, so a flow saved before the count
   * existed keeps every wire. Built by `portGroup` (core/port-groups.ts), read through `presentPorts`
   * by the editor (what it draws), the validator (which inputs are required) and the runtime.
   */
  repeat?: { count: string; index: number; default: number };
  /** Kept only so flows saved before a port group replaced it still load: present while wired. */
  legacy?: boolean;
}

/**
 * Inputs as the executor sees them. An unconnected input is undefined. A `multiple` port holds a list
 * value whose quality is the worst of its items; the items themselves are in `items`.
 */
export type NodeInputs = Record<string, NodeValue | undefined>;
export type MultiInputs = Record<string, readonly NodeValue[]>;

/**
 * Values by port position, the positional form of NodeInputs/NodeOutputs: entry i belongs to the
 * definition's i-th input (or output) port. Unconnected inputs and inactive outputs are undefined.
 */
export type PortValues = (NodeValue | undefined)[];

/**
 * What an executor returns. A port left out is *inactive* this scan (an untaken conditional branch):
 * nodes fed by it are skipped. Use a bad-quality value, not a missing port, to say "no good value".
 */
export type NodeOutputs = Record<string, NodeValue>;

export interface WriteRequest {
  point: string;
  /** null relinquishes the point at this priority. */
  value: Scalar | null;
  priority: number;
  /** Rewrite an unchanged value this often (0: only on change). */
  heartbeatMs: number;
  /** MQTT publish options from the node; other protocols ignore them. */
  qos?: 0 | 1 | 2;
  retain?: boolean;
  nodeId: string;
}

export interface AlertEvent {
  nodeId: string;
  /** Same key, same alert: this is how the sink deduplicates. */
  key: string;
  state: "active" | "cleared" | "acknowledged";
  priority: "low" | "medium" | "high" | "critical";
  message: string;
  latched: boolean;
  webhookUrl?: string;
  timestamp: number;
}

export interface RecordedValue {
  nodeId: string;
  name: string;
  value: Payload;
  quality: Quality;
  timestamp: number;
}

export interface NodeLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Everything a node may touch outside its inputs: the clock, point I/O, alerts, logs. */
export interface NodeContext {
  /** The scan's time in ms since epoch. Nodes never read the wall clock (tests run on a fake one). */
  readonly now: number;
  /** Seconds since this node last executed (0 on its first execution). */
  readonly dt: number;
  readonly scan: number;
  readonly nodeId: string;
  readonly flowId: string;
  /** The trigger that started this scan: "interval", "cron", "on_change", "manual". */
  readonly trigger: string;
  /** The value read for this scan (the engine batches every read before evaluation). */
  readPoint(point: string): NodeValue | undefined;
  writePoint(request: Omit<WriteRequest, "nodeId">): void;
  /** A runtime-adjustable parameter (setpoints through the API); undefined when never set. */
  parameter(name: string): Scalar | undefined;
  /** The current value of a node output by its node alias, for expressions and templates. */
  lookup(alias: string): NodeValue | undefined;
  emitAlert(alert: Omit<AlertEvent, "nodeId" | "timestamp">): void;
  record(name: string, value: NodeValue): void;
  readonly log: NodeLogger;
  /**
   * A value handed in by the node hosting this flow (a `loop` item, a `subflow` input). Read by
   * `subflow_input` nodes; undefined in a top-level flow.
   */
  subflowInput?(name: string): NodeValue | undefined;
  /**
   * Evaluates `script` node code. The host supplies it (the supervisor: a worker pool with a time budget);
   * undefined means the node evaluates in this thread.
   */
  readonly scripts?: ScriptRunner | undefined;
}

export type NodeCategory = "input" | "logic" | "control" | "output" | "extension";

export interface NodeExample {
  title: string;
  config: Record<string, unknown>;
  explanation: string;
}

/** A runtime parameter a node publishes: its default, and the limits the API enforces on a new value. */
export interface NodeParameter {
  name: string;
  value: Scalar;
  min?: number | null;
  max?: number | null;
  unit?: string;
}

/** When a node's state reaches the disk: see `NodeDefinition.statePersistence`. */
export type StatePersistence = "on_change" | "periodic";

export interface NodeDefinition<C = unknown, S = unknown> {
  type: string;
  version: number;
  category: NodeCategory;
  label: string;
  /** A lucide icon name, resolved by the editor. */
  icon: string;
  description: string;
  inputs: readonly PortDefinition[];
  outputs: readonly PortDefinition[];
  config: z.ZodType<C, unknown>;
  /** Reads last scan's values, so it may close a feedback loop (delay, feedback). */
  breaksCycles?: boolean;
  /** State survives a config change (PID integral, totalizer), not just an unchanged redeploy. */
  keepStateOnConfigChange?: boolean;
  /** The points this node reads or commands, so the engine can batch reads and relinquish writes. */
  points?(config: C): { reads?: readonly string[]; writes?: readonly string[] };
  /** Names the node publishes for `parameter` lookups through the API. */
  parameters?(config: C): readonly NodeParameter[];
  initialState?(config: C): S;
  /**
   * When this node's state is written to disk (runtime.db), which decides what a power cut loses.
   * - `on_change` (the default): written at the end of the scan that changed it, so a power cut loses at
   *   most one scan. For state whose loss changes what the plant does after a restart: latches, latched
   *   and acknowledged alarms, lead/lag rotation and run hours, totalizers, timers and edge memory.
   * - `periodic`: written at most every `--state-save-interval` seconds (and on stop, redeploy and clean
   *   shutdown). For state that re-converges by itself within seconds of a restart: PID integrals,
   *   filters, averages, ramps, a "hold last value". It changes every scan, so writing it every scan
   *   wore the SD card for nothing.
   * The default is `on_change` so a node that does not say loses nothing: periodic is a choice made per
   * node type, knowing what its state is.
   */
  statePersistence?: StatePersistence;
  /**
   * For an `on_change` node whose state also holds figures that move every scan (a totalizer's total, a
   * sequencer's run hours, a PID inside a sub-flow): the part whose change is written at the end of the
   * scan. The whole state is written then, and at the save interval when only the rest moved. Absent: the
   * whole state is on-change.
   */
  onChangeState?(state: S, config: C): unknown;
  /**
   * Async set-up a synchronous executor needs before its first scan (the `script` node loads its WASM
   * engine here). The host awaits `FlowRuntime.prepare()` once after compiling, before the first scan.
   */
  prepare?(config: C): Promise<void>;
  /**
   * Synchronous by default, on purpose: I/O is batched by the engine before and after evaluation, so an
   * executor only computes. That keeps a scan deterministic and a 200-node flow in microseconds. The one
   * exception is work handed to the host: the `script` node awaits its runner (a worker thread on the
   * supervisor), and the nodes that host a sub-flow (loop, subflow) await its scan. The runtime awaits an
   * executor only when it returns a promise, and evaluates nothing else of the flow meanwhile.
   *
   * The engine reuses a node's `inputs` object from scan to scan: read it, never keep it past the call
   * (the NodeValues in it may be kept). A synchronous executor cannot be preempted: a node's
   * `runtime_options.timeout_ms` is an overrun check the engine makes after each execution (an
   * execution that took longer fails, then retry_count and on_failure apply; see FlowRuntime.runScan).
   */
  execute(
    inputs: NodeInputs,
    config: C,
    state: S,
    ctx: NodeContext,
    multi: MultiInputs,
  ): NodeOutputs | Promise<NodeOutputs>;
  /**
   * The positional form of `execute`, for the node types every site runs many of (issue 15): inputs
   * arrive by port position (`inputs[i]` is `inputs` port i of the definition), and the executor sets
   * `outputs[k]` for each output port k it produces (all undefined on entry; one left undefined is
   * inactive, as a port left out of NodeOutputs is). It answers undefined, or a promise when it awaits.
   * The engine gathers inputs into a reused array by slot indices resolved at compile time, with no
   * lookup by port name. A node written this way gets its named `execute` from `defineNode` (one
   * definition of the behaviour, core/positional.ts); the same rules about reuse apply to both arrays.
   */
  run?(
    inputs: readonly (NodeValue | undefined)[],
    config: C,
    state: S,
    ctx: NodeContext,
    outputs: PortValues,
    multi: MultiInputs,
  ): void | Promise<void>;
  examples?: readonly NodeExample[];
}

/** Erased form the registry and the engine handle; each file keeps its precise types. */
// biome-ignore lint/suspicious/noExplicitAny: the registry stores definitions of different config/state types
export type AnyNodeDefinition = NodeDefinition<any, any>;

/** What a node file writes: its behaviour as `execute` (named ports) or `run` (positional), not both. */
export type NodeDefinitionInput<C, S> = Omit<NodeDefinition<C, S>, "execute"> &
  Partial<Pick<NodeDefinition<C, S>, "execute">>;

export function defineNode<C, S = Record<string, never>>(
  definition: NodeDefinitionInput<C, S>,
): NodeDefinition<C, S> {
  if (definition.execute !== undefined && definition.run !== undefined)
    throw new Error(`node type ${definition.type}: define execute or run, not both`);
  if (definition.execute !== undefined) return definition as NodeDefinition<C, S>;
  if (definition.run === undefined) throw new Error(`node type ${definition.type}: no execute or run`);
  return { ...definition, execute: namedFromPositional(definition, definition.run) };
}
