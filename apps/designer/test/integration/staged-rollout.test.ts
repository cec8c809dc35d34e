import { join } from "node:path";
import type { ProjectDocument } from "@bms/schemas";
import {
  api,
  eventually,
  type SupervisorHandle,
  startSupervisor,
  tempDir,
  testFlow,
} from "@bms/test-support";
import type Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/lib/db/client";
import { createProject } from "../../src/lib/db/projects-repository";
import { getRollout } from "../../src/lib/db/rollouts-repository";
import { setTags } from "../../src/lib/db/supervisor-tags-repository";
import { createSupervisor } from "../../src/lib/db/supervisors-repository";
import { latestVersion, saveVersion } from "../../src/lib/db/versions-repository";
import { deployProject } from "../../src/lib/deploy-service";
import { fleetStatus } from "../../src/lib/fleet/fleet-status";
import { type RolloutRequest, RolloutRequestSchema } from "../../src/lib/fleet/rollout-model";
import { rolloutFinished, startRollout, stopRollout } from "../../src/lib/fleet/rollout-runner";

// 127.0.67.1-3 and BACnet port 47835 belong to this file (each supervisor binds its own address).
const HOSTS = ["127.0.67.1", "127.0.67.2", "127.0.67.3"];
const BACNET_PORT = 47835;
// A Modbus device nobody runs: a flow reading it gets bad quality, which the health gate must catch.
const DEAD_POINT = "modbus:127.0.67.250:1/holding_register:40001";

const flowId = "6d1f4b1e-0c55-4c57-9a35-67a000000001";

function documentWith(nodes: unknown[]): ProjectDocument {
  return {
    flows: [
      {
        configuration: testFlow({
          name: "AHU sequence",
          flowId,
          intervalMs: 200,
          nodes,
          connections: [],
        }),
        flow_data: { comments: [], groups: [] },
      },
    ],
    library: [],
  } as unknown as ProjectDocument;
}

const good = (value: number) =>
  documentWith([{ id: "setpoint", type: "constant", position: { x: 0, y: 0 }, config: { value } }]);
const reading = (point: string) =>
  documentWith([
    { id: "setpoint", type: "constant", position: { x: 0, y: 0 }, config: { value: 21 } },
    { id: "mixed", type: "sensor_read", position: { x: 0, y: 150 }, config: { point } },
  ]);

let db: Database.Database;
const supervisors: SupervisorHandle[] = [];
const ids: string[] = [];
let projectId: string;

const health = async (s: SupervisorHandle) =>
  (
    await api<{ config_version: number | null; project: { version: number | null } | null }>(
      s.url,
      "/api/health",
      { token: s.token },
    )
  ).body;
const history = async (s: SupervisorHandle) =>
  (await api<{ versions: { version: number }[] }>(s.url, "/api/config/history", { token: s.token })).body
    .versions;

const INTEGRATOR = { name: "integrator", role: "operator" };

/** Starts a rollout as the integrator and waits for its end: the rollout as recorded. */
async function rolledOut(request: RolloutRequest) {
  const started = startRollout(db, request, INTEGRATOR);
  if (!started.ok) throw new Error(JSON.stringify(started));
  await rolloutFinished(started.rollout.id);
  return getRollout(db, started.rollout.id)!;
}

function save(document: ProjectDocument): number {
  const saved = saveVersion(db, projectId, { baseVersion: latestVersion(db, projectId)!.version, document });
  if (!saved.ok) throw new Error("save refused");
  return saved.value.version;
}

