import type { Quality } from "@bms/schemas";
import type { TimeseriesRepo } from "../storage/timeseries-repo";

/**
 * Defaults: a month of trends, in at most 2 GB. At the measured 2.3 bytes a sample on disk
 * (bench/history.bench.ts) that is 30 days of about 1,700 points stored every 5 s; bigger or faster sites
 * reach the size budget first and keep fewer days. Both are set with --history-hours / --history-max-mb (BMS_HISTORY_HOURS, BMS_HISTORY_MAX_MB).
 */
export const DEFAULT_HISTORY_HOURS = 720;
export const DEFAULT_HISTORY_MAX_MB = 2000;

export interface HistoryPolicy {
  /** At most one sample per point per this many ms. */
  minIntervalMs: number;
  /** A sample is stored at least this often even when the value does not change. */
  maxIntervalMs: number;
  retentionMs: number;
  /** Most bytes the stored history may take; the oldest hours are dropped first. */
  maxBytes: number;
}

/** Told of every value that becomes history (the Sparkplug northbound publishes exactly these). */
export type RecordedListener = (
  ref: string,
  value: number | boolean | string | null,
  quality: Quality,
  ts: number,
) => void;

/**
 * A point's last stored sample, and the point's handle: a flow resolves one per point when it is
 * activated (`handle`) and records through it (`recordAt`), so its scans do no lookup by ref per point.
 * `ts` is NaN until the first sample, which then always counts.
 */
export interface HistoryHandle {
  readonly ref: string;
  ts: number;
  value: number | boolean | string | null;
  quality: Quality | undefined;
}

/**
 * Decides which values become history: every point the flow reads or writes plus the watch list,
 * on change (or quality change) but at most once per minInterval, and at least once per maxInterval so
 * a flat line still shows as data. Flushes once a second; once a minute drops what is past the retention
 * or over the size budget.
 */
export class HistoryRecorder {
  private readonly last = new Map<string, HistoryHandle>();
  private flowPoints = new Set<string>();
  private timers: NodeJS.Timeout[] = [];
  private readonly listeners = new Set<RecordedListener>();

  constructor(
    private readonly repo: TimeseriesRepo,
    private readonly policy: HistoryPolicy,
  ) {}

  start(): void {
    this.timers.push(setInterval(() => this.flush(), 1000));
    this.timers.push(setInterval(() => this.prune(), 60_000));
    this.prune();
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.flush();
  }

  setFlowPoints(refs: readonly string[]): void {
    this.flowPoints = new Set(refs);
  }

  /** Adds a listener; returns its removal. A listener that throws does not stop recording. */
  onRecorded(listener: RecordedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get points(): ReadonlySet<string> {
    return this.flowPoints;
  }

  record(ref: string, value: number | boolean | string | null, quality: Quality, ts: number): void {
    this.recordAt(this.handle(ref), value, quality, ts);
  }

  /** The point's handle, the same object for as long as the recorder lives (flows resolve theirs once). */
  handle(ref: string): HistoryHandle {
    let last = this.last.get(ref);
    if (!last) {
      last = { ref, ts: Number.NaN, value: null, quality: undefined };
      this.last.set(ref, last);
    }
    return last;
  }

  /** `record` through a handle from `handle`: the policy, the store and the listeners, no lookup by ref. */
  recordAt(last: HistoryHandle, value: number | boolean | string | null, quality: Quality, ts: number): void {
    // NaN (never recorded) fails both comparisons, so a point's first sample is always stored.
    const elapsed = ts - last.ts;
    if (elapsed < this.policy.minIntervalMs) return;
    if (elapsed < this.policy.maxIntervalMs && last.value === value && last.quality === quality) return;
    // Updated in place: a new object per recorded sample was old-generation garbage at 50,000 points.
    last.ts = ts;
    last.value = value;
    last.quality = quality;
    const ref = last.ref;
    this.repo.record({ ref, ts, value, quality });
    if (this.listeners.size === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(ref, value, quality, ts);
      } catch {
        // A northbound problem must never cost a history sample or a scan.
      }
    }
  }

  flush(): void {
    this.repo.flush();
  }

  prune(now = Date.now()): number {
    return this.repo.prune(now - this.policy.retentionMs) + this.repo.enforceBudget(this.policy.maxBytes);
  }
}
