import {
  type AuditActor,
  type AuditQuery,
  type AuditRecord,
  AuditRecordSchema,
  type AuditResultSchema,
} from "@bms/schemas";
import type Database from "better-sqlite3";
import type { z } from "zod";
import { nowIso } from "../db/sqlite-time";

/**
 * The Designer's audit trail: one row per state change and per sign-in attempt, append-only (the
 * database refuses UPDATE, and DELETE of anything younger than 90 days, by trigger).
 */
export interface AuditEntry {
  actor: AuditActor;
  source: string;
  action: string;
  target?: string | null;
  result: z.infer<typeof AuditResultSchema>;
  reason?: string;
  details?: Record<string, unknown>;
}

interface AuditRow {
  id: number;
  at: string;
  actor_kind: AuditActor["kind"];
  actor_name: string;
  actor_role: AuditActor["role"];
  source: string;
  action: string;
  target: string | null;
  result: AuditRecord["result"];
  reason: string | null;
  details_json: string | null;
}

export function appendAudit(db: Database.Database, entry: AuditEntry, at = nowIso()): number {
  const info = db
    .prepare(
      `INSERT INTO audit_log (at, actor_kind, actor_name, actor_role, source, action, target, result, reason, details_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      at,
      entry.actor.kind,
      entry.actor.name,
      entry.actor.role,
      entry.source,
      entry.action,
      entry.target ?? null,
      entry.result,
      entry.reason ?? null,
      entry.details ? JSON.stringify(entry.details) : null,
    );
  return Number(info.lastInsertRowid);
}

function toRecord(row: AuditRow): AuditRecord {
  return AuditRecordSchema.parse({
    id: row.id,
    at: row.at,
    actor: { kind: row.actor_kind, name: row.actor_name, role: row.actor_role },
    source: row.source,
    action: row.action,
    target: row.target,
    result: row.result,
    ...(row.reason ? { reason: row.reason } : {}),
    ...(row.details_json ? { details: JSON.parse(row.details_json) } : {}),
  });
}

/** Newest first. `action` matches a prefix (`auth.` finds every sign-in event), `actor` a name exactly. */
export function queryAudit(db: Database.Database, query: AuditQuery): AuditRecord[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (query.from) {
    where.push("at >= ?");
    args.push(new Date(query.from).toISOString());
  }
  if (query.to) {
    where.push("at <= ?");
    args.push(new Date(query.to).toISOString());
  }
  if (query.actor) {
    where.push("actor_name = ? COLLATE NOCASE");
    args.push(query.actor);
  }
  if (query.action) {
    where.push("(action = ? OR action LIKE ? ESCAPE '\\')");
    args.push(query.action, `${query.action.replace(/[\\%_]/g, (c) => `\\${c}`)}.%`);
  }
  if (query.result) {
    where.push("result = ?");
    args.push(query.result);
  }
  const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`;
  return (db.prepare(sql).all(...args, query.limit) as AuditRow[]).map(toRecord);
}

/** BMS_AUDIT_RETENTION_DAYS (default 365, never below the 90 days the trigger guarantees). */
export function auditRetentionDays(): number {
  const days = Number(process.env.BMS_AUDIT_RETENTION_DAYS);
  return Number.isFinite(days) && days >= 90 ? Math.floor(days) : 365;
}

export function pruneAudit(db: Database.Database, days = auditRetentionDays(), now = Date.now()): number {
  const cutoff = new Date(now - Math.max(90, days) * 86_400_000).toISOString();
  return db.prepare("DELETE FROM audit_log WHERE at < ?").run(cutoff).changes;
}

export { auditCsv } from "@bms/schemas";
