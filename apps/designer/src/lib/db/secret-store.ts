import { dirname, join } from "node:path";
import { type SecretBox, secretBox } from "@bms/security";
import type Database from "better-sqlite3";

/** Beside projects.db, never inside it: a copy of the database alone opens no secret. */
export const SECRET_KEY_FILE = "projects.key";

const boxes = new Map<string, SecretBox>();

/** The sealing box for one database file: the key lives in `<dir of the db>/projects.key` (0600). */
export function secretsFor(db: Database.Database): SecretBox {
  if (db.memory) throw new Error("secrets need a database file: the key is kept beside it");
  const keyFile = join(dirname(db.name), SECRET_KEY_FILE);
  let box = boxes.get(keyFile);
  if (!box) {
    box = secretBox(keyFile);
    boxes.set(keyFile, box);
  }
  return box;
}
