import type { FlowRuntime, NodeInputs, NodeValue, Scalar, WriteRequest } from "@bms/nodes";
import type { Quality } from "@bms/schemas";

/**
 * The live debugger of one flow (issue 16): breakpoints that hold a scan before a node, stepping, pinned
 * values on node inputs and point reads, and dry run. The engine asks it for a `beforeNode` hook each
 * scan (none while nothing is set, so an undebugged flow pays nothing) and for pinned point values.
 *
 * A paused scan holds all of its writes: the runtime collects a scan's writes and the engine sends them
 * only once the scan has finished. Commands sent by earlier scans stay in force on the devices; the pause
 * reports them (`writes_in_force`) so nobody believes the points were released.
 */

export const DEFAULT_MAX_PAUSE_MS = 60_000;

export type PinTarget = { kind: "input"; node: string; port: string } | { kind: "point"; ref: string };

export interface Pin {
  id: string;
  target: PinTarget;
  value: Scalar | null;
  quality: Quality;
  set_by: string;
  set_at: number;
  expires_at: number;
}

export type ResumeMode = "continue" | "node" | "scan";

interface Paused {
  nodeId: string;
  scan: number;
  reason: "breakpoint" | "step";
  since: number;
  autoResumeAt: number;
  resolve(): void;
  timer: NodeJS.Timeout;
}

export interface SuppressedWrite {
  point: string;
  value: WriteRequest["value"];
  priority: number;
  node_id: string;
  at: number;
}

/** Where the debugger reports what it did (the engine's event log). */
export interface DebugEvents {
  add(
    level: "info" | "warn" | "error",
    source: string,
    message: string,
    data?: Record<string, unknown>,
  ): void;
}

const MAX_SUPPRESSED = 500;

export class FlowDebugger {
  private readonly breakpoints = new Set<string>();
  private readonly pins = new Map<string, Pin>();
  private inputPinCount = 0;
  private pointPinCount = 0;
  private paused: Paused | undefined;
  private step: { mode: "node" | "scan"; fromScan: number } | undefined;
  private scanInputs = new Map<string, NodeInputs>();
  private inputsScan = 0;
  private nextPinId = 1;
  maxPauseMs = DEFAULT_MAX_PAUSE_MS;
  dryRun: { since: number; by: string } | undefined;
  /** The writes a dry run did not send, newest last (bounded). */
  readonly suppressed: SuppressedWrite[] = [];
  /** The last suppressed write per point and priority: what the flow would be commanding now. */
  readonly wouldCommand = new Map<string, SuppressedWrite>();

  constructor(
    readonly flowId: string,
    private readonly events: DebugEvents,
    private readonly clock: () => number = Date.now,
  ) {}

  // --- breakpoints and stepping -------------------------------------------------------------------

  setBreakpoints(nodes: readonly string[], maxPauseMs: number = this.maxPauseMs): void {
    this.breakpoints.clear();
    for (const n of nodes) this.breakpoints.add(n);
    this.maxPauseMs = maxPauseMs;
  }

  get breakpointList(): string[] {
    return [...this.breakpoints];
  }

  get pause() {
    const p = this.paused;
    return (
      p && { nodeId: p.nodeId, scan: p.scan, reason: p.reason, since: p.since, autoResumeAt: p.autoResumeAt }
    );
  }

  /**
   * Lets a paused scan go on: to the end and beyond (`continue`), to the next node (`node`), or to the
   * first node of the next scan (`scan`). False when the flow is not paused.
   */
  resume(mode: ResumeMode, by: string): boolean {
    const p = this.paused;
    if (!p) return false;
    clearTimeout(p.timer);
    this.paused = undefined;
    this.step = mode === "continue" ? undefined : { mode, fromScan: p.scan };
    this.events.add("info", "debug", `flow resumed (${mode}) by ${by} after ${this.clock() - p.since} ms`, {
      flow_id: this.flowId,
      node_id: p.nodeId,
    });
    p.resolve();
    return true;
  }

  /**
   * Clears stepping and releases a pause: the flow is stopping, being replaced or leaving the site, and
   * its scan must finish. Breakpoints and pins stay for the next activation when `keep`.
   */
  release(reason: string, keep = true): void {
    this.step = undefined;
    if (this.paused) this.resume("continue", reason);
    if (!keep) {
      this.breakpoints.clear();
      this.pins.clear();
      this.inputPinCount = 0;
      this.pointPinCount = 0;
    }
  }

  private hold(nodeId: string, scan: number, reason: Paused["reason"]): Promise<void> {
    return new Promise<void>((resolve) => {
      const since = this.clock();
      // A paused flow does not hold its plant forever: past the maximum pause it resumes by itself.
      const timer = setTimeout(() => {
        if (this.paused?.timer !== timer) return;
        this.events.add(
          "warn",
          "debug",
          `flow resumed by itself after the maximum pause of ${this.maxPauseMs} ms`,
          {
            flow_id: this.flowId,
            node_id: nodeId,
          },
        );
        this.release("maximum pause");
      }, this.maxPauseMs);
      timer.unref?.();
      this.paused = { nodeId, scan, reason, since, autoResumeAt: since + this.maxPauseMs, resolve, timer };
      this.events.add("warn", "debug", `flow paused before node ${nodeId} (scan ${scan}, ${reason})`, {
        flow_id: this.flowId,
        node_id: nodeId,
      });
    });
  }

