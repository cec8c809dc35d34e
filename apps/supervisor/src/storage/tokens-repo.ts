import type { Role } from "@bms/schemas";
import { hashToken, newSecret } from "@bms/security";
import type { Db } from "./database";

/** What the API and CLI show of a token: never the secret, never its digest. */
export interface ApiToken {
  id: number;
  name: string;
  role: Role;
  created_at: string;
  created_by: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

interface Row {
  id: number;
  name: string;
  role: Role;
  created_at: number;
  created_by: string;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

export type TokenCheck =
  | { ok: true; token: ApiToken }
  | { ok: false; reason: "unknown" | "expired" | "revoked"; token?: ApiToken };

/** Prefix of every named token, so a leaked one is recognisable in a secret scanner. */
export const TOKEN_PREFIX = "bms_";

/** last_used_at is written at most this often per token: a polling client must not write every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function toToken(row: Row): ApiToken {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    created_at: new Date(row.created_at).toISOString(),
    created_by: row.created_by,
    expires_at: iso(row.expires_at),
    last_used_at: iso(row.last_used_at),
    revoked_at: iso(row.revoked_at),
  };
}

/**
 * Named API tokens in runtime.db, stored as SHA-256 digests. The server and the `token` CLI both work on
 * this table (WAL lets the CLI add or revoke while the server runs; the server reads it per request, so
 * a revocation takes effect on the next request).
 */
export class TokensRepo {
  constructor(private readonly db: Db) {}

  create(input: { name: string; role: Role; createdBy: string; expiresAt?: number | null }): {
    token: ApiToken;
    secret: string;
  } {
    const secret = newSecret(TOKEN_PREFIX);
    const now = Date.now();
    const { lastInsertRowid } = this.db
      .prepare(
        "INSERT INTO api_tokens (name, role, hash, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(input.name, input.role, hashToken(secret), now, input.createdBy, input.expiresAt ?? null);
    return { token: this.get(Number(lastInsertRowid))!, secret };
  }

  get(id: number): ApiToken | undefined {
    const row = this.db.prepare("SELECT * FROM api_tokens WHERE id = ?").get(id) as Row | undefined;
    return row ? toToken(row) : undefined;
  }

  list(): ApiToken[] {
    return (this.db.prepare("SELECT * FROM api_tokens ORDER BY id").all() as Row[]).map(toToken);
  }

  /** Revokes a token for good; revoking twice keeps the first time. False when there is no such token. */
  revoke(id: number, at = Date.now()): boolean {
    const { changes } = this.db
      .prepare("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?")
      .run(at, id);
    return changes > 0;
  }

  /** Looks a presented secret up by its digest and says whether it may be used now. */
  check(secret: string, now = Date.now()): TokenCheck {
    const row = this.db.prepare("SELECT * FROM api_tokens WHERE hash = ?").get(hashToken(secret)) as
      | Row
      | undefined;
    if (!row) return { ok: false, reason: "unknown" };
    const token = toToken(row);
    if (row.revoked_at !== null) return { ok: false, reason: "revoked", token };
    if (row.expires_at !== null && row.expires_at <= now) return { ok: false, reason: "expired", token };
    if (row.last_used_at === null || now - row.last_used_at > LAST_USED_RESOLUTION_MS) {
      this.db.prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?").run(now, row.id);
    }
    return { ok: true, token };
  }

  /** Whether a token a session was opened with may still be used (not revoked, not expired). */
  stillValid(id: number, now = Date.now()): boolean {
    const row = this.db.prepare("SELECT revoked_at, expires_at FROM api_tokens WHERE id = ?").get(id) as
      | Pick<Row, "revoked_at" | "expires_at">
      | undefined;
    return !!row && row.revoked_at === null && (row.expires_at === null || row.expires_at > now);
  }
}
