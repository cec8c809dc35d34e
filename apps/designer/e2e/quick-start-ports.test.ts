import { spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, type RunningProcess, startProcess, tempDir } from "@bms/test-support";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "./support/ports";

// `pnpm start` (scripts/start.mjs) with every port and address moved, as an integrator does on a machine
// where :8080 or :3000 is taken. Reserved for this file: 127.0.114.30-49, BACnet ports 47996-47997.
const SIM_BIND = "127.0.114.30";
const SUP_BIND = "127.0.114.49";

describe("pnpm start on other ports and another data directory", () => {
  let started: RunningProcess | undefined;

  afterAll(async () => {
    await started?.stop();
  });

  it("refuses a port or address it cannot use, naming it, before starting anything", () => {
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, [join(REPO_ROOT, "scripts/start.mjs")], {
        env: { ...process.env, BMS_DATA_DIR: tempDir("start-refused"), ...env },
        encoding: "utf8",
        timeout: 20_000,
      });
    const port = run({ BMS_SUPERVISOR_PORT: "80800" });
    expect(port.status).toBe(2);
    expect(port.stderr).toContain('supervisor: "80800" is not a port (0-65535)');
    const address = run({ BMS_SIM_BIND: "192.168.1.20" });
    expect(address.status).toBe(2);
    expect(address.stderr).toContain('simBind: "192.168.1.20" is not a loopback IPv4 address');
  });

  it("runs the three programs where it is told, says so in the banner, and keeps its data there", async () => {
    const dataDir = tempDir("start-moved");
    const [designer, supervisor, simulatorWeb] = [await freePort(), await freePort(), await freePort()];
    started = await startProcess(process.execPath, [join(REPO_ROOT, "scripts/start.mjs")], {
      name: "pnpm start",
      env: {
        BMS_DATA_DIR: dataDir,
        BMS_DESIGNER_PORT: String(designer),
        BMS_SUPERVISOR_PORT: String(supervisor),
        BMS_SIM_WEB_PORT: String(simulatorWeb),
        BMS_SIM_BIND: SIM_BIND,
        BMS_SIM_PORT: "47996",
        BMS_SUPERVISOR_BACNET_BIND: SUP_BIND,
        BMS_SUPERVISOR_BACNET_PORT: "47997",
      },
      ready: /Ctrl-C stops everything/,
      readyTimeoutMs: 120_000,
    });
    const banner = started.output();
    expect(banner).toContain(`Designer           http://localhost:${designer}`);
    expect(banner).toContain(`Supervisor         http://localhost:${supervisor}`);
    expect(banner).toContain(`(BACnet/IP devices from ${SIM_BIND}:47996)`);
    expect(banner).toContain(`Data               ${dataDir}`);
    // The Designer talks to the supervisor on its moved port; the supervisor finds the moved building.
    const health = await fetch(`http://127.0.0.1:${supervisor}/api/health`);
    expect(health.status).toBe(200);
    const found = async () => {
      for (let i = 0; i < 60; i++) {
        const r = (await (await fetch(`http://127.0.0.1:${supervisor}/api/devices`)).json()) as {
          devices: { device_id: number; address: string }[];
        };
        const ahu = r.devices.find((d) => d.device_id === 2001);
        if (ahu) return ahu.address;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      return null;
    };
    expect(await found()).toBe(`${SIM_BIND}:47996`);
    const setup = await fetch(`http://127.0.0.1:${designer}/setup`);
    expect(setup.status).toBe(200);
    const sim = await fetch(`http://127.0.0.1:${simulatorWeb}/api/health`);
    expect(sim.status).toBe(200);
    expect(existsSync(join(dataDir, "runtime.db"))).toBe(true);
    expect(existsSync(join(dataDir, "projects.db"))).toBe(true);

    // Ctrl-C: the supervisor stops first, while the building still answers its clean stop (it leaves the
    // controllers' alarm recipient lists), and nothing outlives the script: its BACnet port is free at once.
    // It used to stop all three together and exit after 3 s, the supervisor retrying dead devices for a
    // minute more on its own, holding the port against the next `pnpm start`.
    const run = started;
    started = undefined;
    run.child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => run.child.once("exit", resolve));
    expect(code).toBe(0);
    const exits = [...run.output().matchAll(/^\[(\w+)\] exited with code (\d+)/gm)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    expect(exits).toEqual(["supervisor 0", "designer 0", "simulator 0"]);
    const socket = createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(47997, SUP_BIND, () => resolve());
    });
    socket.close();
    await expect(fetch(`http://127.0.0.1:${supervisor}/api/health`)).rejects.toThrow();
  });

  // Reserved for this case (review-ui): 127.0.116.10 and .49, BACnet ports 48160-48161.
  it("stops all three even when its output has gone (a closed terminal or pipe)", async () => {
    const [designer, supervisor, simulatorWeb] = [await freePort(), await freePort(), await freePort()];
    started = await startProcess(process.execPath, [join(REPO_ROOT, "scripts/start.mjs")], {
      name: "pnpm start",
      env: {
        BMS_DATA_DIR: tempDir("start-closed-output"),
        BMS_DESIGNER_PORT: String(designer),
        BMS_SUPERVISOR_PORT: String(supervisor),
        BMS_SIM_WEB_PORT: String(simulatorWeb),
        BMS_SIM_BIND: "127.0.116.10",
        BMS_SIM_PORT: "48160",
        BMS_SUPERVISOR_BACNET_BIND: "127.0.116.49",
        BMS_SUPERVISOR_BACNET_PORT: "48161",
      },
      ready: /Ctrl-C stops everything/,
      readyTimeoutMs: 120_000,
    });
    const run = started;
    started = undefined;
    // Whoever read its output went away: its next log line fails (EPIPE). The programs run in their own
    // process group, so only the script can stop them; it used to die on that write mid-stop and leave
    // the Designer and the simulator running, holding their ports.
    run.child.stdout?.destroy();
    run.child.stderr?.destroy();
    run.child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => run.child.once("exit", resolve));
    expect(code).toBe(0);
    for (const port of [designer, supervisor, simulatorWeb])
      await expect(fetch(`http://127.0.0.1:${port}/`), `port ${port}`).rejects.toThrow();
  });
});
