import {
  compileFlow,
  type FlowPlan,
  FlowRuntime,
  lookupNode,
  type NodeValue,
  onChangeState,
  type Scalar,
  type ScanResult,
  type ScriptRunner,
  statePlanOf,
  wholeState,
} from "@bms/nodes";
import { type FlowConfiguration, normalizePointRef, type ValidationProblem } from "@bms/schemas";
import type { PointReading } from "../protocols/point-io";
import type { StoredConfig } from "../storage/configs-repo";
import type { EventsRepo } from "../storage/events-repo";
import type { NodeStateRepo } from "../storage/node-state-repo";
import type { AlertSink } from "./alert-sink";
import type { ChangeFeed } from "./change-feed";
import { ExecutionTracker } from "./execution-tracker";
import { FlowDebugger } from "./flow-debugger";
import type { HistoryHandle, HistoryRecorder } from "./history-recorder";
import { type PhaseClocks, type ScanReason, ScanScheduler } from "./scan-scheduler";
import { ScanTiming } from "./scan-timing";
import type { WriteManager } from "./write-manager";

/** Where points are read: the point I/O registry, every protocol behind one call. */
export interface PointReader {
  read(refs: readonly string[]): Promise<PointReading[]>;
}

export interface EngineDeps {
  points: PointReader;
  nodeState: NodeStateRepo;
  events: EventsRepo;
  history: HistoryRecorder;
  writes: WriteManager;
  alerts: AlertSink;
  /** Values pushed for on-change flows: BACnet COV and every plugin that subscribes. */
  cov: Pick<ChangeFeed, "cached" | "set">;
  /** Where script nodes evaluate: the worker pool (in the engine's own thread when absent). */
  scripts?: ScriptRunner;
  /** Runtime parameters, shared by every flow of the site (names are unique across a site). */
  parameters: Map<string, Scalar>;
  /** The flow's status or its inputs changed: the site recomputes COV subscriptions and history points. */
  onChange?(): void;
  /**
   * Point reads, shared between flows within a period (the engine reads directly when absent): each
   * reading is handed over as its device answers; resolves once every device has.
   */
  readEach?(
    refs: readonly string[],
    periodMs: number,
    each: (i: number, reading: PointReading) => void,
  ): Promise<void>;
  /** The site's phase clocks: flows on one interval scan on the same tick (their own timer when absent). */
  clocks?: PhaseClocks;
  /**
   * `--state-save-interval`: periodic node state (PID integrals, filters, math's `last`) is written at most
   * this often; on-change state at the end of each scan that changed it. Default DEFAULT_STATE_SAVE_INTERVAL_MS.
   */
  stateSaveIntervalMs?: number;
}

/**
 * 10 s: a power cut then loses at most 10 s of a PID integral or a filter, which re-converge within a
 * minute anyway, while a 1 s scan writes that state a tenth as often (math's `last` alone was ~1,000 rows
 * a second on a 2,000-node site). Latches, counters and alarms are not affected: they are on-change.
 */
export const DEFAULT_STATE_SAVE_INTERVAL_MS = 10_000;

export interface ActiveFlow {
  stored: StoredConfig;
  config: FlowConfiguration;
  /** The flow's content checksum: an unchanged flow is not restarted by a redeploy. */
  checksum: string;
  plan: FlowPlan;
  runtime: FlowRuntime;
  scheduler: ScanScheduler;
  /** Every point the flow reads, of any protocol. */
  reads: string[];
  /**
   * Commanded points the flow does not read itself, read back every scan in the same batches: a
   * command's quality is the device's, not the command's (a device outage shows as bad, with the reason).
   */
  readBacks: string[];
  /**
   * `reads` then `readBacks`, frozen: what a scan reads when no COV value is cached, the same list every
   * scan. A scan's values are an array in this order, and the plan's lookups are resolved once here.
   */
  allReads: readonly string[];
  /** A point's place in `allReads` (readPoint resolves by it, never by a map per scan). */
  readIndex: Map<string, number>;
  /** Each of `allReads`' history handle, resolved once per plan (no lookup by ref per point per scan). */
  historyHandles: HistoryHandle[];
  /** Each commanding node's plan index and the points it commands, to mark its outputs with the device's quality. */
  commands: readonly CommandNode[];
  /** Last saved JSON of each stateful node's state (`wholeState`), so only changed state is written. */
  savedState: Map<string, string>;
  /** The same for on-change nodes' `onChangeState` part, compared at the end of every scan. */
  savedOnChange: Map<string, string>;
  /** Nodes whose outputs a cycle-breaking node reads next scan. */
  loopSources: Set<string>;
  /** Plan indices of the nodes whose state is saved (`StatePlan.persisted`). */
  persisted: number[];
  /** The part of `persisted` saved at the end of every scan that changed it (the rest: periodically). */
  persistedOnChange: number[];
  /** By plan index: the node is in `persistedOnChange`. */
  isOnChange: Uint8Array;
  /** When periodic state was last saved (activation counts: the state was just loaded or initialised). */
  periodicSavedAt: number;
  /** For on_change flows: the refs whose change starts a scan (every input when the trigger lists none). */
  changeTriggers: Set<string> | undefined;
}

