import type { NodeRun } from "@bms/nodes";
import type { NodeExecutionEvent } from "@bms/schemas";

/**
 * A flow's execution timeline: the newest `capacity` node events in a ring of flat columns. Events are
 * made into objects only when someone asks (the API), not as they happen: a 2,000-node flow adds 2,000
 * completions every tenth scan, and as objects they lived long enough (5,000 kept) to be promoted and
 * collected by the major GC, a visible share of a scan's garbage (issue 15). Node ids, statuses and
 * errors are references to strings the scan already holds; the numbers are typed arrays.
 */
export class ExecutionTimeline {
  private nodeIds: string[] = [];
  private statuses: NodeRun["status"][] = [];
  private errors: (string | undefined)[] = [];
  private scans = new Float64Array(0);
  private times = new Float64Array(0);
  private durations = new Float64Array(0);
  /** Where the next event goes, and how many are kept. */
  private head = 0;
  private size = 0;

  constructor(private cap: number) {
    this.allocate(cap);
  }

  get capacity(): number {
    return this.cap;
  }

  /** A new budget keeps the newest events that fit. */
  set capacity(capacity: number) {
    const next = Math.max(1, Math.floor(capacity));
    if (next === this.cap) return;
    const kept = this.newest(next);
    this.cap = next;
    this.allocate(next);
    for (const k of kept) this.push(k.nodeId, k.status, k.scan, k.at, k.duration, k.error);
  }

  get length(): number {
    return this.size;
  }

  clear(): void {
    this.head = 0;
    this.size = 0;
    this.nodeIds.fill("");
    this.errors.fill(undefined);
  }

  push(
    nodeId: string,
    status: NodeRun["status"],
    scan: number,
    at: number,
    duration: number,
    error?: string,
  ): void {
    const i = this.head;
    this.nodeIds[i] = nodeId;
    this.statuses[i] = status;
    this.errors[i] = error;
    this.scans[i] = scan;
    this.times[i] = at;
    this.durations[i] = duration;
    this.head = (i + 1) % this.cap;
    if (this.size < this.cap) this.size++;
  }

  /** The newest `limit` events at or after `since` (wall clock ms), oldest first, as the API shows them. */
  recent(limit: number, since?: number): NodeExecutionEvent[] {
    const out: NodeExecutionEvent[] = [];
    let lastTime = Number.NaN;
    let iso = "";
    for (const k of this.newest(this.size)) {
      if (since !== undefined && k.at < since) continue;
      if (k.at !== lastTime) {
        lastTime = k.at;
        iso = new Date(k.at).toISOString();
      }
      const event: NodeExecutionEvent = {
        node_id: k.nodeId,
        event_type: k.status,
        timestamp: iso,
        scan: k.scan,
        duration_ms: k.duration,
      };
      if (k.error) event.error_details = k.error;
      out.push(event);
    }
    // As Array#slice(-limit) always has: 0 means every kept event.
    return out.slice(-limit);
  }

  /** The newest `n` events, oldest first. */
  private newest(n: number) {
    const count = Math.min(n, this.size);
    const out: {
      nodeId: string;
      status: NodeRun["status"];
      scan: number;
      at: number;
      duration: number;
      error: string | undefined;
    }[] = new Array(count);
    for (let k = 0; k < count; k++) {
      const i = (this.head - count + k + this.cap) % this.cap;
      out[k] = {
        nodeId: this.nodeIds[i]!,
        status: this.statuses[i]!,
        scan: this.scans[i]!,
        at: this.times[i]!,
        duration: this.durations[i]!,
        error: this.errors[i],
      };
    }
    return out;
  }

  private allocate(capacity: number): void {
    this.nodeIds = new Array<string>(capacity).fill("");
    this.statuses = new Array<NodeRun["status"]>(capacity).fill("completed");
    this.errors = new Array<string | undefined>(capacity).fill(undefined);
    this.scans = new Float64Array(capacity);
    this.times = new Float64Array(capacity);
    this.durations = new Float64Array(capacity);
    this.head = 0;
    this.size = 0;
  }
}
