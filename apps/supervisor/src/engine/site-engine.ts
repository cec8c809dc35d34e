import { type FlowPlan, type NodeValue, nodeCommands } from "@bms/nodes";
import { checkWriteConflicts, flowContentChecksum, type Site, type ValidationProblem } from "@bms/schemas";
import type { StoredConfig } from "../storage/configs-repo";
import { MAX_TRACE_NODE_RECORDS, timelineShare } from "./execution-tracker";
import { type EngineDeps, type EngineStatus, FlowEngine } from "./flow-engine";
import { FlowParameters, type ParameterStore } from "./flow-parameters";
import { PhaseClocks } from "./scan-scheduler";
import { SharedReads } from "./shared-reads";
import { key } from "./write-manager";

export type SiteDeps = Omit<EngineDeps, "parameters" | "onChange" | "readEach" | "clocks"> & {
  onRunningChange?(running: boolean): void;
  /** Operator-set parameter values, kept across restarts (in memory only when absent). */
  parameterStore?: ParameterStore;
  /** Flows an operator stopped, kept across restarts (nothing is kept when absent). */
  runState?: FlowRunStateStore;
  /** The site's distinct points (read or commanded) after each change: the heap budget checks them. */
  onSitePoints?(points: number): void;
};

/** Which flows an operator stopped; those stay stopped across a restart until started again. */
export interface FlowRunStateStore {
  stopped(): Set<string>;
  markStopped(flowId: string, by: string): void;
  clear(flowIds?: readonly string[]): void;
}

/**
 * Which operator stops an activation honours: all of them when resuming after a restart (or a reload),
 * only those of unchanged flows on a deploy (a flow whose content changed is started as deployed).
 */
export type KeepStopped = "all" | "unchanged";

/** What a deploy did to each flow: integrators see that an untouched sequence was left alone. */
export interface FlowChange {
  flow_id: string;
  name: string;
  action: "added" | "restarted" | "unchanged" | "removed";
}

/** Every command (`ref@priority`) a set of compiled flows sends. */
export function commandsOf(plans: readonly FlowPlan[]): Set<string> {
  const keep = new Set<string>();
  for (const plan of plans)
    for (const node of plan.nodes) for (const c of nodeCommands(node)) keep.add(key(c.ref, c.priority));
  return keep;
}

/**
 * Traces and the event timeline are the engine's largest memory: the site keeps one budget of each,
 * split among its flows by node count, so many small flows keep what one large flow of the same nodes keeps.
 */
export function shareTraceBudget(
  flows: readonly {
    flow?: { plan: { nodes: readonly unknown[] } } | undefined;
    tracker: { nodeRecordBudget: number; timelineBudget: number };
  }[],
): void {
  const nodes = flows.reduce((n, f) => n + (f.flow?.plan.nodes.length ?? 0), 0);
  for (const f of flows) {
    const own = f.flow?.plan.nodes.length ?? 0;
    f.tracker.nodeRecordBudget = Math.max(
      own,
      Math.floor((MAX_TRACE_NODE_RECORDS * own) / Math.max(1, nodes)),
    );
    f.tracker.timelineBudget = timelineShare(own, nodes);
  }
}

/**
 * Which flows a deploy adds, restarts, leaves alone and removes, by flow id and content checksum.
 * Pure: the deploy and its tests share it.
 */
export function diffFlows(
  running: ReadonlyMap<string, { checksum: string; name: string }>,
  next: readonly { flow_id: string; name: string; checksum: string }[],
): FlowChange[] {
  const changes: FlowChange[] = next.map((f) => {
    const current = running.get(f.flow_id);
    const action = !current ? "added" : current.checksum === f.checksum ? "unchanged" : "restarted";
    return { flow_id: f.flow_id, name: f.name, action };
  });
  const ids = new Set(next.map((f) => f.flow_id));
  for (const [id, f] of running)
    if (!ids.has(id)) changes.push({ flow_id: id, name: f.name, action: "removed" });
  return changes;
}

/** The active site as the routes see it: its stored config row and its project identity. */
export interface ActiveSite {
  stored: StoredConfig;
  project: Site["project"];
}

/**
 * The active site: every flow on its own scheduler, so one flow's error, overrun or slow script never
 * delays another. A deploy swaps the site: unchanged flows keep running untouched (scan counter, PID
 * integrals, timers), changed ones restart with node state carried over, removed ones stop and
 * relinquish what only they commanded.
 */
