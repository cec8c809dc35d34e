import type { Role } from "@bms/schemas";
import { hashToken } from "@bms/security";
import type { Db } from "./database";

export interface Session {
  kind: "bootstrap" | "token";
  name: string;
  role: Role;
  token_id: number | null;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
}

/**
 * Dashboard sessions, keyed by the SHA-256 of the cookie value: a copy of runtime.db cannot be turned
 * into a working cookie. A session ends after `idleMs` without a request, at `absoluteMs` after login
 * whatever happens, on logout, and when the token it was opened with is revoked or expires.
 */
export class SessionsRepo {
  constructor(
    private readonly db: Db,
    readonly limits: SessionLimits,
  ) {}

  open(id: string, who: Pick<Session, "kind" | "name" | "role" | "token_id">, now = Date.now()): Session {
    const session: Session = {
      ...who,
      created_at: now,
      last_seen_at: now,
      expires_at: now + this.limits.absoluteMs,
    };
    this.db
      .prepare(
        `INSERT INTO sessions (hash, kind, name, role, token_id, created_at, last_seen_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        hashToken(id),
        session.kind,
        session.name,
        session.role,
        session.token_id,
        session.created_at,
        session.last_seen_at,
        session.expires_at,
      );
    return session;
  }

  /** The live session for a cookie value, touched (idle clock restarted); undefined when it is over. */
  touch(id: string, now = Date.now()): Session | undefined {
    const hash = hashToken(id);
    const row = this.db.prepare("SELECT * FROM sessions WHERE hash = ?").get(hash) as Session | undefined;
    if (!row) return undefined;
    if (now >= row.expires_at || now - row.last_seen_at >= this.limits.idleMs) {
      this.db.prepare("DELETE FROM sessions WHERE hash = ?").run(hash);
      return undefined;
    }
    // One write per tenth of the idle time at most: a dashboard polling every second does not write
    // every second, and the idle clock is still exact to 10 %.
    if (now - row.last_seen_at > Math.min(15_000, this.limits.idleMs / 10)) {
      this.db.prepare("UPDATE sessions SET last_seen_at = ? WHERE hash = ?").run(now, hash);
      row.last_seen_at = now;
    }
    return row;
  }

  close(id: string): boolean {
    return this.db.prepare("DELETE FROM sessions WHERE hash = ?").run(hashToken(id)).changes > 0;
  }

  /** Drops sessions that are over, so the table holds only live ones. */
  prune(now = Date.now()): void {
    this.db
      .prepare("DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?")
      .run(now, now - this.limits.idleMs);
  }
}
