import type { AuditActor, AuditRecord, Role } from "@bms/schemas";
import { hashToken, newSecret } from "@bms/security";
import type { Pool } from "./database";

export interface TokenIdentity {
  kind: "token" | "bootstrap";
  name: string;
  role: Role;
}

/** Named API tokens (stored as hashes, like the supervisor's) and the audit trail of changes to them. */
export class TokensRepo {
  constructor(private readonly pool: Pool) {}

  async create(name: string, role: Role): Promise<{ id: number; secret: string }> {
    const secret = newSecret("bmsf_");
    const result = await this.pool.query<{ id: string }>(
      "INSERT INTO api_tokens (name, role, hash) VALUES ($1, $2, $3) RETURNING id",
      [name, role, hashToken(secret)],
    );
    return { id: Number(result.rows[0]!.id), secret };
  }

  async list() {
    const result = await this.pool.query(
      "SELECT id::int, name, role, created_at, last_used_at, revoked_at FROM api_tokens ORDER BY id",
    );
    return result.rows;
  }

  async revoke(id: number): Promise<boolean> {
    const result = await this.pool.query(
      "UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
      [id],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async identify(secret: string): Promise<TokenIdentity | undefined> {
    const result = await this.pool.query<{ name: string; role: Role }>(
      "UPDATE api_tokens SET last_used_at = now() WHERE hash = $1 AND revoked_at IS NULL RETURNING name, role",
      [hashToken(secret)],
    );
    const row = result.rows[0];
    return row ? { kind: "token", name: row.name, role: row.role } : undefined;
  }

  async audit(entry: {
    actor: AuditActor;
    source: string;
    action: string;
    target: string | null;
    result: AuditRecord["result"];
    reason?: string;
    details?: Record<string, unknown>;
  }): Promise<void> {
    await this.pool.query(
      "INSERT INTO audit (actor, source, action, target, result, reason, details) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      [
        JSON.stringify(entry.actor),
        entry.source,
        entry.action,
        entry.target,
        entry.result,
        entry.reason ?? null,
        entry.details ? JSON.stringify(entry.details) : null,
      ],
    );
  }

  async auditList(limit: number): Promise<AuditRecord[]> {
    const result = await this.pool.query(
      "SELECT id::int, at, actor, source, action, target, result, reason, details FROM audit ORDER BY id DESC LIMIT $1",
      [limit],
    );
    return result.rows.map((r) => ({
      id: r.id,
      at: new Date(r.at).toISOString(),
      actor: r.actor,
      source: r.source,
      action: r.action,
      target: r.target,
      result: r.result,
      ...(r.reason ? { reason: r.reason } : {}),
      ...(r.details ? { details: r.details } : {}),
    }));
  }
}
