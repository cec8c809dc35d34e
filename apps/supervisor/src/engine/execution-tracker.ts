import type { NodeRun, ScanResult } from "@bms/nodes";
import type { NodeExecutionEvent, NodeExecutionStatus } from "@bms/schemas";
import { ExecutionTimeline } from "./execution-timeline";

export interface ScanTrace {
  scan: number;
  at: number;
  durationMs: number;
  nodes: {
    id: string;
    status: NodeRun["status"];
    inputs: NodeRun["inputs"];
    outputs: NodeRun["outputs"];
    error?: string;
  }[];
}

const TRACE_WINDOW_MS = 15 * 60_000;
/** Timeline events one flow keeps at most; a site of many flows shares MAX_SITE_TIMELINE among them. */
export const MAX_TIMELINE = 5000;
/**
 * Timeline events a whole site keeps: what one flow keeps, so twenty 100-node flows hold what one
 * 2,000-node flow holds. At 20,000 (and 250,000 before any site budget) twenty flows kept four times the
 * events of the single flow, ~100 s of completions each against 25 s, and the heap they held ran twice the
 * major GCs of the single flow's supervisor in the same window (bench/multi-flow.bench.ts, --trace-gc).
 */
export const MAX_SITE_TIMELINE = MAX_TIMELINE;
/** A flow's share never drops below this, so a small flow in a big site still shows its recent errors. */
const MIN_FLOW_TIMELINE = 200;
/** At most one trace a second, and at most this many node records in all: a 2,000-node flow keeps a
 * shorter window (30 traces, half a minute) rather than growing the heap. A record holds its node's
 * outputs (otherwise garbage after the next scan) and a copy of its inputs, ~200-250 bytes: at 250,000
 * records the buffer alone was ~55 MB of a 2,000-point supervisor's heap (heap snapshot, issue 15). Until
 * someone asks for a trace, it holds its scan's value arrays (that scan's and the one before, which
 * delayed nodes read) instead of records: the same values without a record object per node. */
const TRACE_MIN_SPACING_MS = 1000;
export const MAX_TRACE_NODE_RECORDS = 60_000;
/**
 * A trace as kept: the scan's result itself. Its node records are built when asked for (tracesSince),
 * from that scan's own values, not every scan: the tracker reads each scan's statuses through the
 * result's per-index accessors, so a scan that nobody inspects builds no record per node (at 2,000
 * sensor reads and 10 scans a second, 20,000 records a second for the collector).
 */
interface KeptTrace {
  at: number;
  result: ScanResult;
}

/** What the engine did lately: the last scan's node statuses, the event timeline and 15 min of traces. */
export class ExecutionTracker {
  lastScan: ScanResult | undefined;
  lastScanAt: number | null = null;
  scans = 0;
  private durations: number[] = [];
  /** Whole scan cycles (reads, evaluation, writes, history), which is what limits the scan rate. */
  private cycles: number[] = [];
  private readonly timeline = new ExecutionTimeline(MAX_TIMELINE);
  private traces: KeptTrace[] = [];
  /**
   * Node records this flow's traces may hold. The site divides MAX_TRACE_NODE_RECORDS among its flows,
   * so twenty 100-node flows keep what one 2,000-node flow keeps, not twenty times as much.
   */
  nodeRecordBudget = MAX_TRACE_NODE_RECORDS;
  /** Timeline events this flow may hold (the site divides MAX_SITE_TIMELINE among its flows). */
  get timelineBudget(): number {
    return this.timeline.capacity;
  }

  set timelineBudget(events: number) {
    this.timeline.capacity = events;
  }
  private nodesPerScan = 0;

  reset(): void {
    this.lastScan = undefined;
    this.lastScanAt = null;
    this.scans = 0;
    this.durations = [];
    this.cycles = [];
    this.timeline.clear();
    this.traces = [];
  }