export type EngineStatus = "running" | "stopped" | "error";

/**
 * Runs one flow of the site: compiled once at activation, then one scan per trigger on its own
 * scheduler. A scan reads every input point in batches, evaluates the plan, sends the writes that
 * changed, and records history and node state. It never throws into the scheduler: failures become
 * bad quality, events and statuses, and they stay inside this flow.
 */
export class FlowEngine {
  private active: ActiveFlow | undefined;
  private inFlight: Promise<void> | undefined;
  status: EngineStatus = "stopped";
  errorMessage: string | undefined;
  startedAt: number | null = null;
  readonly tracker = new ExecutionTracker();
  /** Start times, cycle times and good reads of the recent scans (phase and points due per period). */
  readonly timing = new ScanTiming();
  /** The last scan's values, in the order of its flow's `allReads` (see readValues). */
  private lastReads: { refs: readonly string[]; values: readonly (NodeValue | undefined)[] } = {
    refs: [],
    values: [],
  };
  private pendingRelinquish: Promise<void> = Promise.resolve();
  /** Breakpoints, stepping, pins and dry run (issue 16). */
  readonly debug: FlowDebugger;

  constructor(
    readonly flowId: string,
    private readonly deps: EngineDeps,
  ) {
    this.debug = new FlowDebugger(flowId, deps.events);
  }

  get flow(): ActiveFlow | undefined {
    return this.active;
  }

  get parameters(): Map<string, Scalar> {
    return this.deps.parameters;
  }

  /** Compiles without side effects: what /api/config/validate and deploy use before anything is stored. */
  static compile(
    config: FlowConfiguration,
    path = "configuration",
  ): { ok: true; plan: FlowPlan } | { ok: false; errors: ValidationProblem[] } {
    const compiled = compileFlow(config, lookupNode);
    if (!compiled.ok) {
      return {
        ok: false,
        errors: compiled.errors.map((e) => ({ path: `${path}.${e.path}`, message: e.message })),
      };
    }
    return { ok: true, plan: compiled.value };
  }

