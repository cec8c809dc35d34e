import type { Db } from "./database";

/**
 * The alarm table mirrors what `alert` nodes report; the node owns the alarm's state machine (on/off
 * delays, latching until acknowledged), this table only records it for operators:
 * - active: in alarm, not acknowledged;
 * - acknowledged: an operator has seen it (it may still be in alarm, or latched waiting to clear);
 * - cleared: over.
 */
export type AlertState = "active" | "acknowledged" | "cleared";

export interface AlertRecord {
  key: string;
  node_id: string;
  state: AlertState;
  priority: string;
  message: string;
  latched: boolean;
  raised_at: string;
  updated_at: string;
  acked_at: string | null;
  acked_by: string | null;
  /** The operator's comment with the acknowledgement (trimmed, at most 500 characters), or null. */
  ack_comment: string | null;
  count: number;
  /** The flow whose alert node raised it (null: raised before sites had flows). */
  flow_id: string | null;
}

interface Row extends Omit<AlertRecord, "latched" | "raised_at" | "updated_at" | "acked_at"> {
  latched: number;
  raised_at: number;
  updated_at: number;
  acked_at: number | null;
  /** A device alarm's acknowledged transition (`<state>@<ms>`): the device alarm manager's, not the API's. */
  acked_transition: string | null;
}

/** What an operator's acknowledgement records beside who: their comment, and a device's transition. */
export interface AckFacts {
  comment?: string | undefined;
  /** For a device alarm: the transition AcknowledgeAlarm named, `<event state>@<time stamp ms>`. */
  transition?: string | undefined;
}

export interface AlertInput {
  key: string;
  nodeId: string;
  state: "active" | "cleared" | "acknowledged";
  priority: string;
  message: string;
  latched: boolean;
  timestamp: number;
  flowId?: string | null;
  /**
   * A new occurrence, not a repeat of the open one: a device's new to-offnormal transition. It raises
   * the row again even while it is open (active or acknowledged), so an acknowledged alarm that comes
   * back is active again and waits for a new acknowledgement. Flow alerts report their state every
   * scan and leave this unset: for them an open row only takes the new message.
   */
  newOccurrence?: boolean;
}

/** What changed, so the caller notifies (event log, webhook) on transitions only: deduplication. */
export type AlertTransition = { kind: "raised" | "acknowledged" | "cleared"; alert: AlertRecord } | undefined;

function toRecord({ acked_transition: _device, ...row }: Row): AlertRecord {
  return {
    ...row,
    latched: row.latched === 1,
    raised_at: new Date(row.raised_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    acked_at: row.acked_at === null ? null : new Date(row.acked_at).toISOString(),
  };
}

export class AlertsRepo {
  constructor(private readonly db: Db) {}

  private row(key: string): Row | undefined {
    return this.db.prepare("SELECT * FROM alerts WHERE key = ?").get(key) as Row | undefined;
  }

  private setState(key: string, state: AlertState, now: number) {
    this.db.prepare("UPDATE alerts SET state = ?, updated_at = ? WHERE key = ?").run(state, now, key);
  }

  /** Applies what a node reported; returns the transition, if any. */
  apply(input: AlertInput): AlertTransition {
    const existing = this.row(input.key);
    const now = input.timestamp;
    if (input.state === "active") {
      if (existing && existing.state !== "cleared" && !input.newOccurrence) {
        if (existing.message !== input.message) {
          this.db
            .prepare("UPDATE alerts SET message = ?, updated_at = ? WHERE key = ?")
            .run(input.message, now, input.key);
        }
        return undefined;
      }
      this.db
        .prepare(
          `INSERT INTO alerts (key, node_id, state, priority, message, latched, raised_at, updated_at, acked_at, acked_by, count, flow_id)
           VALUES (?, ?, 'active', ?, ?, ?, ?, ?, NULL, NULL, 1, ?)
           ON CONFLICT(key) DO UPDATE SET state = 'active', priority = excluded.priority, message = excluded.message,
             flow_id = excluded.flow_id,
             latched = excluded.latched, raised_at = excluded.raised_at, updated_at = excluded.updated_at,
             acked_at = NULL, acked_by = NULL, ack_comment = NULL, acked_transition = NULL,
             count = alerts.count + 1`,
        )
        .run(
          input.key,
          input.nodeId,
          input.priority,
          input.message,
          input.latched ? 1 : 0,
          now,
          now,
          input.flowId ?? null,
        );
      return { kind: "raised", alert: toRecord(this.row(input.key)!) };
    }
    if (!existing || existing.state === input.state) return undefined;
    if (input.state === "acknowledged") {
      this.db
        .prepare(
          "UPDATE alerts SET state = 'acknowledged', acked_at = COALESCE(acked_at, ?), updated_at = ? WHERE key = ?",
        )
        .run(now, now, input.key);
      return { kind: "acknowledged", alert: toRecord(this.row(input.key)!) };
    }
    this.setState(input.key, "cleared", now);
    return { kind: "cleared", alert: toRecord(this.row(input.key)!) };
  }

  /**
   * An operator's acknowledgement, with their comment: recorded at once; the node confirms it on its
   * next scan. The row keeps who, when and why until the alarm is raised again.
   */
  acknowledge(key: string, by: string, facts: AckFacts = {}, now = Date.now()): AlertRecord | undefined {
    const existing = this.row(key);
    if (!existing) return undefined;
    const next: AlertState = existing.state === "active" ? "acknowledged" : existing.state;
    this.db
      .prepare(
        `UPDATE alerts SET state = ?, acked_at = ?, acked_by = ?, ack_comment = ?, acked_transition = ?,
           updated_at = ? WHERE key = ?`,
      )
      .run(next, now, by, facts.comment || null, facts.transition ?? null, now, key);
    return toRecord(this.row(key)!);
  }

  /** One alarm by its key. */
  get(key: string): AlertRecord | undefined {
    const row = this.row(key);
    return row ? toRecord(row) : undefined;
  }

  /** A device alarm's state in the table and the device transition its acknowledgement named, if any. */
  ackedTransition(key: string): { state: AlertState; transition: string | null } | undefined {
    const row = this.row(key);
    return row ? { state: row.state, transition: row.acked_transition } : undefined;
  }

  list(open: boolean, limit = 200, flowId?: string): AlertRecord[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM alerts WHERE (? = 0 OR state != 'cleared') AND (? IS NULL OR flow_id = ?)
         ORDER BY CASE state WHEN 'active' THEN 0 WHEN 'acknowledged' THEN 1 ELSE 2 END,
           updated_at DESC LIMIT ?`,
      )
      .all(open ? 1 : 0, flowId ?? null, flowId ?? null, limit) as Row[];
    return rows.map(toRecord);
  }
}
