import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "./database";
import { MIGRATIONS } from "./migrations";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("runtime.db schema", () => {
  it("migrates a new file to the latest schema, and opening it again runs nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "bms-db-"));
    dirs.push(dir);
    openDatabase(dir).close();
    const db = openDatabase(dir);
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it("refuses a file a newer release migrated, naming both versions and the copy an update keeps", () => {
    const dir = mkdtempSync(join(tmpdir(), "bms-db-"));
    dirs.push(dir);
    openDatabase(dir).close();
    const newer = new Database(join(dir, "runtime.db"));
    newer.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    newer.close();
    expect(() => openDatabase(dir)).toThrow(
      new RegExp(
        `schema version ${MIGRATIONS.length + 1}, newer than this supervisor's ${MIGRATIONS.length}`,
      ),
    );
    expect(() => openDatabase(dir)).toThrow(/releases\/db-before-update/);
  });
});
