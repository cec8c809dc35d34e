import type { Db } from "./database";

export type OverrideValue = number | boolean;

/** One timed manual override: a value held at a priority until it expires or an operator ends it. */
export interface ManualOverride {
  id: number;
  point: string;
  priority: number;
  value: OverrideValue;
  /** The point's present value just before the override, for the audit trail and the screen. */
  before: unknown;
  startedAt: number;
  expiresAt: number;
  createdBy: string;
  /** Set once the priority has been relinquished on the device. */
  endedAt: number | null;
  endedBy: string | null;
  endReason: string | null;
}

interface Row {
  id: number;
  point: string;
  priority: number;
  value_json: string;
  before_json: string | null;
  started_at: number;
  expires_at: number;
  created_by: string;
  ended_at: number | null;
  ended_by: string | null;
  end_reason: string | null;
}

const toOverride = (r: Row): ManualOverride => ({
  id: r.id,
  point: r.point,
  priority: r.priority,
  value: JSON.parse(r.value_json) as OverrideValue,
  before: r.before_json === null ? null : (JSON.parse(r.before_json) as unknown),
  startedAt: r.started_at,
  expiresAt: r.expires_at,
  createdBy: r.created_by,
  endedAt: r.ended_at,
  endedBy: r.ended_by,
  endReason: r.end_reason,
});

/** The `manual_overrides` table: open overrides survive a restart with their expiry. */
export class OverridesRepo {
  private readonly insert;
  private readonly close;
  private readonly openRows;
  private readonly recentRows;
  private readonly byId;

  constructor(db: Db) {
    this.insert = db.prepare(
      `INSERT INTO manual_overrides (point, priority, value_json, before_json, started_at, expires_at, created_by)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.close = db.prepare(
      "UPDATE manual_overrides SET ended_at = ?, ended_by = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL",
    );
    this.openRows = db.prepare("SELECT * FROM manual_overrides WHERE ended_at IS NULL ORDER BY expires_at");
    this.recentRows = db.prepare(
      "SELECT * FROM manual_overrides WHERE ended_at IS NOT NULL AND ended_at >= ? ORDER BY ended_at DESC LIMIT 50",
    );
    this.byId = db.prepare("SELECT * FROM manual_overrides WHERE id = ?");
  }

  add(o: Omit<ManualOverride, "id" | "endedAt" | "endedBy" | "endReason">): ManualOverride {
    const info = this.insert.run(
      o.point,
      o.priority,
      JSON.stringify(o.value),
      o.before === undefined ? null : JSON.stringify(o.before),
      o.startedAt,
      o.expiresAt,
      o.createdBy,
    );
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): ManualOverride | undefined {
    const row = this.byId.get(id) as Row | undefined;
    return row ? toOverride(row) : undefined;
  }

  /** Marks an override ended; false when it was already ended. */
  end(id: number, at: number, by: string, reason: string): boolean {
    return this.close.run(at, by, reason, id).changes > 0;
  }

  open(): ManualOverride[] {
    return (this.openRows.all() as Row[]).map(toOverride);
  }

  /** Overrides ended since `since` (ms), newest first, at most 50. */
  endedSince(since: number): ManualOverride[] {
    return (this.recentRows.all(since) as Row[]).map(toOverride);
  }
}
