import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { MIGRATIONS } from "./migrations";

export type Db = Database.Database;

/**
 * Opens runtime.db in WAL mode with synchronous=NORMAL: a crash (kill -9, power loss) keeps every
 * committed transaction but the last few hundred ms, and writers never block readers (the dashboard).
 */
export function openDatabase(dataDir: string, file = "runtime.db"): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, file));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  // A newer release migrated this file: its tables may not be what this code reads and writes.
  if (current > MIGRATIONS.length) {
    throw new Error(
      `runtime.db has schema version ${current}, newer than this supervisor's ${MIGRATIONS.length}: ` +
        "a newer release wrote it. Run that release, or restore the copy an update keeps in releases/db-before-update/",
    );
  }
  for (let i = current; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i]!);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
}
