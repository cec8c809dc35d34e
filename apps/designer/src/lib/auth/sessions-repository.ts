import type { Role } from "@bms/schemas";
import { hashToken, newSecret } from "@bms/security";
import type Database from "better-sqlite3";

/**
 * Server-side sessions: the browser holds a random id in an HttpOnly cookie, the database only its
 * SHA-256. A session ends after `idle` without a request, after `absolute` whatever happens, on
 * logout, on a password change and when its user is removed.
 */
export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
}

function minutesFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** BMS_SESSION_IDLE_MINUTES (default 30) and BMS_SESSION_MAX_HOURS (default 12). */
export function sessionLimits(): SessionLimits {
  return {
    idleMs: minutesFromEnv("BMS_SESSION_IDLE_MINUTES", 30) * 60_000,
    absoluteMs: minutesFromEnv("BMS_SESSION_MAX_HOURS", 12) * 3_600_000,
  };
}

export interface Session {
  idHash: string;
  csrfToken: string;
  user: { id: number; name: string; role: Role };
  createdMs: number;
  lastSeenMs: number;
}

export function createSession(
  db: Database.Database,
  userId: number,
  source: string,
  now = Date.now(),
): { id: string; csrfToken: string } {
  const id = newSecret();
  const csrfToken = newSecret();
  db.prepare(
    "INSERT INTO sessions (id_hash, user_id, csrf_token, source, created_ms, last_seen_ms) VALUES (?, ?, ?, ?, ?, ?)",
  ).run(hashToken(id), userId, csrfToken, source, now, now);
  return { id, csrfToken };
}

export type SessionLookup =
  | { ok: true; session: Session }
  | { ok: false; reason: "none" | "unknown" | "idle" | "expired" };

/**
 * Finds the live session for a cookie value. An ended session is deleted on sight; `touch` (false for
 * background polling) decides whether this request counts as the user being active.
 */
export function findSession(
  db: Database.Database,
  id: string | undefined,
  options: { touch: boolean; now?: number; limits?: SessionLimits },
): SessionLookup {
  if (!id) return { ok: false, reason: "none" };
  const now = options.now ?? Date.now();
  const limits = options.limits ?? sessionLimits();
  const idHash = hashToken(id);
  const row = db
    .prepare(
      `SELECT s.id_hash, s.csrf_token, s.created_ms, s.last_seen_ms, u.id AS user_id, u.name, u.role
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`,
    )
    .get(idHash) as
    | {
        id_hash: string;
        csrf_token: string;
        created_ms: number;
        last_seen_ms: number;
        user_id: number;
        name: string;
        role: Role;
      }
    | undefined;
  if (!row) return { ok: false, reason: "unknown" };
  const ended =
    now - row.created_ms > limits.absoluteMs
      ? "expired"
      : now - row.last_seen_ms > limits.idleMs
        ? "idle"
        : null;
  if (ended) {
    db.prepare("DELETE FROM sessions WHERE id_hash = ?").run(idHash);
    return { ok: false, reason: ended };
  }
  if (options.touch) db.prepare("UPDATE sessions SET last_seen_ms = ? WHERE id_hash = ?").run(now, idHash);
  return {
    ok: true,
    session: {
      idHash,
      csrfToken: row.csrf_token,
      user: { id: row.user_id, name: row.name, role: row.role },
      createdMs: row.created_ms,
      lastSeenMs: options.touch ? now : row.last_seen_ms,
    },
  };
}

export function deleteSession(db: Database.Database, idHash: string): void {
  db.prepare("DELETE FROM sessions WHERE id_hash = ?").run(idHash);
}

/** Housekeeping on start: sessions past their absolute lifetime are gone for good. */
export function pruneSessions(db: Database.Database, now = Date.now(), limits = sessionLimits()): number {
  return db.prepare("DELETE FROM sessions WHERE created_ms < ?").run(now - limits.absoluteMs).changes;
}
