import type { Db } from "./database";

/** Where one device Trend Log has been read up to. */
export interface TrendLogCursor {
  deviceId: number;
  logInstance: number;
  pointRef: string;
  /** The sequence number of the next record to read. */
  nextSequence: number;
  /** Time of the last record read (ms). */
  lastTs: number;
}

/** A stretch of a point's history that came from a device's log, not from the supervisor's reads. */
export interface BackfillRange {
  from: number;
  to: number;
  samples: number;
  source: string;
}

/**
 * The `trend_log_cursors` and `history_backfills` tables: a backfill resumes from its cursor after a
 * restart, and charts ask which parts of a series were backfilled.
 */
export class BackfillsRepo {
  private readonly stmt;
  /**
   * Points that have (or had: pruning leaves them) a backfilled range. Most points never have one, and a
   * chart of 20 points then asks SQLite nothing: 20 statements were 0.3 ms of a 15-minute query.
   */
  private readonly backfilledRefs: Set<string>;

  constructor(db: Db) {
    this.backfilledRefs = new Set(
      db.prepare("SELECT DISTINCT point_ref FROM history_backfills").pluck().all() as string[],
    );
    this.stmt = {
      cursor: db.prepare(
        "SELECT device_id, log_instance, point_ref, next_sequence, last_ts FROM trend_log_cursors WHERE device_id = ? AND log_instance = ?",
      ),
      saveCursor: db.prepare(
        `INSERT INTO trend_log_cursors (device_id, log_instance, point_ref, next_sequence, last_ts, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(device_id, log_instance) DO UPDATE SET point_ref = excluded.point_ref,
           next_sequence = excluded.next_sequence, last_ts = excluded.last_ts, updated_at = excluded.updated_at`,
      ),
      addRange: db.prepare(
        "INSERT INTO history_backfills (point_ref, from_ts, to_ts, samples, source, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      ranges: db.prepare(
        `SELECT from_ts, to_ts, samples, source FROM history_backfills
         WHERE point_ref = ? AND to_ts >= ? AND from_ts <= ? ORDER BY from_ts LIMIT 1000`,
      ),
      prune: db.prepare("DELETE FROM history_backfills WHERE to_ts < ?"),
    };
  }

  cursor(deviceId: number, logInstance: number): TrendLogCursor | undefined {
    const row = this.stmt.cursor.get(deviceId, logInstance) as
      | { device_id: number; log_instance: number; point_ref: string; next_sequence: number; last_ts: number }
      | undefined;
    return row
      ? {
          deviceId: row.device_id,
          logInstance: row.log_instance,
          pointRef: row.point_ref,
          nextSequence: row.next_sequence,
          lastTs: row.last_ts,
        }
      : undefined;
  }

  saveCursor(cursor: TrendLogCursor, now = Date.now()): void {
    this.stmt.saveCursor.run(
      cursor.deviceId,
      cursor.logInstance,
      cursor.pointRef,
      cursor.nextSequence,
      cursor.lastTs,
      now,
    );
  }

  addRange(pointRef: string, range: BackfillRange, now = Date.now()): void {
    this.backfilledRefs.add(pointRef);
    this.stmt.addRange.run(pointRef, range.from, range.to, range.samples, range.source, now);
  }

  ranges(pointRef: string, from: number, to: number): BackfillRange[] {
    if (!this.backfilledRefs.has(pointRef)) return [];
    return (
      this.stmt.ranges.all(pointRef, from, to) as {
        from_ts: number;
        to_ts: number;
        samples: number;
        source: string;
      }[]
    ).map((r) => ({ from: r.from_ts, to: r.to_ts, samples: r.samples, source: r.source }));
  }

  /** Drops ranges that end before history's retention does. */
  prune(before: number): number {
    return this.stmt.prune.run(before).changes;
  }
}
