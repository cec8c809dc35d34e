import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { AlertsRepo } from "./alerts-repo";
import { openDatabase } from "./database";
import { MIGRATIONS } from "./migrations";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "bms-alerts-"));
  dirs.push(dir);
  return dir;
}

const raise = (repo: AlertsRepo, key: string, at: number, newOccurrence = false) =>
  repo.apply({
    key,
    nodeId: "bacnet-device:1201",
    state: "active",
    priority: "high",
    message: "analogInput:3 high-limit",
    latched: true,
    timestamp: at,
    newOccurrence,
  });

describe("the alarm row keeps who acknowledged it, when and why", () => {
  it("stores the comment and the device transition with the acknowledgement, and a re-raise clears both", () => {
    const db = openDatabase(dataDir());
    const repo = new AlertsRepo(db);
    raise(repo, "bacnet:1201/analogInput:3", 1_000);
    const acked = repo.acknowledge(
      "bacnet:1201/analogInput:3",
      "Ana",
      { comment: "called the tenant", transition: "3@1000" },
      2_000,
    );
    expect(acked).toMatchObject({
      state: "acknowledged",
      acked_by: "Ana",
      acked_at: new Date(2_000).toISOString(),
      ack_comment: "called the tenant",
    });
    // The device's transition is the device alarm manager's to compare, not part of the API's record.
    expect(acked).not.toHaveProperty("acked_transition");
    expect(repo.ackedTransition("bacnet:1201/analogInput:3")).toEqual({
      state: "acknowledged",
      transition: "3@1000",
    });
    // The same alarm reported again (a flow's scan, a resent notification) keeps the acknowledgement.
    expect(raise(repo, "bacnet:1201/analogInput:3", 3_000)).toBeUndefined();
    expect(repo.get("bacnet:1201/analogInput:3")?.ack_comment).toBe("called the tenant");
    // A new occurrence waits for a new acknowledgement: nobody's comment is on it yet.
    expect(raise(repo, "bacnet:1201/analogInput:3", 4_000, true)?.alert).toMatchObject({
      state: "active",
      acked_by: null,
      ack_comment: null,
      count: 2,
    });
    expect(repo.ackedTransition("bacnet:1201/analogInput:3")?.transition).toBeNull();
    db.close();
  });

  it("takes no comment as null, not an empty string", () => {
    const db = openDatabase(dataDir());
    const repo = new AlertsRepo(db);
    raise(repo, "zone-alarm", 1_000);
    expect(repo.acknowledge("zone-alarm", "operator", { comment: "" })?.ack_comment).toBeNull();
    db.close();
  });

  it("migrates an old runtime.db in place: its alarm rows keep working and take comments from then on", () => {
    const dir = dataDir();
    // A runtime.db as the release before this one left it: every migration but the last, with alarms.
    const old = new Database(join(dir, "runtime.db"));
    for (const sql of MIGRATIONS.slice(0, -1)) old.exec(sql);
    old.pragma(`user_version = ${MIGRATIONS.length - 1}`);
    const insert = old.prepare(
      `INSERT INTO alerts (key, node_id, state, priority, message, latched, raised_at, updated_at, acked_at, acked_by, count, flow_id)
       VALUES (?, 'bacnet-device:1201', ?, 'high', ?, 1, 1000, 2000, ?, ?, 1, NULL)`,
    );
    insert.run("bacnet:1201/analogInput:1", "acknowledged", "acked before the upgrade", 2000, "night shift");
    insert.run("bacnet:1201/analogInput:2", "active", "still waiting", null, null);
    old.close();

    const db = openDatabase(dir);
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    const repo = new AlertsRepo(db);
    expect(repo.get("bacnet:1201/analogInput:1")).toMatchObject({
      state: "acknowledged",
      acked_by: "night shift",
      ack_comment: null,
      message: "acked before the upgrade",
    });
    expect(repo.ackedTransition("bacnet:1201/analogInput:1")).toEqual({
      state: "acknowledged",
      transition: null,
    });
    expect(
      repo.acknowledge("bacnet:1201/analogInput:2", "Ana", { comment: "reset the VAV" })?.ack_comment,
    ).toBe("reset the VAV");
    expect(repo.list(true).map((a) => a.key)).toEqual([
      "bacnet:1201/analogInput:2",
      "bacnet:1201/analogInput:1",
    ]);
    db.close();
  });
});
