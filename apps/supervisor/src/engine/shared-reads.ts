import type { PointReading } from "../protocols/point-io";

type ReadResult = PointReading;

interface Entry {
  at: number;
  result: Promise<ReadResult>;
}

/**
 * Reads shared between the flows of a site: a point that several flows read within a period goes on
 * the wire once. A value is fresh for half the reading flow's period, so a flow never gets its own
 * previous scan's value back (scans are one period apart), while a slower flow reading a point a
 * faster flow polls is served from the faster one's reads. A read in flight is joined, not repeated.
 */
export class SharedReads {
  private readonly entries = new Map<string, Entry>();
  /** Point reads answered from another flow's read instead of the network. */
  saved = 0;
  /** Point reads that went to the network. */
  sent = 0;

  constructor(
    private readonly read: (refs: readonly string[]) => Promise<ReadResult[]>,
    private readonly now: () => number = Date.now,
  ) {}

  async readPoints(refs: readonly string[], periodMs: number): Promise<ReadResult[]> {
    const now = this.now();
    const freshFor = periodMs / 2;
    const out: Promise<ReadResult>[] = new Array(refs.length);
    const missing: number[] = [];
    refs.forEach((r, i) => {
      const entry = this.entries.get(r);
      if (entry && now - entry.at < freshFor) {
        out[i] = entry.result;
        this.saved++;
      } else missing.push(i);
    });
    if (missing.length > 0) {
      this.sent += missing.length;
      const batch = this.read(missing.map((i) => refs[i]!));
      missing.forEach((i, n) => {
        const result = batch.then((results) => results[n]!);
        out[i] = result;
        this.entries.set(refs[i]!, { at: now, result });
      });
      // A failed batch must not stay cached as a rejected promise.
      batch.catch(() => {
        for (const i of missing) this.entries.delete(refs[i]!);
      });
    }
    if (this.entries.size > 50_000) this.prune(now);
    return Promise.all(out);
  }

  private prune(now: number) {
    for (const [ref, e] of this.entries) if (now - e.at > 3_600_000) this.entries.delete(ref);
  }
}
