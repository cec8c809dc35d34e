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
  /**
   * The latest quality of every point a flow read, and when: what "no new bad quality" after a deploy is
   * judged on (the fleet console and staged rollouts read the count through /api/health).
   */
  private readonly lastQuality = new Map<string, { bad: boolean; at: number }>();

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
      const at = this.now();
      for (let n = 0; n < missing.length; n++) {
        const result = results[n]!;
        out[missing[n]!] = result;
        this.lastQuality.set(refs[missing[n]!]!, { bad: result.quality === "bad", at });
      }
    }
    for (let k = 0; k < joined.length; k++) {
      const entry = joinedEntries[k]!;
      out[joined[k]!] = (await entry.batch)[entry.index]!;
    }
    return out;
  }

  /**
   * Points whose latest read was bad, counting only reads younger than `withinMs`: a point a removed flow
   * read stops counting once nothing reads it any more.
   */
  badPoints(withinMs = 300_000): number {
    const since = this.now() - withinMs;
    let bad = 0;
    for (const [ref, q] of this.lastQuality) {
      if (q.at < since) this.lastQuality.delete(ref);
      else if (q.bad) bad++;
    }
    return bad;
  }

  private prune(now: number) {
    for (const [ref, e] of this.entries) if (now - e.at > 3_600_000) this.entries.delete(ref);
  }
}
