import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ProjectDocument } from "@bms/schemas";
import {
  api,
  eventually,
  InstalledSite,
  installedHealth,
  launcherState,
  type RunningProcess,
  testFlow,
} from "@bms/test-support";
import type Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/lib/db/client";
import { createProject } from "../../src/lib/db/projects-repository";
import { getRollout } from "../../src/lib/db/rollouts-repository";
import { setTags } from "../../src/lib/db/supervisor-tags-repository";
import { createSupervisor } from "../../src/lib/db/supervisors-repository";
import { deployProject } from "../../src/lib/deploy-service";
import { saveReleaseBundle } from "../../src/lib/fleet/release-bundles";
import { startReleaseRollout } from "../../src/lib/fleet/release-rollout-runner";
import { ReleaseRolloutRequestSchema } from "../../src/lib/fleet/rollout-model";
import { rolloutFinished } from "../../src/lib/fleet/rollout-runner";

// 127.0.70.0/24 belongs to this file: two supervisors, the BACnet simulator, and a dead address.
const SUPS = [
  { host: "127.0.70.1", http: 18170, name: "ahu-ota-1" },
  { host: "127.0.70.2", http: 18171, name: "ahu-ota-2" },
];
const SUP_BACNET_PORT = 47870;
const SIM_BIND = "127.0.70.3";
const SIM_PORT = 47871;
/** Nobody answers here: the bad release reads its device at this address. */
const DEAD = "127.0.70.250:47872";
const TOKEN = "fleet-ota-admin-token-0123456789abcdef";
const HEALTH_WINDOW_MS = 20_000;

/**
 * Release (OTA) rollouts from the Designer to a group of installed supervisors: the real bundle built by
 * `pnpm release`, installed by install.sh, each supervisor run by the installed launcher with its own data
 * directory. The Designer's rollout engine uploads the bundle to each member, waits for it on the new
 * version, gates it on health, and rolls back through POST /api/system/update/rollback.
 */
