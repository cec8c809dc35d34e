import { join } from "node:path";
import Database from "better-sqlite3";
import { dataDir } from "../data-dir";
import { migrate } from "./migrations";
import { seedDemoProject } from "./seed-demo";

// One connection per server process: better-sqlite3 is synchronous and serialises access itself.
// Kept on globalThis so Next's dev-mode module reloads do not open a new handle on every edit.
const globalForDb = globalThis as typeof globalThis & { __bmsProjectsDb?: Database.Database };

export function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  // Deleted or replaced content (an old sealed token, a removed supervisor) is zeroed, not left in free pages.
  db.pragma("secure_delete = ON");
  migrate(db);
  seedDemoProject(db);
  return db;
}

export function getDb(): Database.Database {
  if (!globalForDb.__bmsProjectsDb) {
    globalForDb.__bmsProjectsDb = openDatabase(join(dataDir(), "projects.db"));
  }
  return globalForDb.__bmsProjectsDb;
}