export class SiteEngine {
  private readonly engines = new Map<string, FlowEngine>();
  /**
   * What the routes need of the active site. Not the validated package itself (~1 KB of Zod output per
   * node, 40-65 MB at 50,000 points): it is in runtime.db, and the flows live on in their compiled plans.
   */
  private current: ActiveSite | undefined;
  readonly parameters: FlowParameters;
  readonly reads: SharedReads;
  /** One scan clock per interval: flows on the same interval scan together and share their reads. */
  readonly clocks = new PhaseClocks();
  private wasRunning = false;

  constructor(private readonly deps: SiteDeps) {
    this.reads = new SharedReads((refs) => deps.points.read(refs));
    this.parameters = new FlowParameters(deps.parameterStore);
  }

  /** Compiles every flow and checks write arbitration across them; nothing runs or is stored. */
  static compile(site: Site): { ok: true; plans: FlowPlan[] } | { ok: false; errors: ValidationProblem[] } {
    const plans: FlowPlan[] = [];
    const errors: ValidationProblem[] = [];
    site.flows.forEach((flow, i) => {
      const compiled = FlowEngine.compile(flow, site.flowPaths[i]);
      if (compiled.ok) plans.push(compiled.plan);
      else errors.push(...compiled.errors);
    });
    if (errors.length > 0) return { ok: false, errors };
    const conflicts = checkWriteConflicts(
      plans.map((plan, i) => ({
        flowId: plan.flow.metadata.flow_id,
        flowName: plan.flow.metadata.flow_name,
        path: site.flowPaths[i]!,
        nodes: plan.nodes.map((n) => ({
          id: n.id,
          index: plan.flow.nodes.findIndex((c) => c.id === n.id),
          label: plan.flow.nodes.find((c) => c.id === n.id)?.label,
          // At the priority that goes on the wire: a library instance's inner nodes' own.
          writes: nodeCommands(n),
        })),
      })),
    );
    if (conflicts.length > 0) return { ok: false, errors: conflicts };
    return { ok: true, plans };
  }

  /** The command store all flows share (who holds which point at which priority). */
  get writes(): SiteDeps["writes"] {
    return this.deps.writes;
  }

  get site(): ActiveSite | undefined {
    return this.current;
  }

  /** The flows in site order. */
  flows(): FlowEngine[] {
    return [...this.engines.values()];
  }

  /** The compiled plans of the flows, in site order. */
  plans(): FlowPlan[] {
    return this.flows().flatMap((f) => (f.flow ? [f.flow.plan] : []));
  }

  get(flowId: string): FlowEngine | undefined {
    return this.engines.get(flowId);
  }

  /** The first flow: what the single-flow routes and views show (a site of one flow is the old engine). */
  get primary(): FlowEngine | undefined {
    return this.engines.values().next().value;
  }

  /** Running while any flow runs; in error when none runs and one stopped on an error. */
  get status(): EngineStatus {
    const flows = this.flows();
    if (flows.some((f) => f.status === "running")) return "running";
    if (flows.some((f) => f.status === "error")) return "error";
    return "stopped";
  }

  /** Swaps in a new site. Runtimes of new and changed flows are prepared by their own activation. */
  async activate(
    site: Site,
    stored: StoredConfig,
    plans: readonly FlowPlan[],
    run: boolean,
    restartAll = false,
    keepStopped: KeepStopped = "unchanged",
  ): Promise<FlowChange[]> {
    const next = site.flows.map((flow, i) => ({
      flow,
      plan: plans[i]!,
      flow_id: flow.metadata.flow_id,
      name: flow.metadata.flow_name,
      checksum: flowContentChecksum(flow),
    }));
    const running = new Map(
      [...this.engines].flatMap(([id, e]) =>
        e.flow ? [[id, { checksum: restartAll ? "" : e.flow.checksum, name: e.name }] as const] : [],
      ),
    );
    const changes = diffFlows(running, next);
    const keep = commandsOf(plans);
    // An operator's stop holds until they start the flow again (or a deploy changes it).
    const stopped = this.deps.runState?.stopped() ?? new Set<string>();
    if (keepStopped === "unchanged") {
      const restarted = changes.filter((c) => c.action !== "unchanged").map((c) => c.flow_id);
      for (const id of restarted) stopped.delete(id);
      this.deps.runState?.clear(restarted);
    }
    this.current = { stored, project: site.project };

    // Removed flows first: their points are released before anything else changes.
    for (const change of changes.filter((c) => c.action === "removed")) {
      const engine = this.engines.get(change.flow_id);
      this.engines.delete(change.flow_id);
      await engine?.retire(run ? keep : new Set());
    }
    const ordered = new Map<string, FlowEngine>();
    await Promise.all(
      next.map(async (n, i) => {
        const change = changes[i]!;
        let engine = this.engines.get(n.flow_id);
        if (!engine) engine = this.newEngine(n.flow_id);
        ordered.set(n.flow_id, engine);
        const runThis = run && !stopped.has(n.flow_id);
        if (change.action === "unchanged") {
          engine.retain(stored);
          if (runThis && engine.status !== "running") engine.start();
          if (!runThis && engine.status === "running") await engine.stop("deployed without running");
          return;
        }
        await engine.activate(n.flow, n.checksum, stored, n.plan, runThis, keep);
      }),
    );
    this.engines.clear();
    for (const [id, engine] of ordered) this.engines.set(id, engine);
    shareTraceBudget(this.flows());
    this.changed();
    return changes;
  }