  /**
   * Replaces this flow's running version. The old one finishes its scan first; points it commanded
   * that nothing in the new site commands (`keep`, as `ref@priority`) are relinquished; node state
   * carries over for unchanged nodes.
   */
  async activate(
    config: FlowConfiguration,
    checksum: string,
    stored: StoredConfig,
    plan: FlowPlan,
    run: boolean,
    keep: ReadonlySet<string>,
  ): Promise<void> {
    const runtime = new FlowRuntime(plan, {
      onFailure: plan.flow.execution.error_handling.on_failure,
      retryCount: plan.flow.execution.error_handling.retry_count,
    });
    // Script sandboxes and the like load before the old flow stops, so the swap itself stays short.
    await runtime.prepare();
    const previous = this.active;
    previous?.scheduler.stop();
    // A scan held at a breakpoint finishes before the swap; pins and breakpoints on nodes that no
    // longer exist simply never match.
    this.debug.release("the flow was redeployed");
    await this.inFlight;
    // The old version's periodic state is written before the new one loads it (carried state).
    if (previous) this.persistState(previous, true);

    // Parameters the new flow declares start at their configured defaults unless an operator set them.
    for (const node of plan.nodes) {
      for (const p of node.definition.parameters?.(node.config) ?? []) {
        if (!this.parameters.has(p.name)) this.parameters.set(p.name, p.value);
      }
    }
    const saved = this.deps.nodeState.load(plan.flow.metadata.flow_id);
    const restored = runtime.importState(saved);

    const reads = [...plan.reads];
    const readSet = new Set(plan.reads);
    const readBacks = [...new Set(plan.writes)].filter((ref) => !readSet.has(ref));
    const allReads = Object.freeze([...reads, ...readBacks]);
    const commands = plan.nodes
      .filter((n) => n.writes.length > 0)
      .map((n) => ({ index: n.index, refs: [...n.writes] }));

    const { loopSources, persisted, onChange: persistedOnChange } = statePlanOf(plan);
    const isOnChange = new Uint8Array(plan.nodes.length);
    for (const i of persistedOnChange) isOnChange[i] = 1;
    const scheduler = new ScanScheduler(
      plan.flow.execution.trigger,
      (reason) => this.scan(reason),
      this.deps.clocks,
    );
    this.active = {
      stored,
      // The plan's own validated copy: the site package's copy of the same flow (~1 KB of Zod output
      // per node) is then garbage after activation rather than a second copy for as long as it runs.
      config: plan.flow,
      checksum,
      plan,
      runtime,
      scheduler,
      reads,
      readBacks,
      allReads,
      readIndex: new Map(allReads.map((ref, i) => [ref, i] as const)),
      historyHandles: allReads.map((ref) => this.deps.history.handle(ref)),
      commands,
      savedState: new Map(),
      savedOnChange: new Map(),
      changeTriggers: undefined,
      loopSources,
      persisted,
      persistedOnChange,
      isOnChange,
      periodicSavedAt: Date.now(),
    };
    const trigger = plan.flow.execution.trigger;
    this.active.changeTriggers =
      trigger.type === "on_change"
        ? new Set(trigger.points.length > 0 ? trigger.points.map(canonical) : plan.reads)
        : undefined;
    this.tracker.reset();
    this.timing.reset();
    this.deps.events.add(
      "info",
      "engine",
      `activated flow "${config.metadata.flow_name}" of config v${stored.version}`,
      { restored_state: restored, flow_id: this.flowId },
    );
    if (run) this.startScheduler();
    else this.setStatus("stopped");
    // on_change flows run on COV (the site subscribes every on_change flow's BACnet inputs).
    this.deps.onChange?.();
    // Points the old version commanded and nothing in the new site does are released. The new flow
    // never writes them, so this can finish after it starts, and a slow device does not hold it up.
    this.pendingRelinquish = this.relinquishUnless(run ? keep : new Set()).then(() => undefined);
  }

  /** A redeploy left this flow's content unchanged: it keeps running, only the config version moves. */
  retain(stored: StoredConfig): void {
    if (this.active) this.active.stored = stored;
  }

  /** The flow left the site: stop it and relinquish its commands that no remaining flow takes over. */
  async retire(keep: ReadonlySet<string>): Promise<void> {
    this.active?.scheduler.stop();
    this.debug.release("the flow left the site", false);
    await this.inFlight;
    if (this.active) this.persistState(this.active, true);
    const name = this.active?.config.metadata.flow_name ?? this.flowId;
    const outcomes = await this.relinquishUnless(keep);
    this.active = undefined;
    this.setStatus("stopped");
    this.deps.onChange?.();
    this.deps.events.add("info", "engine", `flow "${name}" removed from the site`, {
      flow_id: this.flowId,
      relinquished: outcomes,
    });
  }

  /** Inputs this flow wants pushed on change (on_change flows only, while running). */
  covReads(): string[] {
    const flow = this.active;
    if (!flow?.changeTriggers || this.status !== "running") return [];
    return flow.reads;
  }

  /** Resolves when the scan in progress, if any, has finished (shutdown waits for it). */
  async idle(): Promise<void> {
    await this.inFlight;
  }

  /** Resolves when the relinquishes started by the last activation are done (tests, shutdown). */
  settled(): Promise<void> {
    return this.pendingRelinquish;
  }

  private startScheduler() {
    if (!this.active) return;
    this.deps.writes.invalidate(this.flowId);
    this.active.scheduler.start();
    this.startedAt = Date.now();
    this.errorMessage = undefined;
    this.setStatus("running");
  }

