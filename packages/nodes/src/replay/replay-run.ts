import type { Quality } from "@bms/schemas";
import type { NodeValue, Scalar } from "../core/types";
import type { FlowPlan } from "../engine/compile";
import { FlowRuntime } from "../engine/flow-runtime";

/**
 * Replay (issue 16): one version of a flow run headless over recorded point values, as fast as it
 * evaluates. Nothing here touches a device: reads come from the recording, writes are only collected.
 */

export interface RecordedSample {
  at: number;
  value: Scalar | null;
  quality: Quality;
}

/** Recorded values per canonical point ref, oldest first. */
export type RecordedInputs = ReadonlyMap<string, readonly RecordedSample[]>;

/** What the flow commanded a point to at each replayed scan (null: not commanded yet, or relinquished). */
export interface CommandTrack {
  point: string;
  priority: number | null;
  values: (Scalar | null)[];
}

export interface ReplayRun {
  scans: number;
  /** Per commanded point, one value per entry of the replayed times. */
  tracks: Map<string, CommandTrack>;
  /** The run stopped early: the flow stopped on a failure, or the CPU budget ran out. */
  stopped?: string;
}

export interface ReplayOptions {
  parameter?: (name: string) => Scalar | undefined;
  /** performance.now() after which the run gives up (the caller's CPU budget). */
  deadline?: number;
  /** Scans between yields to the event loop, so a host's live work keeps its turn. */
  yieldEvery?: number;
}

/** Sample-and-hold over the recording: the last value recorded at or before `at`. */
export class RecordedReader {
  private readonly cursor = new Map<string, number>();

  constructor(private readonly inputs: RecordedInputs) {}

  /** `at` must not go backwards between calls (replays walk time forwards). */
  valueAt(ref: string, at: number): NodeValue | undefined {
    const samples = this.inputs.get(ref);
    if (!samples || samples.length === 0) return undefined;
    let i = this.cursor.get(ref) ?? -1;
    while (i + 1 < samples.length && samples[i + 1]!.at <= at) i++;
    this.cursor.set(ref, i);
    if (i < 0) return undefined;
    const s = samples[i]!;
    return { value: s.value, quality: s.quality, timestamp: s.at };
  }
}

const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Runs `plan` at each of `times` (ascending, ms since epoch). A point the flow commands and the
 * recording does not hold reads back what was last written, as a device answers for its own output.
 */
export async function replayFlow(
  plan: FlowPlan,
  inputs: RecordedInputs,
  times: readonly number[],
  options: ReplayOptions = {},
): Promise<ReplayRun> {
  const runtime = new FlowRuntime(plan, {
    onFailure: plan.flow.execution.error_handling.on_failure,
    retryCount: 0,
  });
  await runtime.prepare();
  const reader = new RecordedReader(inputs);
  const commanded = new Map<string, { value: Scalar | null; priority: number }>();
  const tracks = new Map<string, CommandTrack>();
  const yieldEvery = options.yieldEvery ?? 250;
  let stopped: string | undefined;
  let scans = 0;

  for (const [index, now] of times.entries()) {
    if (index > 0 && index % yieldEvery === 0) {
      await nextTurn();
      if (options.deadline !== undefined && performance.now() > options.deadline) {
        stopped = `the CPU budget ran out after ${scans} of ${times.length} scans`;
        break;
      }
    }
    const result = await runtime.runScan({
      now,
      trigger: "interval",
      readPoint: (ref) => {
        const recorded = reader.valueAt(ref, now);
        if (recorded) return recorded;
        const own = commanded.get(ref);
        return own && own.value !== null ? { value: own.value, quality: "good", timestamp: now } : undefined;
      },
      parameter: options.parameter,
    });
    scans++;
    for (const w of result.writes) {
      commanded.set(w.point, { value: w.value, priority: w.priority });
      if (!tracks.has(w.point))
        tracks.set(w.point, { point: w.point, priority: w.priority, values: new Array(index).fill(null) });
    }
    for (const [point, track] of tracks) {
      const c = commanded.get(point);
      track.values.push(c?.value ?? null);
      if (c) track.priority = c.priority;
    }
    if (result.stoppedBy) {
      stopped = `the flow stopped at scan ${scans}: node ${result.stoppedBy.nodeId} failed (${result.stoppedBy.error})`;
      break;
    }
  }
  // A stopped run's tracks are as long as the scans it made; pad them so both versions line up.
  for (const track of tracks.values()) while (track.values.length < times.length) track.values.push(null);
  return { scans, tracks, ...(stopped ? { stopped } : {}) };
}
