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
   * The inputs the node saw, by port name. Records are built when a scan's `runs` is first read, from
   * that scan's own values, so this object and `outputs` belong to the record and may be kept; the
   * values in them are never modified afterwards.
   */
  inputs: NodeInputs;
  outputs: NodeOutputs;
  error?: string;
}

export interface ScanResult {
  scan: number;
  startedAt: number;
  durationMs: number;
  /** The run records, built when first read (then kept): a host that needs them each scan pays for them. */
  runs: NodeRun[];
  writes: WriteRequest[];
  alerts: AlertEvent[];
  records: RecordedValue[];
  /** A node failed with on_failure "stop": the scan was cut short and the flow should stop. */
  stoppedBy?: { nodeId: string; error: string };
  /**
   * What a host reads every scan (the supervisor's timeline and status), by plan index, without a run
   * record per node: how many nodes the scan reached (`runs.length`), and each one's id, status, error
   * and duration as its record would show them.
   */
  readonly nodeCount: number;
  nodeIdAt(index: number): string;
  statusAt(index: number): NodeRun["status"];
  errorAt(index: number): string | undefined;
  durationAt(index: number): number;
  /**
   * Shows the node at `index` with this quality and reason on its outputs (those not already bad) in its
   * run record, as built now or later: a command the device does not answer for (supervisor). What the
   * flow computed is untouched.
   */
  markOutputs(index: number, quality: NodeValue["quality"], reason: string): void;
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
 * One node as the scan loop walks it: everything a scan needs, resolved once per plan (ports as slot
 * indices into the scan's flat value array, the effective retry and on_failure policy, the timeout) so
 * the loop does no lookups of its own.
 */
class Slot {
  readonly id: string;
  readonly type: string;
  readonly definition: AnyNodeDefinition;
  /** The positional executor, or undefined: the node has only the named `execute` (a plugin's, say). */
  readonly run: AnyNodeDefinition["run"];
  readonly config: unknown;
  readonly delayed: boolean;
  /** The `enable` input's position when it is connected, else -1. */
  readonly enablePort: number;
  /** The `enable` input's position whether connected or not (a debugger pin may set it), else -1. */
  readonly enableIndex: number;
  /** 1 + the effective retry_count. */
  readonly attempts: number;
  readonly onFailure: OnFailure;
  /** The node's own runtime_options.timeout_ms; 0 when it sets none (then it is not checked). */
  readonly timeoutMs: number;
  /** Single-wire inputs: the port's position and the value slot feeding it. */
  readonly inPort: number[];
  readonly inSlot: number[];
  /** Their names, for the named inputs of a run record, the debugger and a named executor. */
  readonly inName: string[];
  readonly multiple: CompiledInput[];
  /** Every input port's name, by position. */
  readonly inputNames: string[];
  readonly outputPorts: string[];
  /** The first of the node's value slots (output k is in `outputBase + k`), and how many it has. */
  readonly outputBase: number;
  readonly slotCount: number;
  /**
   * The inputs handed to the executor by position, reused scan after scan: gathering only overwrites
   * the connected ports' entries (the others stay undefined) and never allocates. A node with no
   * connected input shares NONE until the debugger pins one of its inputs (then it gets its own).
   */
  ins: (NodeValue | undefined)[];
  /** A named executor's inputs object, reused the same way (created once with every connected port). */
  readonly named: NodeInputs;

  constructor(node: CompiledNode, options: RuntimeOptions) {
    this.id = node.id;
    this.type = node.type;
    this.definition = node.definition;
    this.run = node.definition.run;
    this.config = node.config;
    this.delayed = node.delayed;
    this.attempts = 1 + (node.runtime?.retry_count ?? options.retryCount);
    this.onFailure = node.runtime?.on_failure ?? options.onFailure;
    this.timeoutMs = node.runtime?.timeout_ms ?? 0;
    const single = node.inputs.filter((input) => !input.multiple);
    this.inPort = orNone(single.map((input) => input.index));
    this.inSlot = orNone(single.map((input) => input.sources[0]!.slot));
    this.inName = orNone(single.map((input) => input.port));
    this.multiple = orNone(node.inputs.filter((input) => input.multiple));
    const enable = node.inputs.find((input) => input.port === "enable" && input.sources.length > 0);
    this.enablePort = node.hasEnable && enable ? enable.index : -1;
    this.inputNames = portNamesOf(inputPortLists, node.definition, "inputs");
    this.enableIndex = this.inputNames.indexOf("enable");
    this.outputPorts = portNamesOf(outputPortLists, node.definition, "outputs");
    this.outputBase = node.outputBase;
    this.slotCount = Math.max(1, this.outputPorts.length);
    // A node with no connected input (a sensor read) gathers nothing: it shares one frozen empty list.
    const connected = this.inPort.length > 0 || this.multiple.length > 0;
    this.ins = connected ? new Array(this.inputNames.length).fill(undefined) : NONE;
    if (!connected || this.run !== undefined) this.named = NO_INPUTS;
    else {
      this.named = {};
      for (const port of this.inName) this.named[port] = undefined;
      for (const input of this.multiple) this.named[input.port] = undefined;
    }
  }

  /** The inputs by name, as a run record and the debugger show them, from a scan's values. */
  namedInputs(values: readonly (NodeValue | undefined)[]): NodeInputs {
    if (this.inName.length === 0 && this.multiple.length === 0) return {};
    const inputs: NodeInputs = {};
    for (let i = 0; i < this.inName.length; i++) inputs[this.inName[i]!] = values[this.inSlot[i]!];
    for (const input of this.multiple) {
      const items = itemsOf(input, values);
      inputs[input.port] = combineItems(items);
    }
    return inputs;
  }

  /** The named inputs the executor was handed (positions mapped back to the connected ports' names). */
  inputsFromPositions(): NodeInputs {
    const inputs: NodeInputs = {};
    for (let i = 0; i < this.inName.length; i++) inputs[this.inName[i]!] = this.ins[this.inPort[i]!];
    for (const input of this.multiple) inputs[input.port] = this.ins[input.index];
    return inputs;
  }

  /** The node's outputs by name from a scan's values; undefined when it has none there (not run, untaken). */
  namedOutputs(values: readonly (NodeValue | undefined)[]): NodeOutputs | undefined {
    const base = this.outputBase;
    const ports = this.outputPorts;
    if (ports.length === 0) return values[base] === undefined ? undefined : {};
    let outputs: NodeOutputs | undefined;
    for (let k = 0; k < ports.length; k++) {
      const value = values[base + k];
      if (value === undefined) continue;
      outputs ??= {};
      outputs[ports[k]!] = value;
    }
    return outputs;
  }
}

/** The values of a multiple-input port's connections that are active in `values`, in connection order. */
function itemsOf(input: CompiledInput, values: readonly (NodeValue | undefined)[]): NodeValue[] {
  const items: NodeValue[] = [];
  for (const from of input.sources) {
    const value = values[from.slot];
    if (value !== undefined) items.push(value);
  }
  return items;
}

const EMPTY_MULTI: MultiInputs = Object.freeze({});

/**
 * What the one value slot of a node without outputs holds once the node has run (an actuator write, an
 * alert), so its outputs read `{}` rather than "not run". Never handed to another node.
 */
const RAN: NodeValue = Object.freeze({ value: null, quality: "good", timestamp: 0 }) as NodeValue;

/**
 * Slots share one empty array for the ports a node lacks, and one port-name list per node type: a
 * sensor read has no inputs, and at 50,000 of them five empty arrays each were ~8 MB (issue 15).
 */
const NONE: never[] = Object.freeze([]) as unknown as never[];
const NO_INPUTS: NodeInputs = Object.freeze({}) as NodeInputs;
const NO_STATE: object = Object.freeze({});
function orNone<T>(items: T[]): T[] {
  return items.length === 0 ? NONE : items;
}
const inputPortLists = new WeakMap<AnyNodeDefinition, string[]>();
const outputPortLists = new WeakMap<AnyNodeDefinition, string[]>();
function portNamesOf(
  lists: WeakMap<AnyNodeDefinition, string[]>,
  definition: AnyNodeDefinition,
  side: "inputs" | "outputs",
): string[] {
  let ports = lists.get(definition);
  if (!ports) {
    ports = orNone(definition[side].map((port) => port.name));
    lists.set(definition, ports);
  }
  return ports;
}

/**
 * How a node's run in one scan differs from the usual (completed, inputs as gathered). Kept only for
 * the nodes that need it, so a scan where every node completes records nothing per node.
 */
interface RunNote {
  status: NodeRun["status"];
  /** Skipped as an untaken branch: no inputs, no outputs. */
  untaken?: true;
  error?: string;
  /** The inputs the debugger handed the node (pins applied), kept as it saw them. */
  inputs?: NodeInputs;
}
const UNTAKEN: RunNote = Object.freeze({ status: "skipped", untaken: true });
const DISABLED: RunNote = Object.freeze({ status: "skipped" });

/**
 * A scan's run records, built from what the scan left (its values, last scan's, its notes) only when
 * someone reads `runs`. Nothing here is rewritten by a later scan: every scan has its own value array
 * and notes, and the node durations are copied before a scan changes them.
 */
function buildRuns(
  slots: readonly Slot[],
  ran: number,
  values: readonly (NodeValue | undefined)[],
  previous: readonly (NodeValue | undefined)[],
  notes: readonly (RunNote | undefined)[] | undefined,
  durations: readonly number[],
  now: number,
): NodeRun[] {
  const runs: NodeRun[] = new Array(ran);
  for (let index = 0; index < ran; index++) {
    const slot = slots[index]!;
    const note = notes?.[index];
    if (note?.untaken) {
      runs[index] = {
        nodeId: slot.id,
        status: "skipped",
        startedAt: now,
        durationMs: 0,
        inputs: {},
        outputs: {},
      };
      continue;
    }
    const status = note?.status ?? "completed";
    const run: NodeRun = {
      nodeId: slot.id,
      status,
      startedAt: now,
      durationMs: status === "skipped" ? 0 : durations[index]!,
      inputs: note?.inputs ?? slot.namedInputs(slot.delayed ? previous : values),
      outputs: slot.namedOutputs(values) ?? {},
    };
    if (status === "error") run.error = note!.error;
    runs[index] = run;
  }
  return runs;
}

/** How an overrun reads in a run's error, the log and an alert. */
export function timeoutMessage(tookMs: number, timeoutMs: number): string {
  return `took ${Math.round(tookMs * 10) / 10} ms, over its timeout of ${timeoutMs} ms`;
}

/** Awaits the `prepare` hook of every node in a plan (each distinct config once). */
export async function prepareFlow(plan: FlowPlan): Promise<void> {
  await Promise.all(plan.nodes.map((node) => node.definition.prepare?.(node.config)));
}

/** What a scan left for its run records: nothing here is written again by a later scan. */
interface ScanLeft {
  slots: readonly Slot[];
  values: readonly (NodeValue | undefined)[];
  previous: readonly (NodeValue | undefined)[];
  notes: readonly (RunNote | undefined)[] | undefined;
  durations: readonly number[];
}

/**
 * A scan's result. Its run records are built when `runs` is first read (a host that never reads them,
 * or reads them once a second, does not pay for one per node per scan), then kept; `runs` may be
 * replaced. The per-index accessors answer from what the scan left (or the records once built). A class,
 * not an object literal with an accessor: a literal's fresh getter closure gives every result its own
 * hidden class, and those piled up in the old generation scan after scan.
 */
class ScanOutcome implements ScanResult {
  stoppedBy?: { nodeId: string; error: string };
  private built: NodeRun[] | undefined;
  /** Output marks by plan index (markOutputs), applied as the records are built. */
  private marks: Map<number, { quality: NodeValue["quality"]; reason: string }> | undefined;

  constructor(
    readonly scan: number,
    readonly startedAt: number,
    readonly durationMs: number,
    readonly writes: WriteRequest[],
    readonly alerts: AlertEvent[],
    readonly records: RecordedValue[],
    private count: number,
    private left: ScanLeft | undefined,
  ) {}

  get runs(): NodeRun[] {
    if (this.built === undefined) {
      const left = this.left!;
      const runs = buildRuns(
        left.slots,
        this.count,
        left.values,
        left.previous,
        left.notes,
        left.durations,
        this.startedAt,
      );
      if (this.marks) for (const [index, mark] of this.marks) markRun(runs[index], mark.quality, mark.reason);
      this.marks = undefined;
      this.setBuilt(runs);
    }
    return this.built!;
  }

  set runs(runs: NodeRun[]) {
    this.setBuilt(runs);
  }

  private setBuilt(runs: NodeRun[]): void {
    this.built = runs;
    this.count = runs.length;
    // The values the records were built from are no longer needed.
    this.left = undefined;
  }

  get nodeCount(): number {
    return this.count;
  }

  nodeIdAt(index: number): string {
    return this.built ? this.built[index]!.nodeId : this.left!.slots[index]!.id;
  }

  statusAt(index: number): NodeRun["status"] {
    return this.built ? this.built[index]!.status : (this.left!.notes?.[index]?.status ?? "completed");
  }

  errorAt(index: number): string | undefined {
    if (this.built) return this.built[index]!.error;
    const note = this.left!.notes?.[index];
    return note?.status === "error" ? note.error : undefined;
  }

  durationAt(index: number): number {
    if (this.built) return this.built[index]!.durationMs;
    return this.statusAt(index) === "skipped" ? 0 : this.left!.durations[index]!;
  }

  markOutputs(index: number, quality: NodeValue["quality"], reason: string): void {
    if (this.built) {
      markRun(this.built[index], quality, reason);
      return;
    }
    this.marks ??= new Map();
    this.marks.set(index, { quality, reason });
  }

  toJSON(): Omit<
    ScanResult,
    "nodeCount" | "nodeIdAt" | "statusAt" | "errorAt" | "durationAt" | "markOutputs"
  > {
    const json: ReturnType<ScanOutcome["toJSON"]> = {
      scan: this.scan,
      startedAt: this.startedAt,
      durationMs: this.durationMs,
      runs: this.runs,
      writes: this.writes,
      alerts: this.alerts,
      records: this.records,
    };
    if (this.stoppedBy) json.stoppedBy = this.stoppedBy;
    return json;
  }
}

/** A run's outputs with a quality and reason from outside; bad outputs keep their own reason. */
function markRun(run: NodeRun | undefined, quality: NodeValue["quality"], reason: string): void {
  if (!run) return;
  const outputs: NodeOutputs = {};
  for (const [port, out] of Object.entries(run.outputs)) {
    outputs[port] = out.quality === "bad" ? out : { ...out, quality, reason };
  }
  run.outputs = outputs;
}

/**
 * A ScanResult from records made elsewhere (a test, a replayed scan): the same accessors over `runs`.
 */
export function scanResultOf(fields: {
  scan: number;
  startedAt: number;
  durationMs: number;
  runs: NodeRun[];
  writes?: WriteRequest[];
  alerts?: AlertEvent[];
  records?: RecordedValue[];
  stoppedBy?: { nodeId: string; error: string };
}): ScanResult {
  const result = new ScanOutcome(
    fields.scan,
    fields.startedAt,
    fields.durationMs,
    fields.writes ?? [],
    fields.alerts ?? [],
    fields.records ?? [],
    fields.runs.length,
    undefined,
  );
  result.runs = fields.runs;
  if (fields.stoppedBy) result.stoppedBy = fields.stoppedBy;
  return result;
}

/** Keeps node states and outputs between scans and evaluates a compiled plan, one scan at a time. */
export class FlowRuntime {
  /**
   * Every node's output values, one slot per (node, output port) as compile.ts assigned them: this scan's
   * for the nodes evaluated so far (below `cursor`), the last scan's for the rest until their turn. A
   * fresh array every scan, so a scan's run records can be built from it later, and storing fresh
   * values into it costs no write barrier into an old array; the previous one is kept as `previous`.
   */
  private values: (NodeValue | undefined)[];
  /** Last scan's values: what delayed (cycle-breaking) nodes read, and what a node not yet evaluated still has. */
  private previous: (NodeValue | undefined)[];
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
  /**
   * Each node's last measured duration (see nodeTimingEvery). Replaced by a copy, not written, once a
   * scan result holds it: that result's run records read it whenever they are built.
   */
  private durations: number[];
  private durationsShared = false;
  /** The plan's nodes as the scan loop walks them, built once per plan. */
  private readonly slots: Slot[];
  /** Where an executor writes its outputs by position; emptied after each execution. */
  private readonly scratch: (NodeValue | undefined)[];
  /** A debugger hook ran last scan: it may have put pinned values on unconnected inputs. */
  private debugged = false;
  /** Some node sets runtime_options.timeout_ms: its duration is measured every scan. */
  private readonly hasTimeouts: boolean;

  constructor(
    readonly plan: FlowPlan,
    options: RuntimeOptions,
  ) {
    const n = plan.nodes.length;
    this.values = new Array(plan.slotCount).fill(undefined);
    this.previous = this.values;
    this.cursor = n;
    this.lastRunAt = new Float64Array(n).fill(Number.NaN);
    // A node type without initialState keeps no state: they all share one frozen empty object.
    this.states = plan.nodes.map((node) => node.definition.initialState?.(node.config) ?? NO_STATE);
    this.aliasIndex = new Map(plan.nodes.flatMap((node) => (node.alias ? [[node.alias, node.index]] : [])));
    this.clock = options.clock ?? (() => performance.now());
    this.timingEvery = Math.max(1, Math.floor(options.nodeTimingEvery ?? 16));
    this.durations = new Array(n).fill(0);
    this.slots = plan.nodes.map((node) => new Slot(node, options));
    this.hasTimeouts = this.slots.some((slot) => slot.timeoutMs > 0);
    this.scratch = new Array(Math.max(1, ...this.slots.map((slot) => slot.outputPorts.length))).fill(
      undefined,
    );
    this.ctx = new ScanContext(
      plan.flow.metadata.flow_id,
      (alias) => {
        const index = this.aliasIndex.get(alias);
        if (index === undefined) return undefined;
        const slot = this.slots[index]!;
        const values = index < this.cursor ? this.values : this.previous;
        // The node's first active output.
        for (let k = 0; k < slot.outputPorts.length; k++) {
          const value = values[slot.outputBase + k];
          if (value !== undefined) return value;
        }
        return undefined;
      },
      this.lastRunAt,
    );
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
   * scan awaits a script, a node not yet evaluated answers with last scan's outputs. Built on each call
   * from the scan's values (a new object; the values in it are the ones the nodes produced).
   */
  outputsOf(nodeId: string): NodeOutputs | undefined {
    const node = this.plan.byId.get(nodeId);
    if (!node) return undefined;
    return this.slots[node.index]!.namedOutputs(node.index < this.cursor ? this.values : this.previous);
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
    return this.scanOnce(io);
  }

  /**
   * A scan is in progress; cleared as the scan finishes or throws (synchronously when nothing awaited),
   * without a second promise per scan to catch it.
   */
  private scanning = false;

  private async scanOnce(io: ScanIO): Promise<ScanResult> {
    try {
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
      let ran = 0;
      let notes: (RunNote | undefined)[] | undefined;
      let stoppedBy: ScanResult["stoppedBy"];

      // Last scan's values, for nodes that break feedback loops.
      const previous = this.values;
      const values: (NodeValue | undefined)[] = new Array(this.plan.slotCount);
      this.previous = previous;
      this.values = values;
      const states = this.states;
      const lastRunAt = this.lastRunAt;
      let durations = this.durations;
      if (this.durationsShared && (timed || this.hasTimeouts)) {
        durations = this.durations = durations.slice();
        this.durationsShared = false;
      }
      const scratch = this.scratch;
      const beforeNode = io.beforeNode;
      if (this.debugged) this.clearInputs();
      this.debugged = beforeNode !== undefined;

      for (let index = 0; index < count; index++) {
        const slot = slots[index]!;
        this.cursor = index;
        ctx.nodeId = slot.id;
        ctx.index = index;
        let nodeStart = mark;
        ran = index + 1;

        // Gather: one array load per connected input, from the slot compile.ts resolved.
        const delayed = slot.delayed;
        const source = delayed ? previous : values;
        const ins = slot.ins;
        const inSlot = slot.inSlot;
        const inPort = slot.inPort;
        let active = true;
        for (let i = 0; i < inSlot.length; i++) {
          const value = source[inSlot[i]!];
          if (value === undefined && !delayed) {
            active = false;
            break;
          }
          ins[inPort[i]!] = value;
        }
        let multi = EMPTY_MULTI;
        if (active && slot.multiple.length > 0) {
          const gathered = this.gatherMultiple(slot, source);
          if (gathered === undefined) active = false;
          else multi = gathered;
        }
        if (!active) {
          // An untaken branch: the node does not run and its outputs are inactive downstream too.
          if (timed) mark = clock();
          notes ??= new Array(count);
          notes[index] = UNTAKEN;
          continue;
        }
        let seen: NodeInputs | undefined;
        let pinnedOff = false;
        if (beforeNode !== undefined) {
          seen = slot.inputsFromPositions();
          const held = beforeNode(slot.id, seen);
          if (held !== undefined) {
            await held;
            // The pause is not the node's time.
            if (timed) {
              mark = clock();
              nodeStart = mark;
            }
          }
          // The debugger may have replaced values (pinned inputs): the node runs on what it was shown,
          // a pin on an input the flow leaves unconnected included.
          const names = slot.inputNames;
          if (names.length > 0) {
            if (slot.ins === NONE) slot.ins = new Array(names.length).fill(undefined);
            const given = slot.ins;
            for (let p = 0; p < names.length; p++) given[p] = seen[names[p]!];
          }
          // A pinned enable on an unconnected enable input counts as if it were wired.
          if (slot.enablePort < 0 && slot.enableIndex >= 0 && seen.enable !== undefined)
            pinnedOff = asBoolean(seen.enable) !== true;
          notes ??= new Array(count);
          notes[index] = { status: "completed", inputs: seen };
        }
        const base = slot.outputBase;
        if (pinnedOff || (slot.enablePort >= 0 && asBoolean(ins[slot.enablePort]) !== true)) {
          // Disabled: hold the last outputs, as a DDC block with its enable off does.
          for (let k = 0; k < slot.slotCount; k++) values[base + k] = previous[base + k];
          if (timed) mark = clock();
          notes ??= new Array(count);
          notes[index] = seen ? { status: "skipped", inputs: seen } : DISABLED;
          continue;
        }

        const named = seen ?? slot.named;
        let ok: boolean;
        let error: string | undefined;
        let durationMs: number;
        if (slot.timeoutMs > 0) {
          // An explicit timeout: measured on every scan, each attempt on its own.
          let at = timed ? nodeStart : clock();
          const begun = at;
          ok = false;
          for (let attempt = 0; attempt < slot.attempts && !ok; attempt++) {
            const pending = this.attempt(slot, named, states[index], multi);
            ok = pending === true || pending === false ? pending : await pending;
            error = ok ? undefined : this.attemptError;
            const end = clock();
            if (ok && end - at > slot.timeoutMs) {
              error = timeoutMessage(end - at, slot.timeoutMs);
              ok = false;
              scratch.fill(undefined);
            }
            at = end;
          }
          durationMs = at - begun;
          durations[index] = durationMs;
          mark = at;
        } else {
          const pending = this.attempt(slot, named, states[index], multi);
          ok = pending === true || pending === false ? pending : await pending;
          if (!ok) {
            error = this.attemptError;
            for (let attempt = 1; attempt < slot.attempts && !ok; attempt++) {
              const retry = this.attempt(slot, named, states[index], multi);
              ok = retry === true || retry === false ? retry : await retry;
              error = ok ? undefined : this.attemptError;
            }
          }
          if (timed) {
            mark = clock();
            durationMs = mark - nodeStart;
            durations[index] = durationMs;
          }
        }
        lastRunAt[index] = now;

        if (ok) {
          const outs = slot.outputPorts.length;
          if (outs === 0) values[base] = RAN;
          for (let k = 0; k < outs; k++) {
            values[base + k] = scratch[k];
            scratch[k] = undefined;
          }
          continue;
        }

        const message = error ?? "failed";
        for (let k = 0; k < slot.outputPorts.length; k++) {
          values[base + k] = {
            value: null,
            quality: "bad",
            timestamp: now,
            reason: `${slot.id}: ${message}`,
          };
        }
        if (slot.outputPorts.length === 0) values[base] = RAN;
        notes ??= new Array(count);
        notes[index] =
          seen === undefined ? { status: "error", error } : { status: "error", error, inputs: seen };
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
          for (let rest = base + slot.slotCount; rest < values.length; rest++) values[rest] = previous[rest];
          break;
        }
      }
      this.cursor = count;
      ctx.io = undefined;
      this.durationsShared = true;

      const result = new ScanOutcome(scan, now, clock() - startedAt, writes, alerts, records, ran, {
        slots,
        values,
        previous,
        notes,
        durations,
      });
      if (stoppedBy) result.stoppedBy = stoppedBy;
      return result;
    } finally {
      this.scanning = false;
    }
  }

  /** After a scan the debugger saw: every input back to undefined before gathering afresh. */
  private clearInputs(): void {
    for (const slot of this.slots) if (slot.ins !== NONE) slot.ins.fill(undefined);
  }

  /** Why the last attempt failed: set by `attempt` when it answers false. */
  private attemptError: string | undefined;

  /**
   * One execution, its outputs left in `scratch` by position; the try/catch lives here so the scan loop
   * itself stays free of it. An executor that answers with a promise gets a promise back, settled the
   * same way (true, or false and the error, with `scratch` emptied).
   */
  private attempt(
    slot: Slot,
    named: NodeInputs,
    state: unknown,
    multi: MultiInputs,
  ): boolean | Promise<boolean> {
    try {
      const pending: void | Promise<void> =
        slot.run !== undefined
          ? slot.run(slot.ins, slot.config, state, this.ctx, this.scratch, multi)
          : this.executeNamed(slot, named, state, multi);
      if (pending === undefined) return true;
      return (pending as Promise<void>).then(
        () => true,
        (e: unknown) => this.failed(e),
      );
    } catch (e) {
      return this.failed(e);
    }
  }

  /** A node with only a named `execute`: its inputs by name, its outputs moved into `scratch` by position. */
  private executeNamed(
    slot: Slot,
    named: NodeInputs,
    state: unknown,
    multi: MultiInputs,
  ): undefined | Promise<void> {
    if (named === slot.named && named !== NO_INPUTS) {
      const ins = slot.ins;
      for (let i = 0; i < slot.inName.length; i++) named[slot.inName[i]!] = ins[slot.inPort[i]!];
      for (const input of slot.multiple) named[input.port] = ins[input.index];
    }
    const outputs = slot.definition.execute(named, slot.config, state, this.ctx, multi);
    if (outputs instanceof Promise) return outputs.then((resolved) => this.take(slot, resolved));
    this.take(slot, outputs);
    return undefined;
  }

  private take(slot: Slot, outputs: NodeOutputs): void {
    const ports = slot.outputPorts;
    for (let k = 0; k < ports.length; k++) this.scratch[k] = outputs[ports[k]!];
  }

  private failed(e: unknown): false {
    this.attemptError = e instanceof Error ? e.message : String(e);
    this.scratch.fill(undefined);
    return false;
  }

  /**
   * The lists of a node's multiple-input ports, each also handed to the executor combined into one list
   * value; undefined when one has no active connection (an untaken branch) and the node is not delayed.
   */
  private gatherMultiple(slot: Slot, source: readonly (NodeValue | undefined)[]): MultiInputs | undefined {
    const multi: Record<string, readonly NodeValue[]> = {};
    for (const input of slot.multiple) {
      const items = itemsOf(input, source);
      if (items.length === 0 && !slot.delayed) return undefined;
      multi[input.port] = items;
      slot.ins[input.index] = combineItems(items);
    }
    return multi;
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
      outputs: this.slots[node.index]!.namedOutputs(this.values) ?? null,
    }));
  }

  /**
   * Restores saved state for nodes that are the same node: same id, type and version, and either the same
   * config or a type whose state is meant to survive tuning (PID, totalizer). Returns the ids restored.
   */
  importState(saved: readonly SavedNodeState[]): string[] {
    const restored: string[] = [];
    // A fresh array: the last scan's result may still build its run records from the current one.
    const values = this.values.slice();
    for (const entry of saved) {
      const node = this.plan.byId.get(entry.node_id);
      if (!node || node.type !== entry.type || node.definition.version !== entry.version) continue;
      if (entry.config_key !== node.configKey && !node.definition.keepStateOnConfigChange) continue;
      this.states[node.index] = entry.state;
      this.lastRunAt[node.index] = entry.last_run_at ?? Number.NaN;
      if (entry.outputs) {
        const slot = this.slots[node.index]!;
        if (slot.outputPorts.length === 0) values[slot.outputBase] = RAN;
        for (let k = 0; k < slot.outputPorts.length; k++)
          values[slot.outputBase + k] = entry.outputs[slot.outputPorts[k]!];
      }
      restored.push(node.id);
    }
    if (this.previous === this.values) this.previous = values;
    this.values = values;
    return restored;
  }
}