describe("release rollouts to a group of installed supervisors", () => {
  const site = new InstalledSite("fleet-ota", {
    sim: { bind: SIM_BIND, port: SIM_PORT },
    bacnetPort: SUP_BACNET_PORT,
    token: TOKEN,
    healthWindowMs: HEALTH_WINDOW_MS,
  });
  const { releases } = site;
  const designerData = join(site.work, "designer");
  const tarball = (version: string) => releases.tarball(version);
  const dataDirOf = (i: number) => site.inRoot(`/var/lib/bms-supervisor-${i}`);
  const base = (i: number) => `http://${SUPS[i]!.host}:${SUPS[i]!.http}`;
  const launchers: RunningProcess[] = [];
  let db: Database.Database;
  const ids: string[] = [];

  const health = (i: number) => installedHealth<{ version: string; bad_points?: number }>(base(i), TOKEN);
  const startLauncher = (i: number) =>
    site.launch({
      dataDir: dataDirOf(i),
      host: SUPS[i]!.host,
      httpPort: SUPS[i]!.http,
      name: `installed supervisor ${i + 1}`,
      extra: ["--name", SUPS[i]!.name],
    });
  const upload = async (file: string, signature: string) =>
    saveReleaseBundle(designerData, readFileSync(file), signature, "test admin");
  const rollOut = async (bundleId: string) => {
    const request = ReleaseRolloutRequestSchema.parse({
      kind: "release",
      bundle_id: bundleId,
      tag: "ota group",
      canary_id: ids[0],
      batch_size: 5,
      watch_seconds: 15,
      poll_seconds: 1,
      restart_seconds: 60,
    });
    const started = startReleaseRollout(db, designerData, request, { name: "Olivia Admin", role: "admin" });
    if (!started.ok) throw new Error(JSON.stringify(started));
    await rolloutFinished(started.rollout.id);
    return getRollout(db, started.rollout.id)!;
  };

  beforeAll(async () => {
    await site.setUp(["9.0.0", "9.1.0"], "/var/lib/bms-supervisor-0");
    // The second supervisor runs the same installed release with its own data directory and pinned key.
    mkdirSync(dataDirOf(1), { recursive: true, mode: 0o700 });
    copyFileSync(join(dataDirOf(0), "update-key.pub"), join(dataDirOf(1), "update-key.pub"));
    for (const i of [0, 1]) launchers.push(await startLauncher(i));

    mkdirSync(designerData, { recursive: true });
    db = openDatabase(join(designerData, "projects.db"));
    for (const i of [0, 1]) {
      const saved = createSupervisor(db, { name: `AHU controller ${i + 1}`, url: base(i), token: TOKEN });
      if (!saved.ok) throw new Error(JSON.stringify(saved));
      ids.push(saved.target.id);
      setTags(db, saved.target.id, ["ota group"]);
    }
    const document = {
      flows: [
        {
          configuration: testFlow({
            name: "AHU sequence",
            flowId: "6d1f4b1e-0c55-4c57-9a35-70a000000001",
            nodes: [
              {
                id: "supply",
                type: "sensor_read",
                position: { x: 0, y: 0 },
                config: { point: "bacnet:1001/analogInput:1" },
              },
            ],
          }),
          flow_data: { comments: [], groups: [] },
        },
      ],
      library: [],
    } as unknown as ProjectDocument;
    const projectId = createProject(db, { name: "OTA site", document }).id;
    const deployed = await deployProject(db, projectId, ids);
    expect(deployed.ok && deployed.result.outcomes.every((o) => o.ok), JSON.stringify(deployed)).toBe(true);
    // Both read their point good before any update: the gate's baseline holds no bad point.
    for (const i of [0, 1])
      await eventually(async () => {
        const h = await health(i);
        return h?.version === "9.0.0" && h.bad_points === 0 ? true : undefined;
      }, 30_000);
  }, 240_000);

  afterAll(async () => {
    for (const l of launchers) await l.stop();
    db?.close();
    await site.tearDown();
  });

  it("a release that comes up but fails the health gate rolls the canary back, and nobody else is updated", async () => {
    // Signed by the key holder and healthy to the launcher, but it reads its device at a dead address:
    // every point goes bad once it runs, which only the rollout's health gate sees.
    const file = releases.variant("9.1.0", "9.1.1", (top) => {
      const app = join(top, "lib/app");
      cpSync(join(app, "supervisor.mjs"), join(app, "supervisor-real.mjs"));
      writeFileSync(
        join(app, "supervisor.mjs"),
        [
          `for (const flag of ["--bacnet-pin", "--broadcast"]) {`,
          "  const i = process.argv.indexOf(flag);",
          `  if (i > 0) process.argv[i + 1] = flag === "--bacnet-pin" ? "1001=${DEAD}" : "${DEAD}";`,
          "}",
          'await import("./supervisor-real.mjs");',
        ].join("\n"),
      );
    });
    const bundle = await upload(file, releases.sign(readFileSync(file)));
    expect(bundle.version).toBe("9.1.1");

    const rollout = await rollOut(bundle.id);
    expect(rollout.status, JSON.stringify(rollout.report, null, 2)).toBe("rolled_back");
    expect(rollout.kind).toBe("release");
    expect(rollout.release_version).toBe("9.1.1");
    const [canary, other] = [0, 1].map(
      (i) => rollout.report.members.find((m) => m.supervisor_id === ids[i])!,
    );
    expect(canary).toMatchObject({
      outcome: "rolled_back",
      release_before: "9.0.0",
      release_after: "9.0.0",
      failure: { code: "new_bad_points" },
    });
    expect(other).toMatchObject({ outcome: "skipped", release_before: null, release_after: null });
    expect(rollout.report.summary).toMatch(/0 updated, 1 rolled back, 0 failed, 1 not reached/);
    // The canary runs its previous release again, from its launcher's state, with the deployed flow.
    await launchers[0]!.waitFor(/starting 9\.0\.0 from/, 5_000);
    expect(launcherState(dataDirOf(0))).toMatchObject({ rolled_back_from: "9.1.1", pending: false });
    await eventually(async () => {
      const h = await health(0);
      return h?.version === "9.0.0" && h.bad_points === 0 ? true : undefined;
    }, 30_000);
    expect((await health(1))?.version).toBe("9.0.0");
    expect(launchers[1]!.output()).not.toMatch(/9\.1\.1/);
    // The supervisor audited both steps as the Designer's, on behalf of the person who started the rollout.
    const audit = await api<{
      records: { action: string; result: string; target: string; actor: { on_behalf_of?: string } }[];
    }>(base(0), "/api/audit/?action=system.update", { token: TOKEN });
    const steps = audit.body.records.filter((r) => r.action.startsWith("system.update"));
    expect(steps.map((r) => [r.action, r.result, r.target]).sort()).toEqual([
      ["system.update", "ok", "9.0.0 -> 9.1.1"],
      ["system.update.rollback", "ok", "9.1.1 -> 9.0.0"],
    ]);
    expect(steps.every((r) => r.actor.on_behalf_of === "Olivia Admin")).toBe(true);
  }, 240_000);

  it("a good release reaches every member of the group, canary first, and the flows keep running", async () => {
    const bundle = await upload(tarball("9.1.0"), releases.releaseSignature("9.1.0"));
    const rollout = await rollOut(bundle.id);
    expect(rollout.status, JSON.stringify(rollout.report, null, 2)).toBe("succeeded");
    for (const id of ids)
      expect(rollout.report.members.find((m) => m.supervisor_id === id)).toMatchObject({
        outcome: "updated",
        release_before: "9.0.0",
        release_after: "9.1.0",
      });
    for (const i of [0, 1]) {
      const h = await health(i);
      expect(h).toMatchObject({ version: "9.1.0", bad_points: 0 });
      expect(launcherState(dataDirOf(i))).toMatchObject({
        current: join(dataDirOf(i), "releases", "9.1.0"),
        pending: false,
      });
    }
  }, 240_000);
});