  record(result: ScanResult, wallClock: number): void {
    this.lastScan = result;
    this.lastScanAt = wallClock;
    this.scans++;
    const count = result.nodeCount;
    this.nodesPerScan = count;
    this.durations.push(result.durationMs);
    if (this.durations.length > 100) this.durations.shift();

    // The timeline keeps what an engineer looks for: errors and skips every scan, completions sparsely.
    const completions = result.scan % 10 === 1;
    for (let i = 0; i < count; i++) {
      const status = result.statusAt(i);
      if (status === "completed" && !completions) continue;
      this.timeline.push(
        result.nodeIdAt(i),
        status,
        result.scan,
        wallClock,
        result.durationAt(i),
        result.errorAt(i),
      );
    }

    const lastTrace = this.traces[this.traces.length - 1];
    if (lastTrace && wallClock - lastTrace.at < TRACE_MIN_SPACING_MS) return;
    this.traces.push({ at: wallClock, result });
    const cutoff = wallClock - TRACE_WINDOW_MS;
    const perTrace = Math.max(1, count);
    const maxTraces = Math.max(1, Math.floor(this.nodeRecordBudget / perTrace));
    let drop = Math.max(0, this.traces.length - maxTraces);
    while (drop < this.traces.length && this.traces[drop]!.at < cutoff) drop++;
    if (drop > 0) this.traces.splice(0, drop);
  }

  recordCycle(ms: number): void {
    this.cycles.push(ms);
    if (this.cycles.length > 100) this.cycles.shift();
  }

  averageCycleMs(): number {
    if (this.cycles.length === 0) return 0;
    return this.cycles.reduce((a, b) => a + b, 0) / this.cycles.length;
  }

  averageScanMs(): number {
    if (this.durations.length === 0) return 0;
    return this.durations.reduce((a, b) => a + b, 0) / this.durations.length;
  }

  nodesPerSecond(): number {
    const avg = this.averageScanMs();
    return avg > 0 ? (this.nodesPerScan * 1000) / avg : 0;
  }

  nodeStatuses(): NodeExecutionStatus[] {
    const scan = this.lastScan;
    if (!scan) return [];
    return scan.runs.map((run) => {
      const status: NodeExecutionStatus = {
        node_id: run.nodeId,
        status: run.status,
        start_time: new Date(this.lastScanAt ?? run.startedAt).toISOString(),
        execution_duration_ms: run.durationMs,
        input_values: run.inputs,
        output_values: run.outputs,
      };
      if (run.error) status.error_message = run.error;
      return status;
    });
  }

  recentTimeline(limit = 200, since?: number): NodeExecutionEvent[] {
    return this.timeline.recent(limit, since);
  }

  /** The kept traces' scan durations since `from`, without building their node records. */
  traceDurationsSince(from: number): number[] {
    return this.traces.filter((t) => t.at >= from).map((t) => t.result.durationMs);
  }

  tracesSince(from: number, nodeId?: string): ScanTrace[] {
    return this.traces
      .filter((t) => t.at >= from)
      .map(({ at, result }) => ({
        scan: result.scan,
        at,
        durationMs: result.durationMs,
        nodes: result.runs.flatMap((r) =>
          nodeId !== undefined && r.nodeId !== nodeId
            ? []
            : [
                {
                  id: r.nodeId,
                  status: r.status,
                  inputs: r.inputs,
                  outputs: r.outputs,
                  ...(r.error ? { error: r.error } : {}),
                },
              ],
        ),
      }));
  }
}

/** A flow's timeline share: by node count of the site, between MIN_FLOW_TIMELINE and MAX_TIMELINE. */
export function timelineShare(ownNodes: number, siteNodes: number): number {
  const share = Math.floor((MAX_SITE_TIMELINE * ownNodes) / Math.max(1, siteNodes));
  return Math.min(MAX_TIMELINE, Math.max(MIN_FLOW_TIMELINE, share));
}
