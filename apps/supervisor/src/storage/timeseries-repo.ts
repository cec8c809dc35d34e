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

/**
 * Point history: one row per (point, ms timestamp) in a WITHOUT ROWID table keyed by point then time,
 * so "20 points over the last 15 minutes" is 20 short index range scans. Writes are buffered and
 * flushed once a second in one transaction: a kill -9 loses at most that second.
 */
export class TimeseriesRepo {
  private readonly pointIds = new Map<string, number>();
  private buffer: Sample[] = [];
  private readonly insertSample;
  private readonly insertPoint;
  private readonly selectPoint;

  constructor(private readonly db: Db) {
    this.insertSample = db.prepare(
      "INSERT OR REPLACE INTO samples (point_id, ts, value, text, quality) VALUES (?, ?, ?, ?, ?)",
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
        this.insertSample.run(this.pointId(s.ref), s.ts, numeric, text, QUALITY_CODE[s.quality]);
      }
    })();
    return samples.length;
  }

  prune(before: number): number {
    return this.db.prepare("DELETE FROM samples WHERE ts < ?").run(before).changes;
  }

  refs(): string[] {
    return (this.db.prepare("SELECT ref FROM points ORDER BY ref").all() as { ref: string }[]).map(
      (r) => r.ref,
    );
  }

  /** Raw samples, or server-side buckets when bucketMs > 0 (avg/min/max/last and worst quality). */
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
    const rows = this.db
      .prepare(
        `SELECT (ts / @bucket) * @bucket AS t, AVG(value) AS avg, MIN(value) AS min, MAX(value) AS max,
           COUNT(*) AS count, MAX(quality) AS quality,
           (SELECT s2.value FROM samples s2 WHERE s2.point_id = @id AND s2.ts >= (s.ts / @bucket) * @bucket
              AND s2.ts < (s.ts / @bucket) * @bucket + @bucket AND s2.ts <= @to ORDER BY s2.ts DESC LIMIT 1) AS last
         FROM samples s WHERE point_id = @id AND ts >= @from AND ts <= @to
         GROUP BY ts / @bucket ORDER BY t`,
      )
      .all({ id, from, to, bucket: bucketMs }) as {
      t: number;
      avg: number | null;
      min: number | null;
      max: number | null;
      count: number;
      quality: number;
      last: number | null;
    }[];
    return rows.map((r) => ({ ...r, quality: QUALITY_NAME[r.quality] ?? "bad" }));
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
