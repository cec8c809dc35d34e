import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type TestClient } from "./helpers/bacnet-client";
import { type RunningSim, startSim } from "./helpers/sim-process";

const SIM_PORT = 47815;
const CLIENT_PORT = 48816;
const BIND = "127.0.5.2";
const appDir = fileURLToPath(new URL("../../", import.meta.url));

const dir = mkdtempSync(join(tmpdir(), "bms-sim-site-"));
const file = join(dir, "site.json");

const site = (devices: Array<{ instance: number; name: string; point: string }>) =>
  JSON.stringify(
    {
      name: "reload",
      devices: devices.map((d) => ({
        instance: d.instance,
        name: d.name,
        objects: [{ type: "analogValue", instance: 1, name: d.point, units: "percent", commandable: true }],
      })),
    },
    null,
    2,
  );

let sim: RunningSim;
let bacnet: TestClient;

async function waitForOutput(stream: string[], pattern: RegExp, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pattern.test(stream.join(""))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${pattern} in output:\n${stream.join("")}`);
}

beforeAll(async () => {
  writeFileSync(file, site([{ instance: 7001, name: "Reload A", point: "Valve" }]));
  sim = await startSim(["--site", file, "--bind", BIND, "--port", String(SIM_PORT)]);
  bacnet = await createClient(CLIENT_PORT, SIM_PORT);
});

afterAll(async () => {
  bacnet?.close();
  await sim?.stop();
});

describe("site files", () => {
  it("refuses a bad site file at start with the path of the error", () => {
    const bad = join(dir, "bad.json");
    writeFileSync(
      bad,
      JSON.stringify({
        name: "bad",
        devices: [
          {
            instance: 1,
            name: "d",
            objects: [{ type: "analogInput", instance: 1, name: "t", units: "celsius" }],
          },
        ],
      }),
    );
    const result = spawnSync(
      process.execPath,
      ["--import", "tsx", "src/cli.ts", "--site", bad, "--port", "47829", "--web-port", "0"],
      {
        cwd: appDir,
        encoding: "utf8",
        timeout: 20_000,
      },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("devices[0].objects[0].units: unknown engineering unit");
    expect(result.stdout).not.toContain("bms-sim ready");
  });

  it("reloads when the file changes", async () => {
    expect((await bacnet.whoIs(undefined, 600)).map((d) => d.deviceId)).toEqual([7001]);
    writeFileSync(
      file,
      site([
        { instance: 7001, name: "Reload A", point: "Damper" },
        { instance: 7002, name: "Reload B", point: "Fan" },
      ]),
    );
    await waitForOutput(sim.stdout, /bms-sim reloaded 2 devices/);
    expect((await bacnet.whoIs(undefined, 600)).map((d) => d.deviceId)).toEqual([7001, 7002]);
    const name = await bacnet.client.readProperty(bacnet.at(BIND), { type: 2, instance: 1 }, 77);
    expect(name.values[0]?.value).toBe("Damper");
    const second = await bacnet.client.readProperty(bacnet.at("127.0.5.3"), { type: 2, instance: 1 }, 77);
    expect(second.values[0]?.value).toBe("Fan");
  });

  it("keeps the running site when an edit is invalid, and says where", async () => {
    writeFileSync(
      file,
      site([{ instance: 7001, name: "Reload A", point: "Damper" }]).replace('"percent"', '"furlongs"'),
    );
    await waitForOutput(sim.stderr, /devices\[0\]\.objects\[0\]\.units: unknown engineering unit/);
    expect(sim.stderr.join("")).toContain("keeping the previous site running");
    expect((await bacnet.whoIs(undefined, 600)).map((d) => d.deviceId)).toEqual([7001, 7002]);
    writeFileSync(file, "{ not json");
    await waitForOutput(sim.stderr, /not valid JSON/);
    expect(sim.proc.exitCode).toBeNull();
  });
});
