import type { PointReading } from "../protocols/point-io";

type ReadResult = PointReading;

const PRUNE_EVERY_MS = 60_000;
/**
 * Device batches handed to the registry per turn of the event loop. A site's tick asks for every
 * device at once (50,000 points: 200 devices); encoding all their requests in one stretch kept the
 * loop from reading the first devices' replies, the socket's receive buffer overflowed, and those
 * devices timed out and went offline. Between turns the replies that arrived are read.
 */
export const DEVICES_PER_TURN = 16;

/** Where a point's latest read lives: one device batch's promise and the point's place in it. */
interface Entry {
  at: number;
  batch: Promise<ReadResult[]>;
  index: number;
}

/** The reads of one device asked for in the current tick, sent together when the tick ends. */
interface PendingBatch {
  refs: string[];
  promise: Promise<ReadResult[]>;
  resolve(results: ReadResult[]): void;
  reject(error: unknown): void;
}

/**
 * The device a ref belongs to, the unit reads are merged by: `bacnet:1001/analogInput:1` → `bacnet:1001`,
 * `modbus:10.0.0.5:502:1/holding_register:40001` → `modbus:10.0.0.5:502:1`. Refs without a `/` share
 * their protocol's batch. Plugins batch per device themselves (BACnet: one RPM per device), so a merged
 * batch of one device goes on the wire as one request.
 */
export function deviceOf(ref: string): string {
  const slash = ref.indexOf("/");
  if (slash > 0) return ref.slice(0, slash);
  const colon = ref.indexOf(":");
  return colon > 0 ? ref.slice(0, colon) : ref;
}

/**
 * Reads shared between the flows of a site: a point that several flows read within a period goes on
 * the wire once. A value is fresh for half the reading flow's period, so a flow never gets its own
 * previous scan's value back (scans are one period apart), while a slower flow reading a point a
 * faster flow polls is served from the faster one's reads. A read in flight is joined, not repeated.
 *
 * Reads are merged per device: what every flow asks for in one tick of the event loop (flows on the
 * same interval start on the same tick of their phase clock) is sent at the end of the tick as one
 * batch per device, so twenty flows cost the requests of one flow holding the same points. Batches are
 * per device, not per tick, so a flow waits only for the devices it reads: a slow or silent device
 * read by one flow never holds up another flow's scan.
 */
export class SharedReads {
  private readonly entries = new Map<string, Entry>();
  private pending = new Map<string, PendingBatch>();
  private flushScheduled = false;
  private prunedAt = 0;
  /** Point reads answered from another flow's read instead of the network. */
  saved = 0;
  /** Point reads that went to the network. */
  sent = 0;
  /** Batches handed to the registry (one per device per tick). */
  batches = 0;
  /**
   * The latest quality of every point a flow read, and when: what "no new bad quality" after a deploy is
   * judged on (the fleet console and staged rollouts read the count through /api/health). One number a
   * point, the read time + 1, negated when the read was bad (+1 so a read at time 0 keeps its sign): an
   * object a point a scan was 2 MB at 50,000 points, and garbage promoted to the old generation every scan.
   */
  private readonly lastQuality = new Map<string, number>();

  constructor(
    private readonly read: (refs: readonly string[]) => Promise<ReadResult[]>,
    private readonly now: () => number = Date.now,
    /** When the tick's merged batches go out: after every flow started on this tick has asked. */
    private readonly defer: (flush: () => void) => void = setImmediate,
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
    const slots: Entry[] = new Array(refs.length);
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i]!;
      const entry = this.entries.get(ref);
      if (entry && now - entry.at < freshFor) {
        slots[i] = entry;
        this.saved++;
        continue;
      }
      slots[i] = this.queue(ref, now);
      this.sent++;
    }
    if (now - this.prunedAt > PRUNE_EVERY_MS) this.prune(now);
    // Consecutive refs mostly share a device batch: await each batch once, not once per point.
    let last: Promise<ReadResult[]> | undefined;
    let results: ReadResult[] = [];
    for (let i = 0; i < refs.length; i++) {
      const slot = slots[i]!;
      if (slot.batch !== last) {
        last = slot.batch;
        results = await slot.batch;
      }
      const result = results[slot.index]!;
      out[i] = result;
      this.lastQuality.set(refs[i]!, result.quality === "bad" ? -(now + 1) : now + 1);
    }
    return out;
  }

  /** Puts a ref in this tick's batch for its device and records where its reading will be. */
  private queue(ref: string, now: number): Entry {
    const device = deviceOf(ref);
    let batch = this.pending.get(device);
    if (!batch) {
      let resolve!: PendingBatch["resolve"];
      let reject!: PendingBatch["reject"];
      const promise = new Promise<ReadResult[]>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      batch = { refs: [], promise, resolve, reject };
      this.pending.set(device, batch);
      // A failed batch must not stay cached as a rejected promise (a later batch's entry stays).
      promise.catch(() => {
        for (const r of batch!.refs) if (this.entries.get(r)?.batch === promise) this.entries.delete(r);
      });
    }
    const entry = { at: now, batch: batch.promise, index: batch.refs.push(ref) - 1 };
    this.entries.set(ref, entry);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.defer(() => this.flush());
    }
    return entry;
  }

  private flush(): void {
    const batches = [...this.pending.values()];
    this.pending = new Map();
    this.flushScheduled = false;
    this.send(batches, 0);
  }

  private send(batches: readonly PendingBatch[], from: number): void {
    const to = Math.min(batches.length, from + DEVICES_PER_TURN);
    for (let i = from; i < to; i++) {
      const batch = batches[i]!;
      this.batches++;
      try {
        this.read(batch.refs).then(batch.resolve, batch.reject);
      } catch (error) {
        batch.reject(error);
      }
    }
    if (to < batches.length) this.defer(() => this.send(batches, to));
  }

  /**
   * Points whose latest read was bad, counting only reads younger than `withinMs`: a point a removed flow
   * read stops counting once nothing reads it any more.
   */
  badPoints(withinMs = 300_000): number {
    const since = this.now() - withinMs;
    let bad = 0;
    for (const [ref, q] of this.lastQuality) {
      if (Math.abs(q) - 1 < since) this.lastQuality.delete(ref);
      else if (q < 0) bad++;
    }
    return bad;
  }

  /** Drops points no flow has read for an hour (a removed flow's), so the map holds the site's points only. */
  private prune(now: number) {
    this.prunedAt = now;
    for (const [ref, e] of this.entries) if (now - e.at > 3_600_000) this.entries.delete(ref);
  }
}
