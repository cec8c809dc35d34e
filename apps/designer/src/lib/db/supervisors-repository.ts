import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import type { SupervisorEntry } from "../api-types";
import { nowIso } from "./sqlite-time";

export const BUILTIN_SUPERVISOR_ID = "default";

/** A supervisor with its secret, for server-side calls only. */
export interface SupervisorTarget {
  id: string;
  name: string;
  url: string;
  token: string;
  builtin: boolean;
}

/** The supervisor named by the environment: what `pnpm start` and the tests wire up. */
export function builtinSupervisor(): SupervisorTarget {
  return {
    id: BUILTIN_SUPERVISOR_ID,
    name: "Local supervisor",
    url: (process.env.BMS_SUPERVISOR_URL?.trim() || "http://127.0.0.1:8080").replace(/\/+$/, ""),
    token: process.env.BMS_SUPERVISOR_TOKEN ?? "",
    builtin: true,
  };
}

interface SupervisorRow {
  id: string;
  name: string;
  url: string;
  token: string;
}

export function listSupervisorTargets(db: Database.Database): SupervisorTarget[] {
  const rows = db
    .prepare("SELECT id, name, url, token FROM supervisors ORDER BY name")
    .all() as SupervisorRow[];
  return [builtinSupervisor(), ...rows.map((r) => ({ ...r, builtin: false }))];
}

export function getSupervisorTarget(db: Database.Database, id: string): SupervisorTarget | null {
  if (id === BUILTIN_SUPERVISOR_ID) return builtinSupervisor();
  const row = db.prepare("SELECT id, name, url, token FROM supervisors WHERE id = ?").get(id) as
    | SupervisorRow
    | undefined;
  return row ? { ...row, builtin: false } : null;
}

export function toEntry(target: SupervisorTarget): SupervisorEntry {
  return {
    id: target.id,
    name: target.name,
    url: target.url,
    has_token: target.token.length > 0,
    builtin: target.builtin,
  };
}

export function createSupervisor(
  db: Database.Database,
  input: { name: string; url: string; token?: string },
): SupervisorTarget {
  const id = randomUUID();
  db.prepare("INSERT INTO supervisors (id, name, url, token, created_at) VALUES (?, ?, ?, ?, ?)").run(
    id,
    input.name,
    input.url.replace(/\/+$/, ""),
    input.token ?? "",
    nowIso(),
  );
  return getSupervisorTarget(db, id)!;
}

/** An omitted token keeps the stored one: the browser never sees it, so it cannot send it back. */
export function updateSupervisor(
  db: Database.Database,
  id: string,
  input: { name: string; url: string; token?: string },
): SupervisorTarget | null {
  const current = getSupervisorTarget(db, id);
  if (!current || current.builtin) return null;
  db.prepare("UPDATE supervisors SET name = ?, url = ?, token = ? WHERE id = ?").run(
    input.name,
    input.url.replace(/\/+$/, ""),
    input.token ?? current.token,
    id,
  );
  return getSupervisorTarget(db, id);
}

export function deleteSupervisor(db: Database.Database, id: string): boolean {
  return db.prepare("DELETE FROM supervisors WHERE id = ?").run(id).changes > 0;
}
