import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Quality } from "@bms/schemas";
import Database from "better-sqlite3";

/** One thing the broker did not get yet: a point value, or an alarm transition (JSON in `value`). */
export interface BufferedRecord {
  kind: "point" | "alarm";
  /** The point ref, or the alarm key. */
  ref: string;
  value: number | boolean | string | null;
  quality: Quality;
  ts: number;
}

export interface BufferedRow extends BufferedRecord {
  id: number;
}

interface Row {
  id: number;
  kind: "point" | "alarm";
  ref: string;
  value: string;
  quality: Quality;
  ts: number;
}

/**
 * Sparkplug store-and-forward: what happens while the broker (or the primary host) is away goes to
 * its own SQLite file, bounded by a row count; past the bound the oldest rows go first, counted in
 * `dropped`. Its own file, not runtime.db, so a long outage's churn never slows history or deploys,
 * and deleting it is a safe way to throw a backlog away. Also keeps the bdSeq across restarts.
 */
export class StoreAndForward {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly trim: Database.Statement;
  private queued: number;
  private droppedTotal = 0;

  constructor(
    dataDir: string,
    readonly maxRows: number,
  ) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, "sparkplug-buffer.db"));
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS queue (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        ref TEXT NOT NULL,
        value TEXT NOT NULL,
        quality TEXT NOT NULL,
        ts INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    `);
    this.insert = this.db.prepare("INSERT INTO queue (kind, ref, value, quality, ts) VALUES (?, ?, ?, ?, ?)");
    this.trim = this.db.prepare("DELETE FROM queue WHERE id IN (SELECT id FROM queue ORDER BY id LIMIT ?)");
    this.queued = (this.db.prepare("SELECT count(*) AS n FROM queue").get() as { n: number }).n;
    this.droppedTotal = this.meta("dropped") ?? 0;
  }

  get size(): number {
    return this.queued;
  }

  /** Rows thrown away at the bound since the buffer was created. */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** Appends in one transaction; past the bound, deletes the oldest rows. */
  push(records: readonly BufferedRecord[]): void {
    if (records.length === 0) return;
    this.db.transaction(() => {
      for (const r of records) this.insert.run(r.kind, r.ref, JSON.stringify(r.value), r.quality, r.ts);
      this.queued += records.length;
      const over = this.queued - this.maxRows;
      if (over > 0) {
        this.trim.run(over);
        this.queued -= over;
        this.droppedTotal += over;
        this.setMeta("dropped", this.droppedTotal);
      }
    })();
  }

  /** The oldest rows, in order, without removing them (removed once the broker took them). */
  peek(limit: number): BufferedRow[] {
    const rows = this.db
      .prepare("SELECT id, kind, ref, value, quality, ts FROM queue ORDER BY id LIMIT ?")
      .all(limit) as Row[];
    return rows.map((r) => ({ ...r, value: JSON.parse(r.value) as BufferedRecord["value"] }));
  }

  /** Removes rows up to and including `id` (what peek returned and the broker took). */
  remove(upToId: number): void {
    const { changes } = this.db.prepare("DELETE FROM queue WHERE id <= ?").run(upToId);
    this.queued = Math.max(0, this.queued - changes);
  }

  meta(key: string): number | undefined {
    return (this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: number } | undefined)
      ?.value;
  }

  setMeta(key: string, value: number): void {
    this.db
      .prepare(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      )
      .run(key, value);
  }

  close(): void {
    this.db.close();
  }
}
