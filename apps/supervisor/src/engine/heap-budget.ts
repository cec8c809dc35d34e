import { getHeapStatistics } from "node:v8";

/**
 * What the JS heap must hold for a site, from measurements of the release bundle (bench/scale-50k.bench.ts,
 * heap snapshots at 5,000 and 50,000 points, issue 15): the idle supervisor's live heap, the live heap
 * each polled point adds (its compiled node, runtime slot, last scan's values and trace share, shared-read
 * and history entries, its open history window), and the room V8 needs above the live set to collect
 * without spending the CPU on it (a cap at 1.6× the live set gave overruns at 50,000 points; 2.2× none).
 * Measured 2026-12-02: heap in use 39 MB at 2,000 points and 133-151 MB after collections at 50,000
 * (~2.1-2.4 KB a point); the constants round up.
 */
export const IDLE_HEAP_MB = 40;
export const HEAP_BYTES_PER_POINT = 2_600;
export const HEAP_HEADROOM = 2;

/** The heap a site of this many points needs, in MB (live set × headroom). */
export function heapNeededMb(points: number): number {
  return Math.ceil((IDLE_HEAP_MB + (points * HEAP_BYTES_PER_POINT) / 1e6) * HEAP_HEADROOM);
}

/** The most points a heap of this many MB holds at the measured cost per point. */
export function pointsForHeapMb(heapMb: number): number {
  return Math.max(0, Math.floor(((heapMb / HEAP_HEADROOM - IDLE_HEAP_MB) * 1e6) / HEAP_BYTES_PER_POINT));
}

export interface HeapCheck {
  /** Points the site's flows read or command. */
  points: number;
  /** The process's JS heap limit (V8's default for the machine, or --max-old-space-size). */
  heap_limit_mb: number;
  heap_needed_mb: number;
  /** The most points this heap limit holds. */
  points_supported: number;
  ok: boolean;
  /** For the commissioning engineer, when not ok: what to set. */
  warning?: string;
}

/**
 * Checks the site's point count against the heap the process was started with, so a commissioning
 * engineer sees a site too large for the configured heap (in the log, the event list and /api/health)
 * before the process runs out of memory under load rather than after.
 */
export class HeapBudget {
  private last: HeapCheck | undefined;

  constructor(
    private readonly warn: (message: string) => void,
    private readonly limitBytes: () => number = () => getHeapStatistics().heap_size_limit,
  ) {}

  check(points: number): HeapCheck {
    const limitMb = Math.floor(this.limitBytes() / 1e6);
    const needed = heapNeededMb(points);
    const check: HeapCheck = {
      points,
      heap_limit_mb: limitMb,
      heap_needed_mb: needed,
      points_supported: pointsForHeapMb(limitMb),
      ok: needed <= limitMb,
    };
    if (!check.ok) {
      check.warning =
        `the site has ${points} points, which need a JS heap of about ${needed} MB; this process may use ` +
        `${limitMb} MB (enough for about ${check.points_supported} points). Start it with ` +
        `BMS_NODE_FLAGS="--max-old-space-size=${needed}" (docs/install.md) on a box with the memory for it.`;
      // Once per change of the figures, not on every status change of a flow.
      if (this.last?.ok !== false || this.last.points !== points) this.warn(check.warning);
    }
    this.last = check;
    return check;
  }

  /** The last check (null before the first site is active). */
  get current(): HeapCheck | null {
    return this.last ?? null;
  }
}