  private setStatus(status: EngineStatus) {
    const wasRunning = this.status === "running";
    this.status = status;
    if (wasRunning !== (status === "running")) this.deps.onChange?.();
  }

  start(): boolean {
    if (!this.active) return false;
    if (this.status === "running") return true;
    this.startScheduler();
    this.deps.events.add("info", "engine", `flow "${this.name}" started`, { flow_id: this.flowId });
    return true;
  }

  get name(): string {
    return this.active?.config.metadata.flow_name ?? this.flowId;
  }

  /** Stops scanning and relinquishes every point this flow commanded (and only those). */
  async stop(reason = "stopped by request", status: EngineStatus = "stopped"): Promise<void> {
    this.active?.scheduler.stop();
    this.debug.release("the flow stopped");
    await this.inFlight;
    this.saveState();
    const outcomes = await this.relinquishUnless(new Set());
    this.setStatus(status);
    this.deps.onChange?.();
    if (status === "error") this.errorMessage = reason;
    this.deps.events.add(
      status === "error" ? "error" : "info",
      "engine",
      `flow "${this.name}" stopped: ${reason}`,
      { flow_id: this.flowId, relinquished: outcomes },
    );
  }

  private async relinquishUnless(keep: ReadonlySet<string>) {
    const outcomes = await this.deps.writes.relinquish(keep, Date.now(), this.flowId);
    for (const o of outcomes) {
      if (!o.ok)
        this.deps.events.add("warn", "writes", `relinquish ${o.point} @${o.priority} failed: ${o.error}`);
    }
    return outcomes;
  }

  /** A COV notification (or a polled change) for these refs: start a scan if one of them triggers. */
  notifyChange(refs: readonly string[]): void {
    const flow = this.active;
    if (!flow?.changeTriggers || this.status !== "running") return;
    if (refs.some((ref) => flow.changeTriggers?.has(ref))) flow.scheduler.notifyChange();
  }

  /** Runs one scan now (also what the scheduler calls). */
  scan(reason: ScanReason): Promise<void> {
    const run = this.runScan(reason).catch((error: unknown) => {
      this.deps.events.add(
        "error",
        "engine",
        `flow "${this.name}": scan failed: ${error instanceof Error ? error.message : String(error)}`,
        { flow_id: this.flowId },
      );
    });
    this.inFlight = run;
    return run;
  }

