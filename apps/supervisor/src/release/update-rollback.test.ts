import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MIGRATIONS } from "../storage/migrations";
import { rollbackUpdate, UpdateError } from "./update";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A data dir with two fake releases (enough for the state logic: lib/package.json and the entry file). */
function setup(state: Record<string, unknown> | null) {
  const dataDir = mkdtempSync(join(tmpdir(), "bms-rollback-"));
  dirs.push(dataDir);
  const releasesDir = join(dataDir, "releases");
  const release = (version: string) => {
    const dir = join(releasesDir, version);
    mkdirSync(join(dir, "lib", "app"), { recursive: true });
    writeFileSync(join(dir, "lib", "package.json"), JSON.stringify({ version }));
    writeFileSync(join(dir, "lib", "app", "supervisor.mjs"), "");
    return dir;
  };
  const old = release("1.0.0");
  const current = release("1.1.0");
  if (state)
    writeFileSync(join(releasesDir, "state.json"), JSON.stringify({ current, previous: old, ...state }));
  return { places: { dataDir, releasesDir, currentDir: current }, old, current, releasesDir };
}

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof UpdateError ? error.code : String(error);
  }
  return null;
};

describe("rollbackUpdate", () => {
  it("switches state.json back to the previous release when the schema is one it knows", () => {
    const { places, old, releasesDir } = setup({ pending: false, previous_schema: MIGRATIONS.length });
    expect(rollbackUpdate(places, MIGRATIONS.length)).toEqual({ version: "1.0.0", previous: "1.1.0" });
    expect(JSON.parse(readFileSync(join(releasesDir, "state.json"), "utf8"))).toEqual({
      current: old,
      previous: null,
      pending: false,
      rolled_back_from: "1.1.0",
    });
  });

  it("refuses across a schema change, with no previous release, during probation, or outside the launcher", () => {
    const changed = setup({ pending: false, previous_schema: MIGRATIONS.length - 1 });
    expect(codeOf(() => rollbackUpdate(changed.places, MIGRATIONS.length))).toBe("rollback_schema_changed");
    const unknown = setup({ pending: false });
    expect(codeOf(() => rollbackUpdate(unknown.places, MIGRATIONS.length))).toBe("rollback_schema_changed");
    const none = setup(null);
    expect(codeOf(() => rollbackUpdate(none.places, MIGRATIONS.length))).toBe("no_previous_release");
    const pending = setup({ pending: true, previous_schema: MIGRATIONS.length });
    expect(codeOf(() => rollbackUpdate(pending.places, MIGRATIONS.length))).toBe("update_on_probation");
    const bare = setup({ pending: false, previous_schema: MIGRATIONS.length });
    expect(codeOf(() => rollbackUpdate({ ...bare.places, releasesDir: undefined }, MIGRATIONS.length))).toBe(
      "update_unsupported",
    );
    // Nothing was switched by any refusal.
    expect(JSON.parse(readFileSync(join(changed.releasesDir, "state.json"), "utf8")).current).toBe(
      changed.current,
    );
  });
});
