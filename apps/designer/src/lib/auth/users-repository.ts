import { type Role, RoleSchema } from "@bms/schemas";
import { hashPassword, passwordProblem, verifyPassword } from "@bms/security";
import type Database from "better-sqlite3";
import { z } from "zod";
import { nowIso } from "../db/sqlite-time";

/** A Designer account as the API shows it: never the password hash. */
export interface User {
  id: number;
  name: string;
  role: Role;
  created_at: string;
  password_changed_at: string;
}

export const UserNameSchema = z
  .string()
  .trim()
  .min(1, "a user name is required")
  .max(64)
  .regex(/^[A-Za-z0-9._@-]+$/, "letters, digits and . _ @ - only");

/** A new password, with the shared rules (length) as Zod issues so the form shows them per field. */
export const NewPasswordSchema = z.string().superRefine((value, ctx) => {
  const problem = passwordProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

export const CreateUserRequestSchema = z.object({
  name: UserNameSchema,
  role: RoleSchema,
  password: NewPasswordSchema,
});

export const UpdateUserRequestSchema = z
  .object({ role: RoleSchema.optional(), password: NewPasswordSchema.optional() })
  .refine((v) => v.role !== undefined || v.password !== undefined, "give a role or a password");

export const ChangePasswordRequestSchema = z.object({
  current_password: z.string().max(1024),
  new_password: NewPasswordSchema,
});

interface UserRow {
  id: number;
  name: string;
  role: Role;
  password_hash: string;
  created_at: string;
  password_changed_at: string;
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    created_at: row.created_at,
    password_changed_at: row.password_changed_at,
  };
}

export type UserError = { ok: false; status: 404 | 409; code: string; message: string };

export function countUsers(db: Database.Database): number {
  return (db.prepare("SELECT COUNT(*) AS n FROM users").get() as { n: number }).n;
}

export function listUsers(db: Database.Database): User[] {
  return (db.prepare("SELECT * FROM users ORDER BY name").all() as UserRow[]).map(toUser);
}

export function getUser(db: Database.Database, id: number): User | null {
  const row = db.prepare("SELECT * FROM users WHERE id = ?").get(id) as UserRow | undefined;
  return row ? toUser(row) : null;
}

export function findUserByName(db: Database.Database, name: string): User | null {
  const row = db.prepare("SELECT * FROM users WHERE name = ?").get(name) as UserRow | undefined;
  return row ? toUser(row) : null;
}

export async function createUser(
  db: Database.Database,
  input: { name: string; role: Role; password: string },
): Promise<{ ok: true; user: User } | UserError> {
  const hash = await hashPassword(input.password);
  if (findUserByName(db, input.name)) {
    return { ok: false, status: 409, code: "user_exists", message: `user ${input.name} already exists` };
  }
  const now = nowIso();
  const info = db
    .prepare(
      "INSERT INTO users (name, role, password_hash, created_at, password_changed_at) VALUES (?, ?, ?, ?, ?)",
    )
    .run(input.name, input.role, hash, now, now);
  return { ok: true, user: getUser(db, Number(info.lastInsertRowid))! };
}

/** The name and password check of a login; a wrong name costs as much time as a wrong password. */
export async function checkCredentials(
  db: Database.Database,
  name: string,
  password: string,
): Promise<User | null> {
  const row = db.prepare("SELECT * FROM users WHERE name = ?").get(name) as UserRow | undefined;
  const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
  return row && ok ? toUser(row) : null;
}

// A real scrypt hash of a random value, so unknown names go through the same work as known ones.
const DUMMY_HASH = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

function otherAdmins(db: Database.Database, id: number): number {
  return (
    db.prepare("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND id != ?").get(id) as { n: number }
  ).n;
}

export async function updateUser(
  db: Database.Database,
  id: number,
  change: { role?: Role | undefined; password?: string | undefined },
): Promise<{ ok: true; user: User } | UserError> {
  const user = getUser(db, id);
  if (!user) return { ok: false, status: 404, code: "user_not_found", message: `user ${id} not found` };
  if (change.role && change.role !== "admin" && user.role === "admin" && otherAdmins(db, id) === 0) {
    return {
      ok: false,
      status: 409,
      code: "last_admin",
      message: "the last admin cannot lose the admin role: make another admin first",
    };
  }
  const hash = change.password !== undefined ? await hashPassword(change.password) : null;
  db.transaction(() => {
    if (change.role) db.prepare("UPDATE users SET role = ? WHERE id = ?").run(change.role, id);
    if (hash) {
      db.prepare("UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?").run(
        hash,
        nowIso(),
        id,
      );
      // A new password ends every session that knew the old one.
      db.prepare("DELETE FROM sessions WHERE user_id = ?").run(id);
    }
  })();
  return { ok: true, user: getUser(db, id)! };
}

export function deleteUser(db: Database.Database, id: number): { ok: true; user: User } | UserError {
  const user = getUser(db, id);
  if (!user) return { ok: false, status: 404, code: "user_not_found", message: `user ${id} not found` };
  if (user.role === "admin" && otherAdmins(db, id) === 0) {
    return { ok: false, status: 409, code: "last_admin", message: "the last admin cannot be removed" };
  }
  // Sessions go with the user (ON DELETE CASCADE).
  db.prepare("DELETE FROM users WHERE id = ?").run(id);
  return { ok: true, user };
}

/** Changes a password after checking the current one; other sessions of the user end. */
export async function changeOwnPassword(
  db: Database.Database,
  id: number,
  current: string,
  next: string,
  keepSessionHash: string,
): Promise<boolean> {
  const row = db.prepare("SELECT * FROM users WHERE id = ?").get(id) as UserRow | undefined;
  if (!row || !(await verifyPassword(current, row.password_hash))) return false;
  const hash = await hashPassword(next);
  db.transaction(() => {
    db.prepare("UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?").run(
      hash,
      nowIso(),
      id,
    );
    db.prepare("DELETE FROM sessions WHERE user_id = ? AND id_hash != ?").run(id, keepSessionHash);
  })();
  return true;
}

/**
 * First-run setup: creates the first admin only while no user exists, checked and written in one
 * transaction so two browsers racing through /setup cannot both become admin.
 */
export async function createFirstAdmin(
  db: Database.Database,
  input: { name: string; password: string },
): Promise<User | null> {
  const hash = await hashPassword(input.password);
  return db.transaction(() => {
    if (countUsers(db) > 0) return null;
    const now = nowIso();
    const info = db
      .prepare(
        "INSERT INTO users (name, role, password_hash, created_at, password_changed_at) VALUES (?, 'admin', ?, ?, ?)",
      )
      .run(input.name, hash, now, now);
    return getUser(db, Number(info.lastInsertRowid));
  })();
}
