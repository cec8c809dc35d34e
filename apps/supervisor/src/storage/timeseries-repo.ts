import type { Quality } from "@bms/schemas";
import type { Db } from "./database";
import {
  type ChunkColumns,
  decodeChunk,
  decodeIntegers,
  decodeMinutes,
  encodeIntegers,
  encodeMinutes,
  encodeSamples,
  flagOf,
  isTimestamp,
  KIND_NULL,
  KIND_NUMBER,
  KIND_TEXT,
  kindOf,
  type MinuteSummary,
  qualityOf,
  summarizeMinutes,
} from "./history-codec";
import { OpenSeriesTable } from "./open-series";

const QUALITY_CODE: Record<Quality, number> = { good: 0, uncertain: 1, bad: 2 };
const QUALITY_NAME: Quality[] = ["good", "uncertain", "bad"];

export interface Sample {
  ref: string;
  ts: number;
  value: number | boolean | string | null;
  quality: Quality;
}

export interface Bucket {
  t: number;
  avg: number | null;
  min: number | null;
  max: number | null;
  last: number | string | null;
  count: number;
  quality: Quality;
}

/**
 * A series' buckets (or raw samples) as columns, entry i of each being bucket i: what a query builds,
 * so a chart's thousands of samples are never an object each on their way to the wire.
 */
export interface BucketColumns {
  t: number[];
  avg: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
  last: (number | string | null)[];
  count: number[];
  quality: Quality[];
}

function emptyColumns(): BucketColumns {
  return { t: [], avg: [], min: [], max: [], last: [], count: [], quality: [] };
}

