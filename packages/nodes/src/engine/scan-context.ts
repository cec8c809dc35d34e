import type { ScriptRunner } from "../core/script-runner";
import type {
  AlertEvent,
  NodeContext,
  NodeLogger,
  NodeValue,
  RecordedValue,
  Scalar,
  WriteRequest,
} from "../core/types";
import type { ScanIO } from "./flow-runtime";

/**
 * The one NodeContext a runtime hands to its nodes. It is created once per runtime and re-pointed at each
 * scan and node, rather than rebuilt with fresh closures every scan: on a 200-node flow that allocation
 * was a measurable share of the interpreter's overhead. Nodes see it as the read-only NodeContext and
 * must not keep it past their `execute` call (none does: they keep state, not the context).
 */
export class ScanContext implements NodeContext {
  now = 0;
  scan = 0;
  /**
   * The running node's position in the plan: `dt` is worked out from its last run only when a node asks
   * (a ramp, a totalizer), not stored for every node every scan.
   */
  index = 0;
  nodeId = "";
  trigger = "";
  io: ScanIO | undefined;
  writes: WriteRequest[] = [];
  alerts: AlertEvent[] = [];
  records: RecordedValue[] = [];
  readonly log: NodeLogger;

  constructor(
    readonly flowId: string,
    private readonly lookupOutput: (alias: string) => NodeValue | undefined,
    /** When each node last executed (scan time, NaN: never), written after the node runs. */
    private readonly lastRunAt: Float64Array,
  ) {
    this.log = {
      info: (message) => this.io?.log?.("info", this.nodeId, message),
      warn: (message) => this.io?.log?.("warn", this.nodeId, message),
      error: (message) => this.io?.log?.("error", this.nodeId, message),
    };
  }

  /** Seconds since this node last executed; 0 on its first execution (or a clock that went back). */
  get dt(): number {
    const last = this.lastRunAt[this.index]!;
    return Number.isNaN(last) ? 0 : Math.max(0, (this.now - last) / 1000);
  }

  readPoint(point: string): NodeValue | undefined {
    return this.io?.readPoint(point);
  }

  parameter(name: string): Scalar | undefined {
    return this.io?.parameter?.(name);
  }

  writePoint(request: Omit<WriteRequest, "nodeId">): void {
    this.writes.push({ ...request, nodeId: this.nodeId });
  }

  lookup(alias: string): NodeValue | undefined {
    return this.lookupOutput(alias);
  }

  emitAlert(alert: Omit<AlertEvent, "nodeId" | "timestamp">): void {
    this.alerts.push({ ...alert, nodeId: this.nodeId, timestamp: this.now });
  }

  record(name: string, value: NodeValue): void {
    this.records.push({
      nodeId: this.nodeId,
      name,
      value: value.value,
      quality: value.quality,
      timestamp: this.now,
    });
  }

  subflowInput(name: string): NodeValue | undefined {
    return this.io?.subflowInput?.(name);
  }

  get scripts(): ScriptRunner | undefined {
    return this.io?.scripts;
  }
}