  private newEngine(flowId: string): FlowEngine {
    return new FlowEngine(flowId, {
      ...this.deps,
      parameters: this.parameters.forFlow(flowId),
      onChange: () => this.changed(),
      readEach: (refs, periodMs, each) => this.reads.readEach(refs, periodMs, each),
      clocks: this.clocks,
    });
  }

  /** A flow's status or inputs changed: COV subscriptions, history points and the running flag follow. */
  private changed() {
    const flows = this.flows();
    void this.deps.cov.set(flows.flatMap((f) => f.covReads()));
    this.deps.history.setFlowPoints(
      flows.flatMap((f) => (f.flow ? [...f.flow.plan.reads, ...f.flow.plan.writes] : [])),
    );
    this.deps.onSitePoints?.(this.deps.history.points.size);
    const running = this.status === "running";
    if (running !== this.wasRunning) {
      this.wasRunning = running;
      this.deps.onRunningChange?.(running);
    }
  }

  /** Starts every flow of the site (operator stops of single flows are forgotten). */
  start(): boolean {
    if (this.engines.size === 0) return false;
    this.deps.runState?.clear();
    for (const f of this.flows()) f.start();
    return true;
  }

  /** An operator starts one flow: it runs, and runs again after a restart. */
  startFlow(engine: FlowEngine): boolean {
    this.deps.runState?.clear([engine.flowId]);
    return engine.start();
  }

  /** An operator stops one flow: it relinquishes its points and stays stopped across restarts. */
  async stopFlow(engine: FlowEngine, by: string, reason: string): Promise<void> {
    this.deps.runState?.markStopped(engine.flowId, by);
    await engine.stop(reason);
  }

  /** Stops every flow; each relinquishes its own points, then anything left from before holders were kept. */
  async stop(reason = "stopped by request"): Promise<void> {
    await Promise.all(this.flows().map((f) => f.stop(reason)));
    const outcomes = await this.deps.writes.relinquish(new Set());
    for (const o of outcomes)
      if (!o.ok)
        this.deps.events.add("warn", "writes", `relinquish ${o.point} @${o.priority} failed: ${o.error}`);
  }

  /** Stops the schedulers without relinquishing (process shutdown: points stay commanded, as on a reboot). */
  halt(): void {
    for (const f of this.flows()) f.flow?.scheduler.stop();
  }

  /** Writes every flow's node state now, periodic included (clean shutdown, after `halt` and `idle`). */
  saveState(): void {
    for (const f of this.flows()) f.saveState();
  }

  async idle(): Promise<void> {
    await Promise.all(this.flows().map((f) => f.idle()));
  }

  async settled(): Promise<void> {
    await Promise.all(this.flows().map((f) => f.settled()));
  }

  notifyChange(refs: readonly string[]): void {
    for (const f of this.flows()) f.notifyChange(refs);
  }

  /** Values every flow read in its last scan (the dashboard's live table: no extra BACnet traffic). */
  readValues(flowId?: string): Map<string, NodeValue> {
    const out = new Map<string, NodeValue>();
    for (const f of this.flows())
      if (!flowId || f.flowId === flowId) for (const [k, v] of f.readValues()) out.set(k, v);
    return out;
  }
}
