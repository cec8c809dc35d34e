import type { PointReading } from "../protocols/point-io";

type ReadResult = PointReading;

/** Where a point's latest read lives: one batch's promise and the point's place in it. */
interface Entry {
  at: number;
  batch: Promise<ReadResult[]>;
  index: number;
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

  /**
   * Entries point into the batch promise rather than holding a promise per point: a 2,000-point scan
   * used to chain 2,000 `then`s and a 2,000-promise `Promise.all` every scan, a visible share of the
   * scan's CPU and of its garbage.
   */
  async readPoints(refs: readonly string[], periodMs: number): Promise<ReadResult[]> {
    const now = this.now();
    const freshFor = periodMs / 2;
    const out: ReadResult[] = new Array(refs.length);
    const missing: number[] = [];
    const joined: number[] = [];
    const joinedEntries: Entry[] = [];
    for (let i = 0; i < refs.length; i++) {
      const entry = this.entries.get(refs[i]!);
      if (entry && now - entry.at < freshFor) {
        joined.push(i);
        joinedEntries.push(entry);
      } else missing.push(i);
    }
    this.saved += joined.length;
    let batch: Promise<ReadResult[]> | undefined;
    if (missing.length > 0) {
      this.sent += missing.length;
      const sent = this.read(missing.map((i) => refs[i]!));
      batch = sent;
      for (let n = 0; n < missing.length; n++)
        this.entries.set(refs[missing[n]!]!, { at: now, batch, index: n });
      // A failed batch must not stay cached as a rejected promise (a later batch's entry stays).
      sent.catch(() => {
        for (const i of missing)
          if (this.entries.get(refs[i]!)?.batch === sent) this.entries.delete(refs[i]!);
      });
    }
    if (this.entries.size > 50_000) this.prune(now);
    if (batch) {
      const results = await batch;
      for (let n = 0; n < missing.length; n++) out[missing[n]!] = results[n]!;
    }
    for (let k = 0; k < joined.length; k++) {
      const entry = joinedEntries[k]!;
      out[joined[k]!] = (await entry.batch)[entry.index]!;
    }
    return out;
  }

  private prune(now: number) {
    for (const [ref, e] of this.entries) if (now - e.at > 3_600_000) this.entries.delete(ref);
  }
}
