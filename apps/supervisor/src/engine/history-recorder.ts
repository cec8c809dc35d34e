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

const QUALITY_BITS: Record<Quality, number> = { good: 0, uncertain: 1, bad: 2 };
// The last sample's kind, beside its quality bits (`kind | quality`).
const NUMBER = 4;
const TRUE = 8;
const FALSE = 12;
const NULL = 16;
const TEXT = 20;

/**
 * The last sample recorded per point, in columns indexed by the point's number: its time, its value
 * (numbers in `number`, texts in a map: they are rare) and its kind with its quality. Why not an object per
 * point: at 50,000 points the objects and the boxed numbers in them (a timestamp is past the small-integer
 * range) were ~88 bytes a point of the live heap (issue 15, scale-50k bench).
 */
class LastSamples {
  private readonly index = new Map<string, number>();
  private readonly refs: string[] = [];
  private ts = new Float64Array(256);
  private number = new Float64Array(256);
  private kind = new Uint8Array(256);
  private readonly texts = new Map<number, string>();

  /** The point's number, or -1 while it has no sample. */
  find(ref: string): number {
    return this.index.get(ref) ?? -1;
  }

  add(ref: string): number {
    const i = this.index.size;
    if (i === this.ts.length) this.grow();
    this.index.set(ref, i);
    this.refs.push(ref);
    // NaN until the first sample: it fails both interval comparisons, so that sample is always stored.
    this.ts[i] = Number.NaN;
    return i;
  }

  refOf(i: number): string {
    return this.refs[i]!;
  }

  tsOf(i: number): number {
    return this.ts[i]!;
  }

  /** Same value and quality as the last sample (=== on values, so NaN is never the same). */
  same(i: number, value: number | boolean | string | null, quality: Quality): boolean {
    const kind = this.kind[i]!;
    if ((kind & 3) !== QUALITY_BITS[quality]) return false;
    if (typeof value === "number") return kind - (kind & 3) === NUMBER && this.number[i] === value;
    if (typeof value === "string") return kind - (kind & 3) === TEXT && this.texts.get(i) === value;
    return kind - (kind & 3) === (value === true ? TRUE : value === false ? FALSE : NULL);
  }

  set(i: number, ts: number, value: number | boolean | string | null, quality: Quality): void {
    this.ts[i] = ts;
    let kind = NULL;
    if (typeof value === "number") {
      kind = NUMBER;
      this.number[i] = value;
    } else if (value === true) kind = TRUE;
    else if (value === false) kind = FALSE;
    else if (typeof value === "string") kind = TEXT;
    if (kind === TEXT) this.texts.set(i, value as string);
    else if (this.kind[i]! - (this.kind[i]! & 3) === TEXT) this.texts.delete(i);
    this.kind[i] = kind | (QUALITY_BITS[quality] ?? 2);
  }

  private grow(): void {
    const ts = new Float64Array(this.ts.length * 2);
    const number = new Float64Array(this.ts.length * 2);
    const kind = new Uint8Array(this.ts.length * 2);
    ts.set(this.ts);
    number.set(this.number);
    kind.set(this.kind);
    this.ts = ts;
    this.number = number;
    this.kind = kind;
  }
}

/**
 * A point's handle: its slot in the recorder's columns. A flow resolves one per point when it is activated
 * (`handle`) and records through it (`recordAt`), so its scans do no lookup by ref per point.
 */
export type HistoryHandle = number;

/**
 * Decides which values become history: every point the flow reads or writes plus the watch list,
 * on change (or quality change) but at most once per minInterval, and at least once per maxInterval so
 * a flat line still shows as data. Flushes once a second; once a minute drops what is past the retention
 * or over the size budget.
 */
export class HistoryRecorder {
  private readonly last = new LastSamples();
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

  /** The point's handle, the same slot for as long as the recorder lives (flows resolve theirs once). */
  handle(ref: string): HistoryHandle {
    const i = this.last.find(ref);
    return i >= 0 ? i : this.last.add(ref);
  }

  /** `record` through a handle from `handle`: the policy, the store and the listeners, no lookup by ref. */
  recordAt(i: HistoryHandle, value: number | boolean | string | null, quality: Quality, ts: number): void {
    const elapsed = ts - this.last.tsOf(i);
    if (elapsed < this.policy.minIntervalMs) return;
    if (elapsed < this.policy.maxIntervalMs && this.last.same(i, value, quality)) return;
    this.last.set(i, ts, value, quality);
    const ref = this.last.refOf(i);
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
