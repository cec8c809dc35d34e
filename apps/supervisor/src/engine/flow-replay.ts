import type { FlowPlan, Scalar } from "@bms/nodes";
import { compareReplays, type OutputComparison, type RecordedSample, replayFlow } from "@bms/nodes/replay";
import type { ValidationProblem } from "@bms/schemas";
import type { Bucket } from "../storage/timeseries-repo";
import type { ScanTrace } from "./execution-tracker";

/**
 * Replay (issue 16) runs here, on the supervisor, because the supervisor holds the data: the 15 minutes
 * of scan traces and the point history. Shipping a day of history to a browser would cost more than
 * running the flow over it. The candidate version and the running version are both run headless over
 * the same recorded reads (so state such as a PID's integral starts alike for both), in this thread but
 * in slices that yield to the event loop, with a scan cap and a CPU budget, one replay at a time. A
 * replay never writes: its runtimes have no path to a device, only a list of what they would command.
 */

export const MAX_REPLAY_SCANS = 20_000;
export const REPLAY_CPU_BUDGET_MS = 15_000;
export const MAX_REPLAY_HOURS = 24;

export type ReplaySource = "traces" | "history";

export interface ReplayInputs {
  running: FlowPlan;
  candidate: FlowPlan;
  source: ReplaySource;
  /** Scan traces of the running flow (source "traces"). */
  traces: readonly ScanTrace[];
  /** Raw history of a point over [from, to] (source "history"). */
  history(ref: string, from: number, to: number): Bucket[];
  parameter(name: string): Scalar | undefined;
  units(ref: string): string | undefined;
  now: number;
  hours: number;
  tolerance?: number;
  timeZone?: string;
}

export interface ReplayReport {
  source: ReplaySource;
  from: number;
  to: number;
  scans: number;
  scan_ms: number;
  elapsed_ms: number;
  points_replayed: number;
  /** Set when a run stopped early (the flow stopped on a failure, or the CPU budget ran out). */
  running_stopped?: string;
  candidate_stopped?: string;
  outputs: OutputComparison[];
}

export type ReplayOutcome =
  | { ok: true; report: ReplayReport }
  | { ok: false; status: 409 | 422; code: string; problems: ValidationProblem[] };

/** The flow's scan period, or 1 s for a flow on a schedule or on change. */
function scanPeriod(plan: FlowPlan): number {
  const trigger = plan.flow.execution.trigger;
  return trigger.type === "interval" ? trigger.interval_ms : 1000;
}

/**
 * Point reads the traces saw: a node that reads exactly one point and outputs `value` (a sensor read,
 * a point status) shows that point's value at each traced scan.
 */
export function inputsFromTraces(
  plan: FlowPlan,
  traces: readonly ScanTrace[],
): Map<string, RecordedSample[]> {
  const readers = new Map<string, string>();
  for (const n of plan.nodes) if (n.reads.length === 1) readers.set(n.id, n.reads[0]!);
  const inputs = new Map<string, RecordedSample[]>();
  for (const trace of traces) {
    for (const node of trace.nodes) {
      const ref = readers.get(node.id);
      const out = ref ? node.outputs?.value : undefined;
      if (!ref || !out || Array.isArray(out.value)) continue;
      const list = inputs.get(ref) ?? [];
      list.push({ at: trace.at, value: out.value as Scalar | null, quality: out.quality });
      inputs.set(ref, list);
    }
  }
  return inputs;
}

function inputsFromHistory(
  refs: readonly string[],
  history: ReplayInputs["history"],
  from: number,
  to: number,
): Map<string, RecordedSample[]> {
  const inputs = new Map<string, RecordedSample[]>();
  for (const ref of refs) {
    // One sample from before the window, so the first scans read the value in force, not nothing.
    const samples = history(ref, from - 3_600_000, to).map(
      (b): RecordedSample => ({ at: b.t, value: b.last, quality: b.quality }),
    );
    if (samples.length > 0) inputs.set(ref, samples);
  }
  return inputs;
}

export class FlowReplayer {
  private busy = false;

  async replay(input: ReplayInputs): Promise<ReplayOutcome> {
    if (this.busy)
      return {
        ok: false,
        status: 409,
        code: "replay_busy",
        problems: [{ path: "", message: "another replay is running; try again when it ends" }],
      };
    this.busy = true;
    try {
      return { ok: true, report: await this.run(input) };
    } finally {
      this.busy = false;
    }
  }

  private async run(input: ReplayInputs): Promise<ReplayReport> {
    const started = performance.now();
    let times: number[];
    let inputs: Map<string, RecordedSample[]>;
    let scanMs: number;
    if (input.source === "traces") {
      times = input.traces.map((t) => t.at);
      inputs = inputsFromTraces(input.running, input.traces);
      scanMs = times.length > 1 ? Math.round((times.at(-1)! - times[0]!) / (times.length - 1)) : 0;
    } else {
      const to = input.now;
      const from = to - input.hours * 3_600_000;
      // As fine as the candidate's own scan, but never more scans than the cap: a day at 1 s is thinned to ~4 s.
      scanMs = Math.max(scanPeriod(input.candidate), Math.ceil((to - from) / MAX_REPLAY_SCANS));
      times = [];
      for (let t = from; t <= to; t += scanMs) times.push(t);
      const refs = [...new Set([...input.running.reads, ...input.candidate.reads])];
      inputs = inputsFromHistory(refs, input.history, from, to);
    }
    const deadline = started + REPLAY_CPU_BUDGET_MS;
    const options = { parameter: input.parameter, deadline };
    const running = await replayFlow(input.running, inputs, times, options);
    const candidate = await replayFlow(input.candidate, inputs, times, options);
    const outputs = compareReplays(running, candidate, times, {
      units: input.units,
      ...(input.tolerance !== undefined ? { tolerance: input.tolerance } : {}),
      ...(input.timeZone ? { timeZone: input.timeZone } : {}),
    });
    return {
      source: input.source,
      from: times[0] ?? input.now,
      to: times.at(-1) ?? input.now,
      scans: times.length,
      scan_ms: scanMs,
      elapsed_ms: Math.round(performance.now() - started),
      points_replayed: inputs.size,
      ...(running.stopped ? { running_stopped: running.stopped } : {}),
      ...(candidate.stopped ? { candidate_stopped: candidate.stopped } : {}),
      outputs,
    };
  }
}
