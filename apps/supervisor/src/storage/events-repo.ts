import type { Db } from "./database";

export interface EventRecord {
  id: number;
  timestamp: string;
  level: "info" | "warn" | "error";
  source: string;
  message: string;
  data?: unknown;
}

/** The execution and error log the API and dashboard show; pruned with the rest of the history. */
export class EventsRepo {
  private readonly insert;
  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      "INSERT INTO events (ts, level, source, message, data_json) VALUES (?, ?, ?, ?, ?)",
    );
  }

  add(level: EventRecord["level"], source: string, message: string, data?: unknown, ts = Date.now()): void {
    this.insert.run(
      ts,
      level,
      source,
      message.slice(0, 2000),
      data === undefined ? null : JSON.stringify(data),
    );
  }

  recent(options: { limit?: number; level?: string; since?: number } = {}): EventRecord[] {
    const rows = this.db
      .prepare(
        `SELECT id, ts, level, source, message, data_json FROM events
         WHERE ts >= ? AND (? IS NULL OR level = ?) ORDER BY id DESC LIMIT ?`,
      )
      .all(options.since ?? 0, options.level ?? null, options.level ?? null, options.limit ?? 200) as {
      id: number;
      ts: number;
      level: EventRecord["level"];
      source: string;
      message: string;
      data_json: string | null;
    }[];
    return rows.map((r) => ({
      id: r.id,
      timestamp: new Date(r.ts).toISOString(),
      level: r.level,
      source: r.source,
      message: r.message,
      ...(r.data_json ? { data: JSON.parse(r.data_json) } : {}),
    }));
  }

  countSince(level: EventRecord["level"], since: number): number {
    return (
      this.db.prepare("SELECT COUNT(*) AS n FROM events WHERE level = ? AND ts >= ?").get(level, since) as {
        n: number;
      }
    ).n;
  }

  prune(before: number): number {
    return this.db.prepare("DELETE FROM events WHERE ts < ?").run(before).changes;
  }
}