  /** The hook for this scan, or undefined when no breakpoint, step or input pin is set. */
  beforeNodeHook(
    runtime: FlowRuntime,
  ): ((nodeId: string, inputs: NodeInputs) => void | Promise<void>) | undefined {
    if (this.breakpoints.size === 0 && this.step === undefined && this.inputPinCount === 0) return undefined;
    return (nodeId, inputs) => {
      const scan = runtime.scans;
      if (scan !== this.inputsScan) {
        this.inputsScan = scan;
        this.scanInputs = new Map();
      }
      if (this.inputPinCount > 0) this.applyInputPins(nodeId, inputs);
      this.scanInputs.set(nodeId, { ...inputs });
      const step = this.step;
      if (step && (step.mode === "node" || scan > step.fromScan)) return this.hold(nodeId, scan, "step");
      if (this.breakpoints.has(nodeId)) return this.hold(nodeId, scan, "breakpoint");
      return undefined;
    };
  }

  /** The inputs a node saw in the current (or paused) scan, pins applied; undefined before it ran. */
  inputsOf(nodeId: string): NodeInputs | undefined {
    return this.scanInputs.get(nodeId);
  }

  // --- pins ------------------------------------------------------------------------------------------

  addPin(target: PinTarget, value: Scalar | null, quality: Quality, ttlMs: number, by: string): Pin {
    // One pin per target: a new value replaces the old one.
    for (const [id, p] of this.pins) if (sameTarget(p.target, target)) this.dropPin(id);
    const now = this.clock();
    const pin: Pin = {
      id: `pin-${this.nextPinId++}`,
      target,
      value,
      quality,
      set_by: by,
      set_at: now,
      expires_at: now + ttlMs,
    };
    this.pins.set(pin.id, pin);
    if (target.kind === "input") this.inputPinCount++;
    else this.pointPinCount++;
    this.events.add(
      "warn",
      "debug",
      `pinned ${describeTarget(target)} = ${String(value)} (${quality}) by ${by}`,
      {
        flow_id: this.flowId,
        expires_at: new Date(pin.expires_at).toISOString(),
      },
    );
    return pin;
  }

  removePin(id: string): boolean {
    const pin = this.pins.get(id);
    if (!pin) return false;
    this.dropPin(id);
    this.events.add("info", "debug", `removed the pin on ${describeTarget(pin.target)}`, {
      flow_id: this.flowId,
    });
    return true;
  }

  private dropPin(id: string) {
    const pin = this.pins.get(id);
    if (!pin) return;
    this.pins.delete(id);
    if (pin.target.kind === "input") this.inputPinCount--;
    else this.pointPinCount--;
  }

  /** The pins in force (expired ones are dropped here, as everywhere a pin is read). */
  activePins(): Pin[] {
    this.expire();
    return [...this.pins.values()];
  }

  private expire() {
    const now = this.clock();
    for (const [id, p] of this.pins) {
      if (p.expires_at <= now) {
        this.dropPin(id);
        this.events.add("info", "debug", `the pin on ${describeTarget(p.target)} expired`, {
          flow_id: this.flowId,
        });
      }
    }
  }

  /** Some point is pinned: a scan's readPoint asks pointValue first (otherwise it skips it). */
  get hasPointPins(): boolean {
    return this.pointPinCount > 0;
  }

  /** The pinned value of a point read, or undefined (fast when no point is pinned). */
  pointValue(ref: string, now: number): NodeValue | undefined {
    if (this.pointPinCount === 0) return undefined;
    for (const p of this.pins.values()) {
      if (p.target.kind !== "point" || p.target.ref !== ref) continue;
      if (p.expires_at <= now) {
        this.expire();
        return undefined;
      }
      return { value: p.value, quality: p.quality, timestamp: now, reason: `pinned by ${p.set_by}` };
    }
    return undefined;
  }

  private applyInputPins(nodeId: string, inputs: NodeInputs) {
    const now = this.clock();
    for (const p of this.pins.values()) {
      if (p.target.kind !== "input" || p.target.node !== nodeId) continue;
      if (p.expires_at <= now) continue;
      inputs[p.target.port] = {
        value: p.value,
        quality: p.quality,
        timestamp: now,
        reason: `pinned by ${p.set_by}`,
      };
    }
    if ([...this.pins.values()].some((p) => p.expires_at <= now)) this.expire();
  }

  // --- dry run -----------------------------------------------------------------------------------------

  /** Records a dry-run scan's writes instead of sending them. */
  suppress(writes: readonly WriteRequest[], at: number): void {
    for (const w of writes) {
      const entry: SuppressedWrite = {
        point: w.point,
        value: w.value,
        priority: w.priority,
        node_id: w.nodeId,
        at,
      };
      const key = `${w.point}@${w.priority}`;
      const last = this.wouldCommand.get(key);
      this.wouldCommand.set(key, entry);
      // The log keeps changes, as the write manager would have sent them; the latest table keeps the rest.
      if (last && last.value === w.value) continue;
      this.suppressed.push(entry);
      if (this.suppressed.length > MAX_SUPPRESSED) this.suppressed.shift();
    }
  }

  setDryRun(enabled: boolean, by: string): void {
    if (enabled && !this.dryRun) {
      this.dryRun = { since: this.clock(), by };
      this.suppressed.length = 0;
      this.wouldCommand.clear();
    } else if (!enabled) this.dryRun = undefined;
    this.events.add("warn", "debug", `dry run ${enabled ? "started" : "ended"} by ${by}`, {
      flow_id: this.flowId,
    });
  }
}

function sameTarget(a: PinTarget, b: PinTarget): boolean {
  if (a.kind === "point" && b.kind === "point") return a.ref === b.ref;
  if (a.kind === "input" && b.kind === "input") return a.node === b.node && a.port === b.port;
  return false;
}

export function describeTarget(t: PinTarget): string {
  return t.kind === "point" ? `point ${t.ref}` : `input ${t.node}.${t.port}`;
}
