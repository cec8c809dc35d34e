import { z } from "zod";
import { DateTimeSchema } from "./common";

/**
 * The seed's §14.1 roles, in order of power: a viewer reads, an operator also runs the plant (flows,
 * deploys, start/stop, point writes, alarm acks, parameters), an admin also manages users, supervisors
 * and tokens. Both apps check roles with `roleAllows`, never by comparing strings themselves.
 */
export const ROLES = ["viewer", "operator", "admin"] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/** Whether an identity holding `have` may do what needs `need`. */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** Who acted: a Designer user, a supervisor API token, the bootstrap token, or nobody (failed login). */
export const AuditActorSchema = z.object({
  kind: z.enum(["user", "token", "bootstrap", "anonymous", "system"]),
  /** The user name or the token's name; never a secret. */
  name: z.string(),
  role: RoleSchema.nullable(),
  /** Set when a server acted for a person: the Designer's user behind a supervisor token. */
  on_behalf_of: z.string().optional(),
});
export type AuditActor = z.infer<typeof AuditActorSchema>;

export const AuditResultSchema = z.enum(["ok", "denied", "failed"]);

/**
 * One append-only audit record. `action` is a dotted verb (`config.deploy`, `point.write`,
 * `auth.login`), `target` what it acted on, `details` the facts an auditor needs (for a point write:
 * point, value, priority and the value before) and never a secret.
 */
export const AuditRecordSchema = z.object({
  id: z.number().int(),
  at: DateTimeSchema,
  actor: AuditActorSchema,
  /** The client address as the server saw it. */
  source: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  result: AuditResultSchema,
  /** Why a denied or failed action was refused, in words for a person. */
  reason: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

export const AuditQuerySchema = z.object({
  from: DateTimeSchema.optional(),
  to: DateTimeSchema.optional(),
  actor: z.string().max(200).optional(),
  action: z.string().max(200).optional(),
  result: AuditResultSchema.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(500),
});
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

export const AuditListResponseSchema = z.object({ records: z.array(AuditRecordSchema) });

const AUDIT_CSV_COLUMNS = [
  "id",
  "at",
  "actor_kind",
  "actor_name",
  "actor_role",
  "on_behalf_of",
  "source",
  "action",
  "target",
  "result",
  "reason",
  "details",
] as const;

/**
 * The audit trail as RFC 4180 CSV, the same columns in both apps. A cell that a spreadsheet would run as a
 * formula (=, +, -, @, tab, CR) is prefixed with a quote: an actor name or a point value must not become
 * code in the auditor's Excel.
 */
export function auditCsv(records: readonly AuditRecord[]): string {
  const cell = (value: unknown) => {
    let text = value === null || value === undefined ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = records.map((r) =>
    [
      r.id,
      r.at,
      r.actor.kind,
      r.actor.name,
      r.actor.role,
      r.actor.on_behalf_of,
      r.source,
      r.action,
      r.target,
      r.result,
      r.reason,
      r.details ? JSON.stringify(r.details) : "",
    ]
      .map(cell)
      .join(","),
  );
  return `${[AUDIT_CSV_COLUMNS.join(","), ...lines].join("\r\n")}\r\n`;
}
