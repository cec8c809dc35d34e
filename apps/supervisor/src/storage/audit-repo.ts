import type { AuditActor, AuditQuery, AuditRecord } from "@bms/schemas";
import type { Db } from "./database";

export type AuditEntry = Omit<AuditRecord, "id" | "at"> & { at?: number };

interface Row {
  id: number;
  at: number;
  actor_kind: AuditActor["kind"];
  actor_name: string;
  actor_role: AuditActor["role"];
  on_behalf_of: string | null;
  source: string;
  action: string;
  target: string | null;
  result: AuditRecord["result"];
  reason: string | null;
  details_json: string | null;
}

/** The shortest retention the table allows (its trigger refuses deleting younger records). */
export const AUDIT_MIN_DAYS = 90;

function toRecord(row: Row): AuditRecord {
  const actor: AuditActor = { kind: row.actor_kind, name: row.actor_name, role: row.actor_role };
  if (row.on_behalf_of) actor.on_behalf_of = row.on_behalf_of;
  const record: AuditRecord = {
    id: row.id,
    at: new Date(row.at).toISOString(),
    actor,
    source: row.source,
    action: row.action,
    target: row.target,
    result: row.result,
  };
  if (row.reason) record.reason = row.reason;
  if (row.details_json) record.details = JSON.parse(row.details_json) as Record<string, unknown>;
  return record;
}

/**
 * The audit trail: append-only (SQLite triggers refuse UPDATE, and DELETE of anything younger than 90
 * days), so this class has no way to change a record, only to add one and to apply retention.
 */
export class AuditRepo {
  private readonly insert;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT INTO audit (at, actor_kind, actor_name, actor_role, on_behalf_of, source, action, target,
         result, reason, details_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  add(entry: AuditEntry): number {
    const { lastInsertRowid } = this.insert.run(
      entry.at ?? Date.now(),
      entry.actor.kind,
      entry.actor.name.slice(0, 200),
      entry.actor.role,
      entry.actor.on_behalf_of?.slice(0, 200) ?? null,
      entry.source,
      entry.action,
      entry.target?.slice(0, 500) ?? null,
      entry.result,
      entry.reason?.slice(0, 1000) ?? null,
      entry.details === undefined ? null : JSON.stringify(entry.details).slice(0, 20_000),
    );
    return Number(lastInsertRowid);
  }

  /** Newest first. `actor` matches the actor's name or on_behalf_of; `action` a prefix (`auth.` finds logins). */
  query(query: AuditQuery): AuditRecord[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (query.from) {
      where.push("at >= ?");
      args.push(Date.parse(query.from));
    }
    if (query.to) {
      where.push("at <= ?");
      args.push(Date.parse(query.to));
    }
    if (query.actor) {
      where.push("(actor_name = ? OR on_behalf_of = ?)");
      args.push(query.actor, query.actor);
    }
    if (query.action) {
      where.push("(action = ? OR action LIKE ? ESCAPE '\\')");
      args.push(query.action, `${query.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    if (query.result) {
      where.push("result = ?");
      args.push(query.result);
    }
    const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, query.limit) as Row[]).map(toRecord);
  }

  count(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM audit").get() as { n: number }).n;
  }

  /** Retention: deletes records older than `days` (never fewer than 90; the table refuses younger ones). */
  prune(days: number, now = Date.now()): number {
    const keep = Math.max(days, AUDIT_MIN_DAYS);
    return this.db.prepare("DELETE FROM audit WHERE at < ?").run(now - keep * 86_400_000 - 60_000).changes;
  }
}

export { auditCsv } from "@bms/schemas";