beforeAll(async () => {
  db = openDatabase(join(tempDir("designer-rollout"), "projects.db"));
  for (const [i, host] of HOSTS.entries()) {
    const s = await startSupervisor({
      bacnetBind: host,
      bacnetPort: BACNET_PORT,
      broadcast: "127.0.67.255",
      publicRead: false,
      token: `rollout-token-${i}-0123456789abcdef`,
      extraArgs: ["--http-host", host, "--allowed-hosts", host, "--name", `ahu-${i + 1}`],
    });
    supervisors.push(s);
    const saved = createSupervisor(db, { name: `AHU controller ${i + 1}`, url: s.url, token: s.token });
    if (!saved.ok) throw new Error(JSON.stringify(saved));
    ids.push(saved.target.id);
    setTags(db, saved.target.id, ["Building A", "all AHU controllers"]);
  }
  projectId = createProject(db, { name: "Building A AHUs", document: good(20) }).id;
  const first = await deployProject(db, projectId, ids);
  expect(first.ok && first.result.outcomes.every((o) => o.ok), JSON.stringify(first)).toBe(true);
}, 120_000);

afterAll(async () => {
  await Promise.all(supervisors.map((s) => s.stop()));
  db?.close();
});

describe("the fleet console", () => {
  it("polls every registered supervisor: running, version, project, scans, bad points and alarms", async () => {
    const view = await eventually(async () => {
      const v = await fleetStatus(db, null);
      const ours = v.rows.filter((r) => r.id && ids.includes(r.id));
      return ours.every((r) => r.reachable && (r.scans ?? 0) > 0) ? v : undefined;
    });
    expect(view.source).toBe("direct");
    for (const row of view.rows.filter((r) => r.id && ids.includes(r.id))) {
      expect(row).toMatchObject({
        status: "ok",
        engine: "running",
        project: { name: "Building A AHUs", version: 1 },
        bad_points: 0,
        alarms_open: 0,
        tags: ["all AHU controllers", "Building A"],
      });
      expect(row.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(Date.parse(row.last_seen!)).toBeGreaterThan(Date.now() - 60_000);
    }
  });
});

describe("a staged rollout", () => {
  it("rolls a failing canary back and stops: the other members never get the version", async () => {
    const bad = save(reading(DEAD_POINT));
    const request = RolloutRequestSchema.parse({
      project_id: projectId,
      version: bad,
      tag: "building a",
      canary_id: ids[1],
      batch_size: 2,
      watch_seconds: 4,
      poll_seconds: 1,
    });
    const done = await rolledOut(request);
    expect(done.status).toBe("rolled_back");
    const canary = done.report.members.find((m) => m.supervisor_id === ids[1])!;
    expect(canary).toMatchObject({ batch: 0, outcome: "rolled_back", config_before: 1, config_after: 2 });
    expect(canary.failure?.code).toBe("new_bad_points");
    expect(done.report.members.filter((m) => m.outcome === "skipped")).toHaveLength(2);
    // The canary runs config v1's content again (re-activated as v3); the others only ever had v1.
    const canaryHealth = await health(supervisors[1]!);
    expect(canaryHealth.project?.version).toBe(1);
    expect((await history(supervisors[1]!)).map((v) => v.version)).toEqual([3, 2, 1]);
    for (const i of [0, 2]) expect((await history(supervisors[i]!)).map((v) => v.version)).toEqual([1]);
    // Audited in the Designer: the automatic rollback and the rollout's end, for the person who started it.
    const audit = db
      .prepare("SELECT action, target, result, actor_kind, details_json FROM audit_log ORDER BY id")
      .all() as {
      action: string;
      target: string;
      result: string;
      actor_kind: string;
      details_json: string;
    }[];
    expect(audit.find((a) => a.action === "rollout.rollback")).toMatchObject({
      target: "AHU controller 2",
      result: "ok",
      actor_kind: "system",
    });
    expect(audit.find((a) => a.action === "rollout.finish")).toMatchObject({ result: "failed" });
    expect(JSON.parse(audit.find((a) => a.action === "rollout.rollback")!.details_json)).toMatchObject({
      rollout: done.id,
      from_config: 2,
      to_config: 1,
    });
  }, 60_000);

  it("a healthy version reaches every member, canary first, then in batches", async () => {
    const next = save(good(22));
    const request = RolloutRequestSchema.parse({
      project_id: projectId,
      version: next,
      tag: "all AHU controllers",
      batch_size: 1,
      watch_seconds: 3,
      poll_seconds: 1,
    });
    const done = await rolledOut(request);
    expect(done.status, JSON.stringify(done.report.events)).toBe("succeeded");
    expect(done.report.members.map((m) => [m.name, m.batch, m.outcome])).toEqual([
      ["AHU controller 1", 0, "updated"],
      ["AHU controller 2", 1, "updated"],
      ["AHU controller 3", 2, "updated"],
    ]);
    for (const s of supervisors) expect((await health(s)).project?.version).toBe(next);
    // Each batch started only after the one before had passed its watch.
    const deploying = done.report.events.filter((e) => e.message.includes(": deploying v"));
    const healthy = done.report.events.filter((e) => e.message.includes(": healthy for"));
    for (let i = 1; i < deploying.length; i++)
      expect(Date.parse(deploying[i]!.at)).toBeGreaterThanOrEqual(Date.parse(healthy[i - 1]!.at));
    expect(done.report.summary).toMatch(/^succeeded: .* 3 updated, 0 rolled back, 0 failed/);
  }, 60_000);

  it("stop ends a rollout during the canary's watch: the canary stays, unverified; nobody else is touched", async () => {
    const next = save(good(23));
    const request = RolloutRequestSchema.parse({
      project_id: projectId,
      version: next,
      tag: "Building A",
      watch_seconds: 600,
      poll_seconds: 1,
    });
    const started = startRollout(db, request, INTEGRATOR);
    if (!started.ok) throw new Error(JSON.stringify(started));
    // A second rollout to the same group is refused while this one runs.
    const again = startRollout(db, request, INTEGRATOR);
    expect(again).toMatchObject({ ok: false, status: 409 });
    await eventually(() =>
      getRollout(db, started.rollout.id)?.report.members[0]?.outcome === "watching" ? true : undefined,
    );
    expect(stopRollout(started.rollout.id)).toBe(true);
    await rolloutFinished(started.rollout.id);
    const done = getRollout(db, started.rollout.id)!;
    expect(done.status).toBe("stopped");
    expect(done.report.members.map((m) => m.outcome)).toEqual(["unverified", "skipped", "skipped"]);
    expect((await health(supervisors[0]!)).project?.version).toBe(next);
    for (const i of [1, 2]) expect((await health(supervisors[i]!)).project?.version).toBe(next - 1);
    expect(stopRollout(started.rollout.id)).toBe(false);
  }, 60_000);

  it("fails a member whose health cannot be read before the update, without touching it", async () => {
    // Nothing listens on 127.0.83.1 (this helper's range): the baseline read is refused.
    const gone = createSupervisor(db, {
      name: "AHU controller gone",
      url: "http://127.0.83.1:47899",
      token: "rollout-token-gone-0123456789abcdef",
    });
    if (!gone.ok) throw new Error(JSON.stringify(gone));
    setTags(db, gone.target.id, ["Building G"]);
    const request = RolloutRequestSchema.parse({
      project_id: projectId,
      tag: "Building G",
      watch_seconds: 1,
      poll_seconds: 1,
    });
    const done = await rolledOut(request);
    const [member] = done.report.members;
    expect(member).toMatchObject({ outcome: "failed", config_before: null, config_after: null });
    expect(member?.failure?.code).toBe("baseline_unreadable");
    expect(done.report.events.some((e) => e.message.includes(": deploying"))).toBe(false);
    expect(done.report.summary).toMatch(/ 0 updated, 0 rolled back, 1 failed/);
  });

  it("refuses a group nobody carries, and a canary outside the group, with paths", () => {
    const base = { project_id: projectId, watch_seconds: 1 };
    const none = startRollout(db, RolloutRequestSchema.parse({ ...base, tag: "building Z" }), INTEGRATOR);
    expect(none).toMatchObject({ ok: false, status: 422, errors: [{ path: "tag" }] });
    const outside = startRollout(
      db,
      RolloutRequestSchema.parse({ ...base, tag: "Building A", canary_id: "not-a-member" }),
      INTEGRATOR,
    );
    expect(outside).toMatchObject({ ok: false, status: 422, errors: [{ path: "canary_id" }] });
  });
});
