import { generateKeyPairSync, sign } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import type { ExecutionStateResponse } from "@bms/schemas";
import {
  api,
  eventually,
  INSTALL_PREFIX,
  InstalledSite,
  installedHealth,
  launcherState,
  type RunningProcess,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageOf, skeletonFlow } from "../fixtures";

// Own loopback range (127.0.50.0/24) and ports.
const SUP_BIND = "127.0.50.1";
const SIM_BIND = "127.0.50.2";
const SUP_BACNET_PORT = 47896;
const SIM_PORT = 47897;
const HTTP_PORT = 18150;
const TOKEN = "release-test-admin-token-0123456789";
const HEALTH_WINDOW_MS = 8000;

/**
 * The release as a system installer gets it: `pnpm release` builds the tarball, install.sh installs it
 * into a temporary root (no systemd here), and the launcher from the installed bundle runs it with only
 * Node.js on the PATH, from a directory with no node_modules above it. Then over-the-air updates against it.
 */
describe("release bundle: build, install, run, deploy, update over the air", () => {
  const site = new InstalledSite("release", {
    sim: { bind: SIM_BIND, port: SIM_PORT },
    bacnetPort: SUP_BACNET_PORT,
    token: TOKEN,
    healthWindowMs: HEALTH_WINDOW_MS,
  });
  const { root, releases } = site;
  const dataDir = site.inRoot("/var/lib/bms-supervisor");
  const tarball = (version: string) => releases.tarball(version);
  const base = `http://${SUP_BIND}:${HTTP_PORT}`;
  let launcher: RunningProcess;

  const upload = async (bundle: Buffer, signature: string) => {
    const answer = await fetch(`${base}/api/system/update`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${TOKEN}`,
        "content-type": "application/octet-stream",
        "x-bms-signature": signature,
      },
      body: bundle,
    });
    return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
  };
  const version = async () => (await installedHealth(base))?.version;

  const startLauncher = (extra: string[]) =>
    site.launch({ dataDir, host: SUP_BIND, httpPort: HTTP_PORT, name: "installed supervisor", extra });

  beforeAll(async () => {
    await site.setUp(["9.0.0", "9.0.1"], "/var/lib/bms-supervisor");
    launcher = await startLauncher([]);
  }, 120_000);

  afterAll(async () => {
    await launcher?.stop();
    await site.tearDown();
  });

  it("holds one bundled JS with the native build, the assets and the profiles, and no tsx", () => {
    const installed = join(root, INSTALL_PREFIX, "9.0.0");
    expect(existsSync(join(installed, "lib/app/supervisor.mjs"))).toBe(true);
    expect(existsSync(join(installed, "lib/app/script-worker.mjs"))).toBe(true);
    expect(
      existsSync(join(installed, "lib/node_modules/better-sqlite3/build/Release/better_sqlite3.node")),
    ).toBe(true);
    expect(existsSync(join(installed, "dashboard/dist/index.html"))).toBe(true);
    expect(existsSync(join(installed, "lib/modbus-profiles"))).toBe(true);
    for (const gone of ["tsx", "esbuild", "vitest", "typescript", "@types"]) {
      expect(existsSync(join(installed, "lib/node_modules", gone)), gone).toBe(false);
    }
    expect(readFileSync(join(installed, "lib/app/supervisor.mjs"), "utf8")).not.toMatch(/from "tsx/);
  });

  it("runs from the install, serves the dashboard, and runs a deployed flow against the simulator", async () => {
    expect(await version()).toBe("9.0.0");
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("BMS Supervisor");
    const deploy = await api<{ config_version: number }>(base, "/api/config/deploy", {
      body: packageOf(skeletonFlow({ limit: 24.5 })),
      token: TOKEN,
    });
    expect(deploy.status).toBe(200);
    const state = await eventually(async () => {
      const { body } = await api<ExecutionStateResponse>(base, "/api/execution/state", { token: TOKEN });
      return body.node_statuses.length === 3 && body.node_statuses.every((s) => s.status === "completed")
        ? body
        : undefined;
    });
    const temp = state.node_statuses[0]!.output_values as { value: { value: number; quality: string } };
    expect(temp.value.quality).toBe("good");
    expect(typeof temp.value.value).toBe("number");
    // The heap budget counts the deployed site's points against the heap the launcher's flags allow.
    const health = await api<{
      memory: { points: number; heap_limit_mb: number; heap_needed_mb: number; ok: boolean };
    }>(base, "/api/health", { token: TOKEN });
    expect(health.body.memory.points).toBeGreaterThan(0);
    expect(health.body.memory.ok).toBe(true);
    expect(health.body.memory.heap_limit_mb).toBeGreaterThanOrEqual(health.body.memory.heap_needed_mb);
  });

  it("refuses a bundle with a wrong signature and keeps running the same version", async () => {
    const bundle = readFileSync(tarball("9.0.1"));
    const { privateKey: stranger } = generateKeyPairSync("ed25519");
    const refused = await upload(bundle, sign(null, bundle, stranger).toString("base64"));
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([expect.objectContaining({ code: "bad_signature" })]);
    const truncated = await upload(
      bundle.subarray(0, bundle.length - 10),
      releases.releaseSignature("9.0.1"),
    );
    expect(truncated.status).toBe(422);
    expect(await version()).toBe("9.0.0");
    expect(existsSync(join(dataDir, "releases", "9.0.1"))).toBe(false);
    const audit = await api<{ records: { action: string; result: string }[] }>(
      base,
      "/api/audit/?action=system.update",
      { token: TOKEN },
    );
    expect(audit.body.records.filter((r) => r.action === "system.update").map((r) => r.result)).toEqual([
      "failed",
      "failed",
    ]);
  });

  it("switches to a good signed bundle and keeps the flow running", async () => {
    const accepted = await upload(readFileSync(tarball("9.0.1")), releases.releaseSignature("9.0.1"));
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    expect(accepted.body).toMatchObject({ version: "9.0.1", previous: "9.0.0" });
    await eventually(async () => ((await version()) === "9.0.1" ? true : undefined), 30_000);
    await launcher.waitFor(/9\.0\.1 is healthy; the update stays/, 15_000);
    expect(launcherState(dataDir)).toMatchObject({
      pending: false,
      current: join(dataDir, "releases", "9.0.1"),
    });
    await eventually(async () => {
      const { body } = await api<ExecutionStateResponse>(base, "/api/execution/state", { token: TOKEN });
      return body.execution_state.status === "running" && body.node_statuses.length === 3 ? true : undefined;
    });
  });

  it("rolls back by itself from a signed bundle that never becomes healthy, with the database it had", async () => {
    // A release that is signed (the key holder built it) but broken: it starts, rewrites runtime.db as a
    // bad migration would, and never answers.
    const file = releases.variant("9.0.1", "9.0.2", (top) =>
      writeFileSync(
        join(top, "lib/app/supervisor.mjs"),
        [
          'import { writeFileSync } from "node:fs";',
          'const dir = process.argv[process.argv.indexOf("--data-dir") + 1];',
          'writeFileSync(dir + "/runtime.db", "not a database: 9.0.2 rewrote it");',
          "console.log('broken release');",
          "setInterval(() => {}, 1000);",
        ].join("\n"),
      ),
    );
    const bundle = readFileSync(file);
    const accepted = await upload(bundle, releases.sign(bundle));
    expect(accepted.status).toBe(202);
    await launcher.waitFor(/broken release/, 15_000);
    await launcher.waitFor(
      /9\.0\.2 did not become healthy within \d+ ms: rolling back/,
      HEALTH_WINDOW_MS + 10_000,
    );
    await eventually(async () => ((await version()) === "9.0.1" ? true : undefined), 30_000);
    expect(launcherState(dataDir)).toMatchObject({
      current: join(dataDir, "releases", "9.0.1"),
      rolled_back_from: "9.0.2",
    });
    await launcher.waitFor(/runtime\.db restored as it was before 9\.0\.2 started/, 5_000);
    expect(existsSync(join(dataDir, "releases", "db-before-update"))).toBe(false);
    // The old release runs on its own database: the deployed flow is still there and running.
    await eventually(async () => {
      const { body } = await api<ExecutionStateResponse>(base, "/api/execution/state", { token: TOKEN });
      return body.execution_state.status === "running" && body.node_statuses.length === 3 ? true : undefined;
    });
  });

  it("under --tls the launcher probes health over https, pinned to the served certificate, and keeps a good update", async () => {
    await launcher.stop();
    launcher = await startLauncher(["--tls", "self-signed"]);
    const ca = readFileSync(join(dataDir, "tls", "cert.pem"));
    // Trust exactly the certificate the supervisor made (the name check is skipped: it is pinned).
    const tlsCall = (method: string, path: string, body?: Buffer, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpsRequest(
          {
            host: SUP_BIND,
            port: HTTP_PORT,
            path,
            method,
            ca,
            checkServerIdentity: () => undefined,
            headers,
          },
          (res) => {
            let text = "";
            res.on("data", (c) => {
              text += c;
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    const tlsVersion = async () => {
      try {
        const answer = await tlsCall("GET", "/api/health");
        return answer.status === 200 ? (JSON.parse(answer.text) as { version: string }).version : undefined;
      } catch {
        return undefined;
      }
    };
    expect(await eventually(tlsVersion)).toBe("9.0.1");
    // An update to 9.0.0 (a downgrade is an update like any other): before the fix the launcher probed
    // http://, never saw it healthy and rolled a good release back.
    const bundle = readFileSync(tarball("9.0.0"));
    const accepted = await tlsCall("POST", "/api/system/update", bundle, {
      authorization: `Bearer ${TOKEN}`,
      "content-type": "application/octet-stream",
      "x-bms-signature": releases.releaseSignature("9.0.0").trim(),
    });
    expect(accepted.status, accepted.text).toBe(202);
    await launcher.waitFor(/9\.0\.0 is healthy; the update stays/, HEALTH_WINDOW_MS + 20_000);
    expect(await eventually(async () => ((await tlsVersion()) === "9.0.0" ? true : undefined), 30_000)).toBe(
      true,
    );
    expect(launcherState(dataDir)).toMatchObject({
      pending: false,
      current: join(dataDir, "releases", "9.0.0"),
    });
  }, 90_000);
});
