import type { Quality } from "@bms/schemas";
import type { Db } from "./database";

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

const MINUTE = 60_000;

/**
 * Point history: one row per (point, ms timestamp) in a WITHOUT ROWID table keyed by point then time,
 * so "20 points over the last 15 minutes" is 20 short index range scans, plus a per-minute rollup
 * (sum, count, min, max, last, worst quality) so a day-long chart reads 1,440 rows a point whatever
 * the sample rate. Writes are buffered and flushed once a second in one transaction: a kill -9 loses
 * at most that second.
 */
export class TimeseriesRepo {
  private readonly pointIds = new Map<string, number>();
  private buffer: Sample[] = [];
  private readonly insertSample;
  private readonly upsertMinute;
  private readonly insertPoint;
  private readonly selectPoint;

  constructor(private readonly db: Db) {
    this.insertSample = db.prepare(
      "INSERT OR REPLACE INTO samples (point_id, ts, value, text, quality) VALUES (?, ?, ?, ?, ?)",
    );
    this.upsertMinute = db.prepare(
      `INSERT INTO samples_1m (point_id, minute, sum, count, min, max, last, last_ts, quality)
       VALUES (@id, @minute, @value, @n, @value, @value, @value, @ts, @quality)
       ON CONFLICT(point_id, minute) DO UPDATE SET
         sum = CASE WHEN excluded.sum IS NULL THEN sum ELSE COALESCE(sum, 0) + excluded.sum END,
         count = count + excluded.count,
         min = CASE WHEN excluded.min IS NULL THEN min WHEN min IS NULL THEN excluded.min ELSE MIN(min, excluded.min) END,
         max = CASE WHEN excluded.max IS NULL THEN max WHEN max IS NULL THEN excluded.max ELSE MAX(max, excluded.max) END,
         last = CASE WHEN excluded.last_ts >= last_ts THEN excluded.last ELSE last END,
         last_ts = MAX(last_ts, excluded.last_ts),
         quality = MAX(quality, excluded.quality)`,
    );
    this.insertPoint = db.prepare("INSERT OR IGNORE INTO points (ref) VALUES (?)");
    this.selectPoint = db.prepare("SELECT id FROM points WHERE ref = ?");
  }

  private pointId(ref: string): number {
    let id = this.pointIds.get(ref);
    if (id === undefined) {
      this.insertPoint.run(ref);
      id = (this.selectPoint.get(ref) as { id: number }).id;
      this.pointIds.set(ref, id);
    }
    return id;
  }

  private existingPointId(ref: string): number | undefined {
    const cached = this.pointIds.get(ref);
    if (cached !== undefined) return cached;
    const row = this.selectPoint.get(ref) as { id: number } | undefined;
    if (row) this.pointIds.set(ref, row.id);
    return row?.id;
  }

  record(sample: Sample): void {
    this.buffer.push(sample);
  }

  get pending(): number {
    return this.buffer.length;
  }

  flush(): number {
    if (this.buffer.length === 0) return 0;
    const samples = this.buffer;
    this.buffer = [];
    this.db.transaction(() => {
      for (const s of samples) {
        const numeric =
          typeof s.value === "number" ? s.value : typeof s.value === "boolean" ? (s.value ? 1 : 0) : null;
        const text = typeof s.value === "string" ? s.value : null;
        const id = this.pointId(s.ref);
        const quality = QUALITY_CODE[s.quality];
        this.insertSample.run(id, s.ts, numeric, text, quality);
        if (text === null) {
          this.upsertMinute.run({
            id,
            minute: Math.floor(s.ts / MINUTE) * MINUTE,
            value: numeric,
            n: numeric === null ? 0 : 1,
            ts: s.ts,
            quality,
          });
        }
      }
    })();
    return samples.length;
  }

  prune(before: number): number {
    this.db.prepare("DELETE FROM samples_1m WHERE minute < ?").run(Math.floor(before / MINUTE) * MINUTE);
    return this.db.prepare("DELETE FROM samples WHERE ts < ?").run(before).changes;
  }

  refs(): string[] {
    return (this.db.prepare("SELECT ref FROM points ORDER BY ref").all() as { ref: string }[]).map(
      (r) => r.ref,
    );
  }