/** The same buckets as one object each (the documented default shape of /api/data/timeseries). */
export function bucketsOf(c: BucketColumns): Bucket[] {
  const out: Bucket[] = new Array(c.t.length);
  for (let i = 0; i < c.t.length; i++) {
    out[i] = {
      t: c.t[i]!,
      avg: c.avg[i]!,
      min: c.min[i]!,
      max: c.max[i]!,
      last: c.last[i]!,
      count: c.count[i]!,
      quality: c.quality[i]!,
    };
  }
  return out;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** A chunk holds one point's samples of one window: 180 samples at 5 s, 900 at 1 s. */
export const WINDOW_MS = 15 * MINUTE;
/** A window is sealed this long after it ends, so samples stamped just before the end still join it. */
const SEAL_GRACE_MS = 5_000;
/**
 * Points sealed per flush: sealing 2,000 points' windows at once held the event loop ~100 ms, so a seal
 * is spread over flushes (250 points take ~12 ms), and 50,000 points finish well within a window.
 */
const SEAL_BATCH = 250;
/** Row, index and rollup bytes a chunk costs beside its two blobs (measured with dbstat by the bench). */
export const CHUNK_OVERHEAD_BYTES = 48;

type ChunkRow = [start: number, end: number, minutes: Uint8Array, samples: Uint8Array];

/**
 * Point history in compressed chunks (history-codec.ts), one per point and 15-minute window, with
 * per-minute summaries inside each chunk and a per-hour rollup table, so a chart of any length reads
 * at most a few hundred summaries a point. Samples of windows not yet sealed are kept in memory and,
 * once a second, appended to a journal (one row per flush): a kill -9 loses at most the last second, and
 * the journal is replayed on the next start. Queries decode only the chunks they touch.
 *
 * Retention is by whole hours: prune(before) drops the hours that end before it, chunks and rollups
 * together, so a rollup never counts samples that are gone.
 */
export class TimeseriesRepo {
  private readonly pointIds = new Map<string, number>();
  private buffer: Sample[] = [];
  /** Each point's open series: its slot in `series`. */
  private readonly open = new Map<number, number>();
  /** The open series' samples (late and imported series borrow slots too, and close them once taken). */
  private readonly series = new OpenSeriesTable();
  private sealedTo: number;
  private prunedTo = Number.NEGATIVE_INFINITY;
  /** A seal in progress: its boundary, the points still to seal and those sealed already. */
  private sealing: { boundary: number; pending: Set<number>; done: Set<number> } | undefined;
  private bytes: number;
  /** Samples refused because their timestamp is not a finite ms time (counted, never stored). */
  rejected = 0;
  private readonly stmt;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
    private readonly sealBatch = SEAL_BATCH,
  ) {
    this.stmt = {
      insertPoint: db.prepare("INSERT OR IGNORE INTO points (ref) VALUES (?)"),
      selectPoint: db.prepare("SELECT id FROM points WHERE ref = ?"),
      insertChunk: db.prepare(
        "INSERT INTO history_chunks (point_id, start_ts, end_ts, count, minutes, samples) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      upsertHour: db.prepare(
        `INSERT INTO history_hours (point_id, hour, sum, count, min, max, last, last_ts, quality)
         VALUES (@id, @hour, @sum, @count, @min, @max, @last, @lastTs, @quality)
         ON CONFLICT(point_id, hour) DO UPDATE SET
           sum = CASE WHEN excluded.sum IS NULL THEN sum ELSE COALESCE(sum, 0) + excluded.sum END,
           count = count + excluded.count,
           min = CASE WHEN excluded.min IS NULL THEN min WHEN min IS NULL THEN excluded.min ELSE MIN(min, excluded.min) END,
           max = CASE WHEN excluded.max IS NULL THEN max WHEN max IS NULL THEN excluded.max ELSE MAX(max, excluded.max) END,
           last = CASE WHEN excluded.last_ts >= last_ts THEN excluded.last ELSE last END,
           last_ts = MAX(last_ts, excluded.last_ts),
           quality = MAX(quality, excluded.quality)`,
      ),
      chunksIn: db
        .prepare(
          `SELECT start_ts, end_ts, minutes, samples FROM history_chunks
           WHERE point_id = ? AND start_ts > ? AND start_ts <= ? AND end_ts >= ? ORDER BY start_ts, id`,
        )
        .raw(),
      // Minute summaries without the samples blob: a day of 20 points reads a quarter of the bytes.
      minutesIn: db
        .prepare(
          `SELECT id, start_ts, end_ts, minutes FROM history_chunks
           WHERE point_id = ? AND start_ts > ? AND start_ts <= ? AND end_ts >= ? ORDER BY start_ts, id`,
        )
        .raw(),
      samplesOf: db.prepare("SELECT samples FROM history_chunks WHERE id = ?").pluck(),
      sealedIn: db
        .prepare("SELECT 1 FROM history_chunks WHERE point_id = ? AND start_ts >= ? AND start_ts < ? LIMIT 1")
        .pluck(),
      lastChunk: db.prepare(
        "SELECT samples FROM history_chunks WHERE point_id = ? ORDER BY start_ts DESC, id DESC LIMIT 1",
      ),
      hoursIn: db
        .prepare(
          `SELECT hour, sum, count, min, max, last, last_ts, quality FROM history_hours
           WHERE point_id = ? AND hour >= ? AND hour < ? ORDER BY hour`,
        )
        .raw(),
      insertJournal: db.prepare("INSERT INTO history_journal (max_ts, points, samples) VALUES (?, ?, ?)"),
      trimJournal: db.prepare("DELETE FROM history_journal WHERE max_ts < ?"),
      setMeta: db.prepare(
        "INSERT INTO history_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      ),
      getMeta: db.prepare("SELECT value FROM history_meta WHERE key = ?").pluck(),
      prunedSize: db
        .prepare(
          `SELECT COALESCE(SUM(count), 0), COALESCE(SUM(length(samples) + length(minutes) + ${CHUNK_OVERHEAD_BYTES}), 0)
           FROM history_chunks WHERE point_id = ? AND start_ts < ?`,
        )
        .raw(),
      pruneChunks: db.prepare("DELETE FROM history_chunks WHERE point_id = ? AND start_ts < ?"),
      pruneHours: db.prepare("DELETE FROM history_hours WHERE point_id = ? AND hour < ?"),
      // The first chunk written is the oldest but for late ones: close enough to choose what to drop.
      oldestChunk: db.prepare("SELECT start_ts FROM history_chunks ORDER BY id LIMIT 1").pluck(),
      pointIds: db.prepare("SELECT id FROM points").pluck(),
    };
    this.sealedTo = (this.stmt.getMeta.get("sealed_to") as number | undefined) ?? -(2 ** 50);
    this.bytes = (this.stmt.getMeta.get("bytes") as number | undefined) ?? 0;
    this.importLegacySamples();
    this.replayJournal();
  }

  /** The point's slot in `map`, opened on first use. */
  private slotOf(map: Map<number, number>, id: number): number {
    let slot = map.get(id);
    if (slot === undefined) {
      slot = this.series.open();
      map.set(id, slot);
    }
    return slot;
  }

  private pointId(ref: string): number {
    let id = this.pointIds.get(ref);
    if (id === undefined) {
      this.stmt.insertPoint.run(ref);
      id = (this.stmt.selectPoint.get(ref) as { id: number }).id;
      this.pointIds.set(ref, id);
    }
    return id;
  }

  private existingPointId(ref: string): number | undefined {
    const cached = this.pointIds.get(ref);
    if (cached !== undefined) return cached;
    const row = this.stmt.selectPoint.get(ref) as { id: number } | undefined;
    if (row) this.pointIds.set(ref, row.id);
    return row?.id;
  }

  record(sample: Sample): void {
    this.buffer.push(sample);
  }

  /** Samples recorded but not yet in the database (lost by a kill -9 now). */
  get pending(): number {
    return this.buffer.length;
  }

  /** Estimated bytes the stored history takes (chunks with their row, index and rollup overhead). */
  get storedBytes(): number {
    return this.bytes;
  }

  /**
   * Writes the recorded samples in one transaction: open windows to the journal, samples of windows
   * already sealed (late ones) straight into chunks of their own, and seals the windows that ended.
   * `now` is the clock that decides which windows have ended (bulk loads pass the data's time).
   */
  flush(now = this.now()): number {
    const samples = this.buffer;
    this.buffer = [];
    const boundary = Math.floor((now - SEAL_GRACE_MS) / WINDOW_MS) * WINDOW_MS;
    if (samples.length === 0 && boundary <= this.sealedTo && !this.sealing) return 0;
    let stored = 0;
    this.db.transaction(() => {
      const journal = new JournalBatch(samples.length);
      const late = new Map<number, number>();
      for (const s of samples) {
        const ts = Math.round(s.ts);
        if (!isTimestamp(ts)) {
          this.rejected++;
          continue;
        }
        const id = this.pointId(s.ref);
        const quality = QUALITY_CODE[s.quality] ?? 2;
        const v = s.value;
        const kind =
          typeof v === "string" ? KIND_TEXT : v === null || v === undefined ? KIND_NULL : KIND_NUMBER;
        const value = typeof v === "number" ? v : v === true ? 1 : 0;
        const text = typeof v === "string" ? v : undefined;
        const flag = flagOf(quality, kind);
        const sealing = this.sealing;
        const before = sealing !== undefined && ts < sealing.boundary;
        if (ts < this.sealedTo || (before && sealing.done.has(id))) {
          this.series.add(this.slotOf(late, id), ts, value, flag, text);
        } else {
          this.series.add(this.slotOf(this.open, id), ts, value, flag, text);
          journal.add(id, ts, value, flag, text);
          if (before) sealing.pending.add(id);
        }
        stored++;
      }
      if (journal.n > 0) {
        const encoded = journal.encode();
        this.stmt.insertJournal.run(journal.maxTs, encoded.points, encoded.samples);
      }
      for (const [id, slot] of late) {
        const all = this.series.takeBefore(slot, Number.POSITIVE_INFINITY);
        this.series.close(slot);
        if (all) this.writeChunks(id, all);
      }
      if (!this.sealing && boundary > this.sealedTo) {
        this.sealing = { boundary, pending: new Set(this.open.keys()), done: new Set() };
        this.stmt.setMeta.run("sealing_to", boundary);
      }
      if (this.sealing) this.sealSome(this.sealing);
    })();
    return stored;
  }

  /** Flushes until no seal is in progress (bulk loads, and before measuring what is on disk). */
  sealAll(now = this.now()): void {
    do this.flush(now);
    while (this.sealing);
  }

  /**
   * Seals the next points' open samples before the boundary into chunks. When every point is sealed,
   * the boundary becomes the sealed time and the journal is trimmed to what is left.
   */
  private sealSome(sealing: { boundary: number; pending: Set<number>; done: Set<number> }): void {
    let n = 0;
    for (const id of sealing.pending) {
      if (n++ >= this.sealBatch) break;
      sealing.pending.delete(id);
      sealing.done.add(id);
      const slot = this.open.get(id);
      if (slot === undefined) continue;
      const taken = this.series.takeBefore(slot, sealing.boundary);
      if (taken) this.writeChunks(id, taken);
      if (this.series.count(slot) === 0) {
        this.series.close(slot);
        this.open.delete(id);
      }
    }
    if (sealing.pending.size > 0) return;
    this.sealedTo = sealing.boundary;
    this.sealing = undefined;
    this.stmt.setMeta.run("sealed_to", this.sealedTo);
    this.stmt.trimJournal.run(this.sealedTo);
  }

  /** Writes time-ordered samples as one chunk per window, each with its hour rollup. */
  private writeChunks(id: number, c: ChunkColumns): void {
    let i = 0;
    while (i < c.n) {
      const window = Math.floor(c.ts[i]! / WINDOW_MS) * WINDOW_MS;
      let j = i + 1;
      while (j < c.n && c.ts[j]! < window + WINDOW_MS) j++;
      this.writeChunk(id, slice(c, i, j));
      i = j;
    }
  }

  private writeChunk(id: number, c: ChunkColumns): void {
    const minutes = summarizeMinutes(c);
    const { bytes, scale } = encodeSamples(c);
    const minuteBytes = encodeMinutes(minutes, scale);
    this.stmt.insertChunk.run(id, c.ts[0], c.ts[c.n - 1], c.n, minuteBytes, bytes);
    this.bytes += bytes.length + minuteBytes.length + CHUNK_OVERHEAD_BYTES;
    this.stmt.setMeta.run("bytes", this.bytes);
    if (minutes.length === 0) return;
    const hour = foldMinutes(minutes);
    this.stmt.upsertHour.run({
      id,
      hour: Math.floor(minutes[0]!.minute / HOUR) * HOUR,
      sum: hour.sum,
      count: hour.count,
      min: hour.min,
      max: hour.max,
      last: hour.last,
      lastTs: hour.lastTs,
      quality: hour.quality,
    });
  }

  /**
   * After a crash: the journal's samples of windows not sealed go back into memory, but for the points a
   * seal in progress had already written (they have a chunk between the sealed time and its boundary).
   */
  private replayJournal(): void {
    const sealingTo = (this.stmt.getMeta.get("sealing_to") as number | undefined) ?? this.sealedTo;
    const sealed = new Map<number, boolean>();
    const alreadySealed = (id: number, ts: number) => {
      if (ts >= sealingTo) return false;
      let known = sealed.get(id);
      if (known === undefined) {
        known = this.stmt.sealedIn.get(id, this.sealedTo, sealingTo) !== undefined;
        sealed.set(id, known);
      }
      return known;
    };
    const rows = this.db.prepare("SELECT points, samples FROM history_journal ORDER BY id").raw().all() as [
      Uint8Array,
      Uint8Array,
    ][];
    for (const [points, samples] of rows) {
      const ids = decodeIntegers(points);
      const c = decodeChunk(samples);
      for (let i = 0; i < c.n; i++) {
        if (c.ts[i]! < this.sealedTo || alreadySealed(ids[i]!, c.ts[i]!)) continue;
        this.series.add(this.slotOf(this.open, ids[i]!), c.ts[i]!, c.values[i]!, c.flags[i]!, c.texts.get(i));
      }
    }
  }

  /** Converts the raw `samples` table of runtime.db before migration 7 into chunks, then drops it. */
  private importLegacySamples(): void {
    const legacy = this.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'samples'")
      .get();
    if (!legacy) return;
    this.db.transaction(() => {
      // One point at a time (a day at 1 s is 86,400 rows): better-sqlite3 cannot write while iterating.
      const ids = this.db.prepare("SELECT DISTINCT point_id FROM samples").pluck().all() as number[];
      const select = this.db
        .prepare("SELECT ts, value, text, quality FROM samples WHERE point_id = ? ORDER BY ts")
        .raw();
      for (const id of ids) {
        const slot = this.series.open();
        for (const [ts, value, text, quality] of select.all(id) as [
          number,
          number | null,
          string | null,
          number,
        ][]) {
          const kind = text !== null ? KIND_TEXT : value === null ? KIND_NULL : KIND_NUMBER;
          this.series.add(slot, ts, value ?? 0, flagOf(Math.min(2, quality), kind), text ?? undefined);
        }
        const all = this.series.takeBefore(slot, Number.POSITIVE_INFINITY);
        this.series.close(slot);
        if (all) this.writeChunks(id, all);
      }
      this.db.exec("DROP TABLE samples; DROP TABLE IF EXISTS samples_1m;");
    })();
  }

  /**
   * Drops the history of the hours that end before `before` (whole hours, chunks and rollups in step).
   * Returns the number of samples dropped.
   */
  prune(before: number): number {
    const cutoff = Math.floor(before / HOUR) * HOUR;
    // Called every minute, but the cutoff moves once an hour: the per-point deletes run only then.
    if (cutoff <= this.prunedTo) return 0;
    this.prunedTo = cutoff;
    return this.dropBefore(cutoff);
  }

  /** Drops every chunk and hour rollup before the whole hour `cutoff`; returns the samples dropped. */
  private dropBefore(cutoff: number): number {
    let dropped = 0;
    this.db.transaction(() => {
      for (const id of this.stmt.pointIds.all() as number[]) {
        const [count, bytes] = this.stmt.prunedSize.get(id, cutoff) as [number, number];
        if (count > 0) {
          this.stmt.pruneChunks.run(id, cutoff);
          dropped += count;
          this.bytes -= bytes;
        }
        this.stmt.pruneHours.run(id, cutoff);
      }
      this.bytes = Math.max(0, this.bytes);
      this.stmt.setMeta.run("bytes", this.bytes);
    })();
    return dropped;
  }

  /** Drops the oldest hours until the stored history fits in `maxBytes`; returns samples dropped. */
  enforceBudget(maxBytes: number): number {
    let dropped = 0;
    while (this.bytes > maxBytes) {
      const oldest = this.stmt.oldestChunk.get() as number | undefined;
      if (oldest === undefined) break;
      // Each round drops at least the first chunk written, so the loop ends.
      dropped += this.dropBefore(Math.floor(oldest / HOUR) * HOUR + HOUR);
    }
    return dropped;
  }

  refs(): string[] {
    return (this.db.prepare("SELECT ref FROM points ORDER BY ref").all() as { ref: string }[]).map(
      (r) => r.ref,
    );
  }

  /**
   * Raw samples (bucketMs 0), or server-side buckets: avg/min/max/last and the worst quality. Whole
   * hours come from the hour rollup when buckets are whole hours, whole minutes from the chunks' minute
   * summaries when buckets are whole minutes, and only the partial minutes at the window's edges (and
   * finer buckets) decode samples.
   */
  query(ref: string, from: number, to: number, bucketMs: number): Bucket[] {
    return bucketsOf(this.queryColumns(ref, from, to, bucketMs));
  }

  /** query() as columns. */
  queryColumns(ref: string, from: number, to: number, bucketMs: number): BucketColumns {
    const id = this.existingPointId(ref);
    if (id === undefined) return emptyColumns();
    if (bucketMs <= 0) return this.raw(id, from, to);
    const buckets = new BucketBuilder(bucketMs);
    let edges: [number, number][] = [[from, to]];
    if (bucketMs % HOUR === 0) {
      const firstHour = Math.ceil(from / HOUR) * HOUR;
      const endHour = Math.floor((to + 1) / HOUR) * HOUR;
      if (firstHour < endHour) {
        for (const [hour, sum, count, min, max, last, lastTs, quality] of this.stmt.hoursIn.all(
          id,
          firstHour,
          endHour,
        ) as HourRow[])
          buckets.addSummary(hour, sum, count, min, max, last, lastTs, quality);
        edges = [
          [from, firstHour - 1],
          [endHour, to],
        ];
      }
    }
    const byMinute = bucketMs % MINUTE === 0;
    for (const [lo, hi] of edges) if (lo <= hi) this.addChunks(buckets, id, lo, hi, byMinute);
    const slot = this.open.get(id);
    if (slot !== undefined) addSamples(buckets, this.series.columns(slot), from, to);
    return buckets.result();
  }

  private chunks(id: number, from: number, to: number): ChunkRow[] {
    return this.stmt.chunksIn.all(id, from - WINDOW_MS, to, from) as ChunkRow[];
  }

  private addChunks(buckets: BucketBuilder, id: number, from: number, to: number, byMinute: boolean): void {
    const firstMinute = Math.ceil(from / MINUTE) * MINUTE;
    const endMinute = Math.floor((to + 1) / MINUTE) * MINUTE;
    if (!byMinute || firstMinute >= endMinute) {
      for (const [, , , samples] of this.chunks(id, from, to))
        addSamples(buckets, decodeChunk(samples), from, to);
      return;
    }
    const rows = this.stmt.minutesIn.all(id, from - WINDOW_MS, to, from) as [
      number,
      number,
      number,
      Uint8Array,
    ][];
    for (const [chunkId, start, end, minutes] of rows) {
      // Partial minutes at the edges need the samples; only this chunk's, and only if it reaches them.
      const headPartial = from < firstMinute && start < firstMinute;
      const tailPartial = endMinute <= to && end >= endMinute;
      if (headPartial || tailPartial) {
        const c = decodeChunk(this.stmt.samplesOf.get(chunkId) as Uint8Array);
        if (headPartial) addSamples(buckets, c, from, firstMinute - 1);
        if (tailPartial) addSamples(buckets, c, endMinute, to);
      }
      for (const m of decodeMinutes(minutes)) {
        if (m.minute < firstMinute || m.minute >= endMinute) continue;
        buckets.addSummary(m.minute, m.sum, m.count, m.min, m.max, m.last, m.lastTs, m.quality);
      }
    }
  }

  private raw(id: number, from: number, to: number): BucketColumns {
    const out = emptyColumns();
    let sorted = true;
    let lastT = Number.NEGATIVE_INFINITY;
    const take = (c: ChunkColumns) => {
      for (let i = 0; i < c.n; i++) {
        const t = c.ts[i]!;
        if (t < from || t > to) continue;
        const kind = kindOf(c.flags[i]!);
        const value = kind === KIND_NUMBER ? c.values[i]! : null;
        if (t < lastT) sorted = false;
        lastT = t;
        out.t.push(t);
        out.avg.push(value);
        out.min.push(value);
        out.max.push(value);
        out.last.push(kind === KIND_TEXT ? (c.texts.get(i) ?? "") : value);
        out.count.push(1);
        out.quality.push(QUALITY_NAME[qualityOf(c.flags[i]!)] ?? "bad");
      }
    };
    for (const [, , , samples] of this.chunks(id, from, to)) take(decodeChunk(samples));
    const slot = this.open.get(id);
    if (slot !== undefined) take(this.series.columns(slot));
    // Chunks of one window (a late chunk, a chunk replayed after a crash) can interleave in time.
    return sorted ? out : sortColumns(out);
  }

  latest(ref: string): Sample | undefined {
    const id = this.existingPointId(ref);
    if (id === undefined) return undefined;
    const slot = this.open.get(id);
    let c: ChunkColumns | undefined = slot === undefined ? undefined : this.series.columns(slot);
    if (!c || c.n === 0) {
      const row = this.stmt.lastChunk.get(id) as { samples: Uint8Array } | undefined;
      if (!row) return undefined;
      c = decodeChunk(row.samples);
    }
    let at = 0;
    for (let i = 1; i < c.n; i++) if (c.ts[i]! >= c.ts[at]!) at = i;
    const kind = kindOf(c.flags[at]!);
    return {
      ref,
      ts: c.ts[at]!,
      value: kind === KIND_NUMBER ? c.values[at]! : kind === KIND_TEXT ? (c.texts.get(at) ?? "") : null,
      quality: QUALITY_NAME[qualityOf(c.flags[at]!)] ?? "bad",
    };
  }
}

/** The columns reordered by time (stable, as Array.prototype.sort is). */
function sortColumns(c: BucketColumns): BucketColumns {
  const order = c.t.map((_, i) => i).sort((a, b) => c.t[a]! - c.t[b]!);
  const pick = <T>(column: T[]) => order.map((i) => column[i]!);
  return {
    t: pick(c.t),
    avg: pick(c.avg),
    min: pick(c.min),
    max: pick(c.max),
    last: pick(c.last),
    count: pick(c.count),
    quality: pick(c.quality),
  };
}

type HourRow = [number, number | null, number, number | null, number | null, number | null, number, number];

function slice(c: ChunkColumns, from: number, to: number): ChunkColumns {
  if (from === 0 && to === c.n) return c;
  const texts = new Map<number, string>();
  for (const [i, t] of c.texts) if (i >= from && i < to) texts.set(i - from, t);
  return {
    n: to - from,
    ts: c.ts.subarray(from, to),
    values: c.values.subarray(from, to),
    flags: c.flags.subarray(from, to),
    texts,
  };
}

function foldMinutes(minutes: readonly MinuteSummary[]): MinuteSummary {
  const out: MinuteSummary = { ...minutes[0]!, sum: minutes[0]!.sum, lastTs: minutes[0]!.lastTs };
  for (let i = 1; i < minutes.length; i++) {
    const m = minutes[i]!;
    out.count += m.count;
    if (m.sum !== null) out.sum = (out.sum ?? 0) + m.sum;
    if (m.min !== null) out.min = out.min === null ? m.min : Math.min(out.min, m.min);
    if (m.max !== null) out.max = out.max === null ? m.max : Math.max(out.max, m.max);
    if (m.lastTs >= out.lastTs) {
      out.last = m.last;
      out.lastTs = m.lastTs;
    }
    if (m.quality > out.quality) out.quality = m.quality;
  }
  return out;
}

/** Adds the non-text samples within [from, to] of decoded or open columns. */
function addSamples(buckets: BucketBuilder, c: ChunkColumns, from: number, to: number): void {
  for (let i = 0; i < c.n; i++) {
    const t = c.ts[i]!;
    if (t < from || t > to) continue;
    const kind = kindOf(c.flags[i]!);
    if (kind === KIND_TEXT) continue;
    const v = kind === KIND_NUMBER ? c.values[i]! : null;
    buckets.addSummary(t, v, v === null ? 0 : 1, v, v, v, t, qualityOf(c.flags[i]!));
  }
}

/** One flush's open-window samples, encoded as one journal row. */
class JournalBatch {
  n = 0;
  maxTs = Number.NEGATIVE_INFINITY;
  private readonly ids: Uint32Array;
  private readonly columns: ChunkColumns;

  constructor(capacity: number) {
    this.ids = new Uint32Array(capacity);
    this.columns = {
      n: 0,
      ts: new Float64Array(capacity),
      values: new Float64Array(capacity),
      flags: new Uint8Array(capacity),
      texts: new Map(),
    };
  }

  add(id: number, ts: number, value: number, flag: number, text: string | undefined): void {
    const i = this.n++;
    this.ids[i] = id;
    this.columns.ts[i] = ts;
    this.columns.values[i] = value;
    this.columns.flags[i] = flag;
    if (text !== undefined) this.columns.texts.set(i, text);
    if (ts > this.maxTs) this.maxTs = ts;
  }

  encode(): { points: Uint8Array; samples: Uint8Array } {
    this.columns.n = this.n;
    return { points: encodeIntegers(this.ids, this.n), samples: encodeSamples(this.columns).bytes };
  }
}

/**
 * Folds samples, minute and hour summaries into fixed buckets, kept as columns: a chart's buckets come
 * in time order nearly always, so each is appended, found again as the last one, and never an object.
 */
class BucketBuilder {
  private readonly t: number[] = [];
  private readonly sum: number[] = [];
  private readonly count: number[] = [];
  private readonly min: (number | null)[] = [];
  private readonly max: (number | null)[] = [];
  private readonly last: (number | null)[] = [];
  private readonly lastTs: number[] = [];
  private readonly quality: number[] = [];
  /** Bucket start → index, built only once a summary comes before the latest bucket. */
  private index: Map<number, number> | undefined;
  private current = -1;
  private latest = Number.NEGATIVE_INFINITY;

  constructor(private readonly bucketMs: number) {}

  private open(t: number): number {
    const i = this.t.length;
    if (t > this.latest) this.latest = t;
    this.t.push(t);
    this.sum.push(0);
    this.count.push(0);
    this.min.push(null);
    this.max.push(null);
    this.last.push(null);
    this.lastTs.push(Number.NEGATIVE_INFINITY);
    this.quality.push(0);
    this.index?.set(t, i);
    return i;
  }

  private find(t: number): number {
    if (t > this.latest) return this.open(t);
    if (!this.index) {
      this.index = new Map();
      for (let k = 0; k < this.t.length; k++) this.index.set(this.t[k]!, k);
    }
    return this.index.get(t) ?? this.open(t);
  }

  addSummary(
    at: number,
    sum: number | null,
    count: number,
    min: number | null,
    max: number | null,
    last: number | null,
    lastTs: number,
    quality: number,
  ): void {
    const t = Math.floor(at / this.bucketMs) * this.bucketMs;
    let i = this.current;
    if (i < 0 || this.t[i] !== t) {
      i = this.find(t);
      this.current = i;
    }
    if (sum !== null) this.sum[i]! += sum;
    this.count[i]! += count;
    if (min !== null) this.min[i] = this.min[i] === null ? min : Math.min(this.min[i]!, min);
    if (max !== null) this.max[i] = this.max[i] === null ? max : Math.max(this.max[i]!, max);
    if (lastTs >= this.lastTs[i]!) {
      this.last[i] = last;
      this.lastTs[i] = lastTs;
    }
    if (quality > this.quality[i]!) this.quality[i] = quality;
  }

  result(): BucketColumns {
    const n = this.t.length;
    const out = emptyColumns();
    // Opened out of time order only if an index was needed (and even then maybe not).
    const order = this.index ? this.t.map((_, i) => i).sort((a, b) => this.t[a]! - this.t[b]!) : undefined;
    for (let k = 0; k < n; k++) {
      const i = order ? order[k]! : k;
      const count = this.count[i]!;
      out.t.push(this.t[i]!);
      out.avg.push(count > 0 ? this.sum[i]! / count : null);
      out.min.push(this.min[i]!);
      out.max.push(this.max[i]!);
      out.last.push(this.last[i]!);
      out.count.push(count);
      out.quality.push(QUALITY_NAME[this.quality[i]!] ?? "bad");
    }
    return out;
  }
}