  private async runScan(reason: ScanReason): Promise<void> {
    const flow = this.active;
    if (!flow) return;
    const cycleStart = performance.now();
    const startedAt = Date.now();
    let good = 0;
    const all = flow.allReads;
    // The scan's values by their place in allReads: one array a scan, not a map set and read per point.
    const values: (NodeValue | undefined)[] = new Array(all.length);
    // Values a live COV subscription reported are current; everything else is read through the
    // registry, which batches per protocol (and the plugin per device).
    let toRead = all;
    // Where each of toRead goes in values; absent while toRead is allReads itself (no COV cache).
    let at: number[] | undefined;
    if (flow.changeTriggers) {
      const some: string[] = [];
      at = [];
      for (let i = 0; i < all.length; i++) {
        const ref = all[i]!;
        const cached = i < flow.reads.length ? this.deps.cov.cached(ref) : undefined;
        if (cached) values[i] = { value: cached.value, quality: cached.quality, timestamp: cached.timestamp };
        else {
          some.push(ref);
          at.push(i);
        }
      }
      toRead = some;
    }
    if (toRead.length > 0) {
      // Each point's value is taken as its device answers, while the slower devices are still being
      // waited for (the scan's barrier), straight into its place: nothing per point is left for after.
      const take = (i: number, result: PointReading) => {
        if (result.quality === "good") good++;
        // A plain reading is already a node value ({value, quality, timestamp}, never modified): kept as
        // it is rather than copied, one object a point a scan less (issue 15). One with an error code is
        // copied without it, as node values carry a reason only.
        let value: NodeValue;
        if (result.code === undefined && result.reason === undefined) value = result as NodeValue;
        else {
          value = { value: result.value, quality: result.quality, timestamp: result.timestamp };
          if (result.reason) value.reason = result.reason;
        }
        values[at === undefined ? i : at[i]!] = value;
      };
      if (this.deps.readEach)
        await this.deps.readEach(toRead, periodOf(flow.plan.flow.execution.trigger), take);
      else {
        const results = await this.deps.points.read(toRead);
        for (let i = 0; i < results.length; i++) take(i, results[i]!);
      }
    }
    if (this.active !== flow) return;
    const readMs = performance.now() - cycleStart;
    this.lastReads = { refs: all, values };

    const scanTime = Date.now();
    const debug = this.debug;
    const beforeNode = debug.beforeNodeHook(flow.runtime);
    const readValue = pointLookup(all, flow.readIndex, values);
    // Awaited: a script node hands its code to a worker, and the event loop serves HTTP and BACnet meanwhile.
    const result = await flow.runtime.runScan({
      now: scanTime,
      trigger: reason,
      // A pinned point reads its pin; history below still records what the device said.
      readPoint: debug.hasPointPins
        ? (point) => debug.pointValue(point, scanTime) ?? readValue(point)
        : readValue,
      ...(beforeNode ? { beforeNode } : {}),
      parameter: (name) => this.parameters.get(name),
      log: (level, nodeId, message) =>
        this.deps.events.add(level, `node:${nodeId}`, message, { flow_id: this.flowId }),
      ...(this.deps.scripts ? { scripts: this.deps.scripts } : {}),
    });

    // Dry run: the writes are recorded for the Designer, never sent; the commands already in force stay.
    let outcomes: Awaited<ReturnType<WriteManager["apply"]>> = [];
    if (debug.dryRun) debug.suppress(result.writes, scanTime);
    // A scan that commands nothing skips the write path's promises (most scans of most flows).
    else if (result.writes.length > 0)
      outcomes = await this.deps.writes.apply(result.writes, scanTime, this.flowId);
    for (const o of outcomes) {
      if (!o.ok)
        this.deps.events.add(
          "warn",
          "writes",
          `write ${o.point} = ${String(o.value)} @${o.priority} failed: ${o.error}`,
          { flow_id: this.flowId },
        );
    }
    // A commanded point's history comes from the read-back below (the device's value and quality),
    // never from the command: a write the device no longer answers for must not look good.
    const history = this.deps.history;
    const handles = flow.historyHandles;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== undefined) history.recordAt(handles[i]!, scalarOf(v.value), v.quality, v.timestamp);
    }
    for (const r of result.records)
      this.deps.history.record(`log:${r.name}`, scalarOf(r.value), r.quality, r.timestamp);
    for (const alert of result.alerts) this.deps.alerts.handle(alert, this.flowId);
    this.persistState(flow);
    markCommandQuality(result, flow.commands, readValue);
    this.tracker.record(result, Date.now());
    const cycleMs = performance.now() - cycleStart;
    this.tracker.recordCycle(cycleMs);
    this.timing.record(startedAt, cycleMs, readMs, toRead.length, good);
    if (result.stoppedBy) {
      await this.stop(`node ${result.stoppedBy.nodeId} failed: ${result.stoppedBy.error}`, "error");
    }
  }

  /** Saves every node's state now, periodic included (stop, shutdown): a restart resumes exactly here. */
  saveState(): void {
    if (this.active) this.persistState(this.active, true);
  }

  /**
   * Saves the state that changed: on-change nodes' after every scan, periodic nodes' once the save
   * interval has passed (or when `all`). Periodic nodes are not even serialised in between: comparing
   * 1,000 math nodes' JSON every scan was most of the cost the writes had. An on-change node whose state
   * also moves every scan (a totalizer's total, a sub-flow's PID) is compared on its `onChangeState` part
   * after every scan and on the whole at the interval, so the part that moves is periodic too.
   */
  private persistState(flow: ActiveFlow, all = false) {
    if (flow.persisted.length === 0) return;
    const now = Date.now();
    const interval = this.deps.stateSaveIntervalMs ?? DEFAULT_STATE_SAVE_INTERVAL_MS;
    const periodic = all || now - flow.periodicSavedAt >= interval;
    if (periodic) flow.periodicSavedAt = now;
    const indices = periodic ? flow.persisted : flow.persistedOnChange;
    if (indices.length === 0) return;
    const changed: { nodeId: string; json: string }[] = [];
    const exported = flow.runtime.exportState(indices);
    for (let k = 0; k < exported.length; k++) {
      const saved = exported[k]!;
      const node = flow.plan.nodes[indices[k]!]!;
      const loopSource = flow.loopSources.has(saved.node_id);
      let write = false;
      if (flow.isOnChange[node.index] === 1) {
        const part = JSON.stringify(onChangeState(node, saved, loopSource));
        if (flow.savedOnChange.get(saved.node_id) !== part) {
          flow.savedOnChange.set(saved.node_id, part);
          write = true;
        }
      }
      // A plain on-change node's part is its whole state: compared above, nothing more moves.
      const whole = periodic && (flow.isOnChange[node.index] !== 1 || node.definition.onChangeState);
      if (whole) {
        const json = JSON.stringify(wholeState(saved, loopSource));
        if (flow.savedState.get(saved.node_id) !== json) {
          flow.savedState.set(saved.node_id, json);
          write = true;
        }
      }
      if (write) changed.push({ nodeId: saved.node_id, json: JSON.stringify(saved) });
    }
    this.deps.nodeState.save(this.flowId, changed);
  }

  lastResult(): ScanResult | undefined {
    return this.tracker.lastScan;
  }

  /** Live context for the overlay: each node's current outputs and the values read in the last scan. */
  liveContext(): Record<string, unknown> {
    const flow = this.active;
    if (!flow) return {};
    const context: Record<string, unknown> = {};
    for (const node of flow.plan.nodes) {
      const outputs = flow.runtime.outputsOf(node.id);
      if (outputs) context[node.alias ?? node.id] = outputs;
    }
    return context;
  }

  /** The values read in the last scan, by point (built when asked: the scan itself keeps an array). */
  readValues(): Map<string, NodeValue> {
    const { refs, values } = this.lastReads;
    const out = new Map<string, NodeValue>();
    for (let i = 0; i < refs.length; i++) {
      const v = values[i];
      if (v !== undefined) out.set(refs[i]!, v);
    }
    return out;
  }

  /** Dry run on or off; leaving it makes the next scan send every command afresh. */
  setDryRun(enabled: boolean, by: string): void {
    this.debug.setDryRun(enabled, by);
    if (!enabled) this.deps.writes.invalidate(this.flowId);
  }

  /** The commands this flow has in force on the devices (sent before a pause or a dry run began). */
  commandsInForce() {
    return this.deps.writes.commandsOf(this.flowId);
  }
}