  /**
   * Raw samples (bucketMs 0), or server-side buckets: avg/min/max/last and the worst quality. Buckets of
   * whole minutes come from the rollup (1,440 rows a point a day); finer ones from the raw samples.
   */
  query(ref: string, from: number, to: number, bucketMs: number): Bucket[] {
    const id = this.existingPointId(ref);
    if (id === undefined) return [];
    if (bucketMs <= 0) {
      const rows = this.db
        .prepare(
          "SELECT ts, value, text, quality FROM samples WHERE point_id = ? AND ts >= ? AND ts <= ? ORDER BY ts",
        )
        .all(id, from, to) as { ts: number; value: number | null; text: string | null; quality: number }[];
      return rows.map((r) => ({
        t: r.ts,
        avg: r.value,
        min: r.value,
        max: r.value,
        last: r.value ?? r.text,
        count: 1,
        quality: QUALITY_NAME[r.quality] ?? "bad",
      }));
    }
    const buckets = new BucketBuilder(bucketMs);
    if (bucketMs % MINUTE === 0) {
      // Whole minutes inside the window come from the rollup; the partial minutes at its edges from raw.
      const firstWhole = Math.ceil(from / MINUTE) * MINUTE;
      const lastWhole = Math.floor((to + 1) / MINUTE) * MINUTE;
      if (firstWhole < lastWhole) {
        this.addRaw(buckets, id, from, firstWhole - 1);
        const rows = this.db
          .prepare(
            `SELECT minute, sum, count, min, max, last, last_ts, quality FROM samples_1m
             WHERE point_id = ? AND minute >= ? AND minute < ? ORDER BY minute`,
          )
          .raw()
          .all(id, firstWhole, lastWhole) as [
          number,
          number | null,
          number,
          number | null,
          number | null,
          number | null,
          number,
          number,
        ][];
        for (const [minute, sum, count, min, max, last, lastTs, quality] of rows) {
          buckets.addSummary(minute, sum, count, min, max, last, lastTs, quality);
        }
        this.addRaw(buckets, id, lastWhole, to);
        return buckets.result();
      }
    }
    this.addRaw(buckets, id, from, to);
    return buckets.result();
  }

  private addRaw(buckets: BucketBuilder, id: number, from: number, to: number): void {
    if (from > to) return;
    const rows = this.db
      .prepare(
        "SELECT ts, value, quality FROM samples WHERE point_id = ? AND ts >= ? AND ts <= ? AND text IS NULL ORDER BY ts",
      )
      .raw()
      .iterate(id, from, to) as IterableIterator<[number, number | null, number]>;
    for (const [ts, value, quality] of rows)
      buckets.addSummary(ts, value, value === null ? 0 : 1, value, value, value, ts, quality);
  }

  latest(ref: string): Sample | undefined {
    const id = this.existingPointId(ref);
    if (id === undefined) return undefined;
    const row = this.db
      .prepare("SELECT ts, value, text, quality FROM samples WHERE point_id = ? ORDER BY ts DESC LIMIT 1")
      .get(id) as { ts: number; value: number | null; text: string | null; quality: number } | undefined;
    if (!row) return undefined;
    return { ref, ts: row.ts, value: row.value ?? row.text, quality: QUALITY_NAME[row.quality] ?? "bad" };
  }
}

interface OpenBucket {
  t: number;
  sum: number;
  count: number;
  min: number | null;
  max: number | null;
  last: number | null;
  lastTs: number;
  quality: number;
}

/** Folds samples or minute summaries into fixed buckets, in time order. */
class BucketBuilder {
  private readonly buckets = new Map<number, OpenBucket>();

  constructor(private readonly bucketMs: number) {}

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
    let b = this.buckets.get(t);
    if (!b) {
      b = { t, sum: 0, count: 0, min: null, max: null, last: null, lastTs: -1, quality: 0 };
      this.buckets.set(t, b);
    }
    if (sum !== null) b.sum += sum;
    b.count += count;
    if (min !== null) b.min = b.min === null ? min : Math.min(b.min, min);
    if (max !== null) b.max = b.max === null ? max : Math.max(b.max, max);
    if (lastTs >= b.lastTs) {
      b.last = last;
      b.lastTs = lastTs;
    }
    if (quality > b.quality) b.quality = quality;
  }

  result(): Bucket[] {
    return [...this.buckets.values()]
      .sort((a, b) => a.t - b.t)
      .map((b) => ({
        t: b.t,
        avg: b.count > 0 ? b.sum / b.count : null,
        min: b.min,
        max: b.max,
        last: b.last,
        count: b.count,
        quality: QUALITY_NAME[b.quality] ?? "bad",
      }));
  }
}
