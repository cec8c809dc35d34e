import { PerList, sameItems } from "../protocols/per-list";
import type { PointReading } from "../protocols/point-io";

type ReadResult = PointReading;

const PRUNE_EVERY_MS = 60_000;
/**
 * Points handed to the registry per turn of the event loop, whole device batches at a time (at least one
 * a turn). A site's tick asks for every device at once (50,000 points: 200 devices of 250); encoding all
 * their requests in one stretch kept the loop from reading the first devices' replies, the socket's
 * receive buffer overflowed, and those devices timed out and went offline. Between turns the replies
 * that arrived are read. Counted in points, not devices: the replies that fill the buffer grow with the
 * points asked for (one RPM answer per 40-50 of them), so this is the 16 devices of 250 points a turn
 * that mended the 50,000-point site, while a scan of a few thousand points goes out in one turn. Split
 * into turns of 16 devices, a 50-device scan of 2,000 points sent its last request ~1.7 ms after its
 * first (2026-12-02, issue 15): the devices answered that much later.
 */
export const POINTS_PER_TURN = 4000;
/**
 * And at most this many devices a turn: each is at least one request and one reply datagram, so a site
 * of many small devices (500 of 8 points) does not put 500 replies in the receive buffer at once. 64
 * replies (up to ~2.3 KB each as the kernel counts them) stay inside its default 208 KB.
 */
export const DEVICES_PER_TURN = 64;
/** Lists of refs remembered per device (see flush). */
const LISTS_PER_DEVICE = 4;

/** A never-read slot's batch: replaced by the first queue, never awaited. */
const NO_BATCH: Promise<ReadResult[]> = new Promise(() => {});

/**
 * Where each point's latest read lives, as columns indexed by the point's slot: the device batch's
 * promise and the point's place in it, when it was queued, and the quality a flow last received. One
 * slot per ref for as long as something reads it, updated in place by each new read. Columns rather
 * than an object per ref (issue 15, session 9): a scan touches each of its 2,000 points' read state
 * right after ~90 ms idle, and 2,000 objects spread over the heap were 2,000 cold cache lines or more
 * (SharedReads.readEach was 12 % of the busy CPU in session 8's profile); the typed columns below are
 * ~25 bytes a point, side by side. A reader takes a point's place when it joins, as a later read may
 * move the point to another batch meanwhile.
 */
class ReadSlots {
  /** Slots in use and freed ones (a pruned ref's), reused by the next new ref. */
  count = 0;
  readonly free: number[] = [];
  /** deviceOf the ref, kept so the next scan's read of it does not cut it out of the ref again. */
  devices: string[] = [];
  batches: Promise<ReadResult[]>[] = [];
  /** When its read was queued; -Infinity after a failed batch, so the next reader asks again. */
  at = new Float64Array(64);
  /** Its place in its batch. */
  index = new Uint32Array(64);
  /** Its latest quality as a flow received it (1: bad), and when: what badPoints counts. */
  bad = new Uint8Array(64);
  seenAt = new Float64Array(64);

  add(ref: string): number {
    const slot = this.free.pop() ?? this.count++;
    if (slot >= this.at.length) this.grow();
    this.devices[slot] = deviceOf(ref);
    this.batches[slot] = NO_BATCH;
    this.at[slot] = Number.NEGATIVE_INFINITY;
    this.index[slot] = 0;
    this.bad[slot] = 0;
    this.seenAt[slot] = Number.NEGATIVE_INFINITY;
    return slot;
  }

  remove(slot: number): void {
    this.batches[slot] = NO_BATCH;
    this.at[slot] = Number.NEGATIVE_INFINITY;
    this.bad[slot] = 0;
    this.seenAt[slot] = Number.NEGATIVE_INFINITY;
    this.free.push(slot);
  }

  private grow(): void {
    const size = this.at.length * 2;
    const at = new Float64Array(size);
    const index = new Uint32Array(size);
    const bad = new Uint8Array(size);
    const seenAt = new Float64Array(size);
    at.set(this.at);
    index.set(this.index);
    bad.set(this.bad);
    seenAt.set(this.seenAt);
    this.at = at;
    this.index = index;
    this.bad = bad;
    this.seenAt = seenAt;
  }
}