/** How long a read stays fresh for this flow: its scan period (shared reads within it are served once). */
function periodOf(trigger: FlowConfiguration["execution"]["trigger"]): number {
  return trigger.type === "interval" ? trigger.interval_ms : 0;
}

/**
 * A scan's readPoint over its values array. Sensor reads ask for their points in the plan's order, which
 * is the order of `refs` (the plan lists reads node by node), so the next place is tried first by
 * identity (the node's config holds the very string the plan listed); anything else goes by the index.
 */
function pointLookup(
  refs: readonly string[],
  index: ReadonlyMap<string, number>,
  values: readonly (NodeValue | undefined)[],
): (point: string) => NodeValue | undefined {
  let next = 0;
  return (point) => {
    if (refs[next] === point) return values[next++];
    const i = index.get(point);
    if (i === undefined) return undefined;
    next = i + 1;
    return values[i];
  };
}

function scalarOf(value: NodeValue["value"]): number | boolean | string | null {
  return Array.isArray(value) ? null : (value as number | boolean | string | null);
}

interface CommandNode {
  index: number;
  refs: readonly string[];
}

/**
 * A command node whose point the device does not answer for (offline, no such object, refused) shows
 * that: its outputs keep the commanded value but take the device's quality and reason. The runtime's
 * own copy is untouched, so the flow computes exactly as before; only what people see changes.
 */
function markCommandQuality(
  result: ScanResult,
  commands: readonly CommandNode[],
  readValue: (ref: string) => NodeValue | undefined,
): void {
  for (const { index, refs } of commands) {
    // A node the scan did not reach (stopped before it) shows no run.
    if (index >= result.nodeCount) continue;
    for (const ref of refs) {
      const v = readValue(ref);
      if (v === undefined || v.quality === "good") continue;
      result.markOutputs(index, v.quality, `device: ${v.reason ?? `${ref} is ${v.quality}`}`);
      break;
    }
  }
}

function canonical(ref: string): string {
  try {
    return normalizePointRef(ref);
  } catch {
    return ref;
  }
}
