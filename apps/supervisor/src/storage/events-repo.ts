import type { Db } from "./database";

export interface EventRecord {
  id: number;
  timestamp: string;
  level: "info" | "warn" | "error";
  source: string;
  message: string;
  data?: unknown;
  /** The flow the event is about, when one is (filter with `flow_id`). */
  flow_id?: string;
}

/** The same message from the same source within this window is logged once (a dead device fails every scan). */
export const REPEAT_WINDOW_MS = 60_000;

/**
 * The execution and error log the API and dashboard show. Repeats are folded: an identical message
 * from the same source within a minute is counted, and the count is logged with the next one after the
 * window. Housekeeping keeps a week, at most 200,000 rows.
 */
export class EventsRepo {
  private readonly insert;
  private readonly lastSeen = new Map<string, { at: number; suppressed: number }>();

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      "INSERT INTO events (ts, level, source, message, data_json, flow_id) VALUES (?, ?, ?, ?, ?, ?)",
    );
  }

  add(level: EventRecord["level"], source: string, message: string, data?: unknown, ts = Date.now()): void {
    const key = `${level}\u0000${source}\u0000${message}`;
    const seen = this.lastSeen.get(key);
    if (seen && ts - seen.at < REPEAT_WINDOW_MS) {
      seen.suppressed++;
      return;
    }
    if (this.lastSeen.size > 10_000) this.lastSeen.clear();
    this.lastSeen.set(key, { at: ts, suppressed: 0 });
    if (seen?.suppressed) message = `${message} (repeated ${seen.suppressed} more times in the last minute)`;
    this.insert.run(
      ts,
      level,
      source,
      message.slice(0, 2000),
      data === undefined ? null : JSON.stringify(data),
      flowIdOf(data),
    );
  }

  recent(
    options: { limit?: number; level?: string; since?: number; flow_id?: string | undefined } = {},
  ): EventRecord[] {
    const rows = this.db
      .prepare(
        `SELECT id, ts, level, source, message, data_json, flow_id FROM events
         WHERE ts >= ? AND (? IS NULL OR level = ?) AND (? IS NULL OR flow_id = ?) ORDER BY id DESC LIMIT ?`,
      )
      .all(
        options.since ?? 0,
        options.level ?? null,
        options.level ?? null,
        options.flow_id ?? null,
        options.flow_id ?? null,
        options.limit ?? 200,
      ) as {
      id: number;
      ts: number;
      level: EventRecord["level"];
      source: string;
      message: string;
      data_json: string | null;
      flow_id: string | null;
    }[];
    return rows.map((r) => ({
      id: r.id,
      timestamp: new Date(r.ts).toISOString(),
      level: r.level,
      source: r.source,
      message: r.message,
      ...(r.data_json ? { data: JSON.parse(r.data_json) } : {}),
      ...(r.flow_id ? { flow_id: r.flow_id } : {}),
    }));
  }

  countSince(level: EventRecord["level"], since: number): number {
    return (
      this.db.prepare("SELECT COUNT(*) AS n FROM events WHERE level = ? AND ts >= ?").get(level, since) as {
        n: number;
      }
    ).n;
  }

  /** Drops events older than `before`, and the oldest beyond `maxRows`. */
  prune(before: number, maxRows = 200_000): number {
    let removed = this.db.prepare("DELETE FROM events WHERE ts < ?").run(before).changes;
    const last = this.db.prepare("SELECT MAX(id) AS id FROM events").get() as { id: number | null };
    if (last.id !== null) {
      removed += this.db.prepare("DELETE FROM events WHERE id <= ?").run(last.id - maxRows).changes;
    }
    return removed;
  }
}

/** Events about one flow carry `flow_id` in their data; it is also kept in its own column to filter on. */
function flowIdOf(data: unknown): string | null {
  if (!data || typeof data !== "object") return null;
  const id = (data as { flow_id?: unknown }).flow_id;
  return typeof id === "string" ? id : null;
}
