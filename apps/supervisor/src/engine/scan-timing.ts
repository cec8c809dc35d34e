/** One scan as the schedule and the read path saw it. */
export interface ScanTimingRecord {
  /** Wall clock (ms) when the scan started: on a phase clock, a whole multiple of the period plus the timer's lateness. */
  started_at: number;
  /** The whole cycle: reads, evaluation, writes, history. */
  cycle_ms: number;
  /** From the start until every read was back (the scan's barrier): the rest of the cycle is the flow's own work. */
  read_ms: number;
  /** Points the scan read (COV-cached inputs excluded), and how many of them came back good. */
  reads: number;
  good: number;
}

/** Scans kept: four minutes at 1 s, 25 s at 100 ms. */
const KEPT = 256;

/**
 * The start time, cycle time and read outcome of a flow's recent scans: what tells whether a schedule
 * keeps its phase (no drift) and reads every point it owes each period (issue 15), which averages
 * cannot show. A fixed ring of plain numbers, so keeping it costs no garbage per scan.
 */
export class ScanTiming {
  private readonly started = new Float64Array(KEPT);
  private readonly cycle = new Float64Array(KEPT);
  private readonly read = new Float64Array(KEPT);
  private readonly reads = new Uint32Array(KEPT);
  private readonly good = new Uint32Array(KEPT);
  private count = 0;

  record(startedAt: number, cycleMs: number, readMs: number, reads: number, good: number): void {
    const at = this.count % KEPT;
    this.started[at] = startedAt;
    this.cycle[at] = cycleMs;
    this.read[at] = readMs;
    this.reads[at] = reads;
    this.good[at] = good;
    this.count++;
  }

  reset(): void {
    this.count = 0;
  }

  /** The kept scans, oldest first. */
  recent(): ScanTimingRecord[] {
    const n = Math.min(this.count, KEPT);
    const out: ScanTimingRecord[] = new Array(n);
    for (let k = 0; k < n; k++) {
      const at = (this.count - n + k) % KEPT;
      out[k] = {
        started_at: this.started[at]!,
        cycle_ms: Math.round(this.cycle[at]! * 100) / 100,
        read_ms: Math.round(this.read[at]! * 100) / 100,
        reads: this.reads[at]!,
        good: this.good[at]!,
      };
    }
    return out;
  }
}