/**
 * The reads of one device asked for in the current tick, sent together when the tick ends. While the
 * refs queued are, in order, the first ones of the list this device was last sent (every tick of a
 * steady scan), nothing is copied: `list` stays undefined and `matched` counts them. The first ref
 * that differs makes `list` a list of its own (and `flush` looks for it among the recent ones).
 */
interface PendingBatch {
  list: string[] | undefined;
  readonly known: string[] | undefined;
  matched: number;
  promise: Promise<ReadResult[]>;
  resolve(results: ReadResult[]): void;
  reject(error: unknown): void;
}

/** Positions a reader may take run by run (see readEach); past this many runs it groups them by batch. */
const MAX_RUNS = 64;

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
  private readonly slots = new ReadSlots();
  private readonly slotOf = new Map<string, number>();
  /** Bumped whenever slots are freed, so lists of them remembered below are looked up afresh. */
  private generation = 0;
  /**
   * The slots of a list of refs, remembered per list: a flow hands the same frozen list every scan,
   * so its scans look up no ref in the map (checked by generation: a freed slot is never read through).
   */
  private readonly slotLists = new PerList((refs: readonly string[]) => {
    const slots = new Uint32Array(refs.length);
    for (let i = 0; i < refs.length; i++) slots[i] = this.slotFor(refs[i]!);
    return { generation: this.generation, slots };
  });
  /** The lists of refs each device was asked for lately (a batch's list is never changed once sent). */
  private readonly lastLists = new Map<string, string[][]>();
  /** The device and batch the last queued ref went to (this tick only). */
  private queuedDevice: string | undefined;
  private queuedBatch: PendingBatch | undefined;
  private pending = new Map<string, PendingBatch>();
  private flushScheduled = false;
  private prunedAt = 0;
  /** Point reads answered from another flow's read instead of the network. */
  saved = 0;
  /** Point reads that went to the network. */
  sent = 0;
  /** Batches handed to the registry (one per device per tick). */
  batches = 0;

  constructor(
    private readonly read: (refs: readonly string[]) => Promise<ReadResult[]>,
    private readonly now: () => number = Date.now,
    /** When the tick's merged batches go out: after every flow started on this tick has asked. */
    private readonly defer: (flush: () => void) => void = setImmediate,
  ) {}

  /** Every reading, in the order of `refs`, once the last device has answered. */
  async readPoints(refs: readonly string[], periodMs: number): Promise<ReadResult[]> {
    const out: ReadResult[] = new Array(refs.length);
    await this.readEach(refs, periodMs, (i, reading) => {
      out[i] = reading;
    });
    return out;
  }

  /**
   * Hands each reading to `each(i, reading)` (i: its place in `refs`) as soon as its device has answered,
   * and resolves when every device has. The scan's barrier is the slowest device: what the flow does
   * with a point (its value record) is done while the other devices are still answering, so little is
   * left after the last answer (issue 15). Slots point into the batch promise rather than holding a
   * promise per point, and a batch is awaited once for all of its points.
   */
  async readEach(
    refs: readonly string[],
    periodMs: number,
    each: (i: number, reading: ReadResult) => void,
  ): Promise<void> {
    const now = this.now();
    const freshFor = periodMs / 2;
    const list = this.slotLists.get(refs, (known) => known.generation === this.generation).slots;
    // The columns as they are now: nothing below adds a slot, so none is reallocated meanwhile.
    const { at, index, batches } = this.slots;
    // Runs: consecutive positions answered by one batch at consecutive places (a device's points, as a
    // flow lists them). Each run is awaited as a range, with no list of its positions nor of places.
    let runs = 0;
    let previous = -1;
    for (let i = 0; i < refs.length; i++) {
      const slot = list[i]!;
      if (now - at[slot]! < freshFor) this.saved++;
      else {
        this.queue(refs[i]!, now, slot);
        this.sent++;
      }
      if (previous < 0 || batches[slot] !== batches[previous] || index[slot] !== index[previous]! + 1) runs++;
      previous = slot;
    }
    if (runs <= MAX_RUNS) {
      const answered: Promise<void>[] = new Array(runs);
      let run = 0;
      for (let start = 0; start < refs.length; run++) {
        const first = list[start]!;
        const batch = batches[first]!;
        const base = index[first]!;
        let end = start + 1;
        while (end < refs.length) {
          const slot = list[end]!;
          if (batches[slot] !== batch || index[slot] !== base + (end - start)) break;
          end++;
        }
        answered[run] = this.deliver(batch, base, list, start, end, now, each);
        start = end;
      }
      this.pruneDue(now);
      await Promise.all(answered);
      return;
    }
    // Positions scattered over many batches: the positions each batch answers, in one list per batch,
    // and each position's place in its batch as it was when this reader joined.
    const groups = new Map<Promise<ReadResult[]>, number[]>();
    const places = new Uint32Array(refs.length);
    for (let i = 0; i < refs.length; i++) {
      const slot = list[i]!;
      places[i] = index[slot]!;
      const batch = batches[slot]!;
      const group = groups.get(batch);
      if (group) group.push(i);
      else groups.set(batch, [i]);
    }
    const answered: Promise<void>[] = [];
    for (const [batch, positions] of groups) {
      answered.push(
        batch.then((results) => {
          const { bad, seenAt } = this.slots;
          for (const i of positions) {
            const result = results[places[i]!]!;
            // What "no new bad quality" after a deploy is judged on (badPoints), updated in place.
            const slot = list[i]!;
            bad[slot] = result.quality === "bad" ? 1 : 0;
            seenAt[slot] = now;
            each(i, result);
          }
        }),
      );
    }
    this.pruneDue(now);
    await Promise.all(answered);
  }

  /**
   * The minutely prune, once this reader holds the batches it awaits: a reading served as fresh may be
   * over an hour old (a flow with a period over two hours), and a prune before that would have freed
   * its slot, pointing it at NO_BATCH, which this reader then awaited for ever.
   */
  private pruneDue(now: number): void {
    if (now - this.prunedAt > PRUNE_EVERY_MS) this.prune(now);
  }

  /**
   * Hands over positions start..end-1, which `batch` answers from place `base` on (as they were when
   * this reader joined), once it has answered.
   */
  private deliver(
    batch: Promise<ReadResult[]>,
    base: number,
    list: Uint32Array,
    start: number,
    end: number,
    now: number,
    each: (i: number, reading: ReadResult) => void,
  ): Promise<void> {
    return batch.then((results) => {
      // Read at delivery: a ref added meanwhile may have grown the columns.
      const { bad, seenAt } = this.slots;
      for (let i = start; i < end; i++) {
        const result = results[base + i - start]!;
        // What "no new bad quality" after a deploy is judged on (badPoints), updated in place.
        const slot = list[i]!;
        bad[slot] = result.quality === "bad" ? 1 : 0;
        seenAt[slot] = now;
        each(i, result);
      }
    });
  }

  /** The ref's slot, made (never read yet) when it has none. */
  private slotFor(ref: string): number {
    let slot = this.slotOf.get(ref);
    if (slot === undefined) {
      slot = this.slots.add(ref);
      this.slotOf.set(ref, slot);
    }
    return slot;
  }

  /** Puts a ref in this tick's batch for its device and points its slot at where the reading will be. */
  private queue(ref: string, now: number, slot: number): void {
    const slots = this.slots;
    const device = slots.devices[slot]!;
    // Consecutive refs mostly name the same device: its batch is at hand without a map lookup.
    let batch = device === this.queuedDevice ? this.queuedBatch : this.pending.get(device);
    if (!batch) {
      let resolve!: PendingBatch["resolve"];
      let reject!: PendingBatch["reject"];
      const promise = new Promise<ReadResult[]>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      const known = this.lastLists.get(device)?.at(-1);
      batch = { list: known ? undefined : [], known, matched: 0, promise, resolve, reject };
      this.pending.set(device, batch);
    }
    this.queuedDevice = device;
    this.queuedBatch = batch;
    slots.at[slot] = now;
    slots.batches[slot] = batch.promise;
    if (batch.list === undefined && batch.known![batch.matched] === ref) slots.index[slot] = batch.matched++;
    else {
      batch.list ??= batch.known!.slice(0, batch.matched);
      slots.index[slot] = batch.list.push(ref) - 1;
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.defer(() => this.flush());
    }
  }

  private flush(): void {
    const batches: { list: string[]; batch: PendingBatch }[] = [];
    for (const [device, batch] of this.pending) {
      // A device asked for the same points as last time gets the same list object: the layers below
      // remember their work per list (PerList), so a steady scan does its routing and parsing once.
      // A few per device: flows on several intervals ask a device for a different mix on the ticks
      // where their clocks meet (every 10th tick of a 100 ms clock is also a 1 s tick). The one used
      // last is at the end (what the next tick's refs are matched against).
      let recent = this.lastLists.get(device);
      if (!recent) {
        recent = [];
        this.lastLists.set(device, recent);
      }
      const asked =
        batch.list ??
        (batch.matched === batch.known!.length ? batch.known! : batch.known!.slice(0, batch.matched));
      let list = asked;
      const at = list === batch.known ? recent.length - 1 : recent.findIndex((l) => sameItems(l, asked));
      if (at >= 0) {
        list = recent[at]!;
        if (at !== recent.length - 1) recent.push(...recent.splice(at, 1));
      } else {
        // Frozen: never changed once sent, and the layers below remember their work by it uncompared.
        Object.freeze(list);
        recent.push(list);
        if (recent.length > LISTS_PER_DEVICE) recent.shift();
      }
      batch.list = list;
      batches.push({ list, batch });
    }
    this.pending = new Map();
    this.queuedDevice = undefined;
    this.queuedBatch = undefined;
    this.flushScheduled = false;
    this.send(batches, 0);
  }

  private send(batches: readonly { list: string[]; batch: PendingBatch }[], from: number): void {
    if (from >= batches.length) return;
    let to = from + 1;
    for (let points = batches[from]!.list.length; to < batches.length && to - from < DEVICES_PER_TURN; to++) {
      points += batches[to]!.list.length;
      if (points > POINTS_PER_TURN) break;
    }
    for (let i = from; i < to; i++) {
      const { list, batch } = batches[i]!;
      this.batches++;
      try {
        this.read(list).then(batch.resolve, (error: unknown) => this.fail(list, batch, error));
      } catch (error) {
        this.fail(list, batch, error);
      }
    }
    if (to < batches.length) this.defer(() => this.send(batches, to));
  }

  /**
   * A failed batch must not stay cached as a rejected promise: its points (those a later batch has not
   * taken over) are read afresh by the next reader, and its readers get the error.
   */
  private fail(list: readonly string[], batch: PendingBatch, error: unknown): void {
    const slots = this.slots;
    for (const r of list) {
      const slot = this.slotOf.get(r);
      if (slot !== undefined && slots.batches[slot] === batch.promise)
        slots.at[slot] = Number.NEGATIVE_INFINITY;
    }
    batch.reject(error);
  }

  /**
   * Points whose latest read was bad, counting only reads younger than `withinMs`: a point a removed flow
   * read stops counting once nothing reads it any more. What "no new bad quality" after a deploy is
   * judged on (the fleet console and staged rollouts read the count through /api/health).
   */
  badPoints(withinMs = 300_000): number {
    const since = this.now() - withinMs;
    let bad = 0;
    const { count, seenAt } = this.slots;
    // A freed slot is never bad.
    for (let slot = 0; slot < count; slot++) if (seenAt[slot]! >= since && this.slots.bad[slot] === 1) bad++;
    return bad;
  }

  /** Drops points no flow has read for an hour (a removed flow's), so the map holds the site's points only. */
  private prune(now: number) {
    this.prunedAt = now;
    const slots = this.slots;
    for (const [ref, slot] of this.slotOf) {
      // Not read for an hour (a failed batch's refs too): lists remembered with it are made afresh.
      if (now - slots.at[slot]! > 3_600_000) {
        this.slotOf.delete(ref);
        slots.remove(slot);
        this.generation++;
      }
    }
  }
}
