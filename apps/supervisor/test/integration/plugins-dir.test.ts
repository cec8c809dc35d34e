import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FlowConfigurationInput } from "@bms/schemas";
import {
  api,
  eventually,
  REPO_ROOT,
  type SupervisorHandle,
  startSupervisor,
  tempDir,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageOf } from "../fixtures";

// A real supervisor process loading the example plugin from examples/plugins (--plugins-dir) with its
// configuration file (--plugins-config). BACnet stays on an address of its own where nothing answers.
const BACNET_BIND = "127.0.40.2";
const BACNET_PORT = 47886;
const BROADCAST = "127.255.255.255:47887";
const PLUGINS_DIR = join(REPO_ROOT, "examples/plugins");

/** virtual zone temperature → threshold → virtual cooling command, every 200 ms (or on change). */
function virtualCoolingFlow(
  limit: number,
  trigger: "interval" | "on_change" = "interval",
): FlowConfigurationInput {
  return {
    metadata: {
      flow_id: randomUUID(),
      flow_name: "Virtual zone cooling",
      version: "1.0.0",
      generated_at: new Date().toISOString(),
    },
    execution: {
      // On change: a scan at most every minute, so a quick reaction can only come from the plugin's push.
      trigger:
        trigger === "interval"
          ? { type: "interval", interval_ms: 200 }
          : { type: "on_change", points: [], debounce_ms: 50, max_interval_ms: 60_000 },
      error_handling: { retry_count: 0, timeout_ms: 2000, on_failure: "continue" },
    },
    nodes: [
      {
        id: "temp",
        type: "sensor_read",
        position: { x: 0, y: 0 },
        config: { point: "virtual:zone1/temp" },
      },
      { id: "hot", type: "threshold", position: { x: 250, y: 0 }, config: { operator: ">", value: limit } },
      {
        id: "cool",
        type: "actuator_write",
        position: { x: 500, y: 0 },
        config: { point: "virtual:zone1/cooling", priority: 16 },
      },
    ],
    connections: [
      { from_node: "temp", from_output: "value", to_node: "hot", to_input: "value" },
      { from_node: "hot", from_output: "result", to_node: "cool", to_input: "value" },
    ],
  };
}

interface ReadResponse {
  values: { point: string; value: unknown; quality: string; code?: string; reason?: string }[];
}

describe("a plugin loaded from --plugins-dir, configured by --plugins-config, in a real supervisor", () => {
  let sup: SupervisorHandle;

  beforeAll(async () => {
    const dir = tempDir("plugins-dir");
    const config = join(dir, "plugins.json");
    writeFileSync(
      config,
      JSON.stringify({
        virtual: {
          points: {
            "zone1/temp": { value: 22, units: "degreesCelsius" },
            "zone1/cooling": { value: false },
            "plant/outdoor_temp": { value: 31.5, units: "degreesCelsius", writable: false },
          },
        },
      }),
    );
    sup = await startSupervisor({
      bacnetBind: BACNET_BIND,
      bacnetPort: BACNET_PORT,
      broadcast: BROADCAST,
      extraArgs: ["--plugins-dir", PLUGINS_DIR, "--plugins-config", config],
    });
  });

  afterAll(async () => {
    await sup?.stop();
  });

  const read = async (points: string[]) =>
    (await api<ReadResponse>(sup.url, "/api/points/read", { body: { points } })).body.values;
  const write = (point: string, value: number | boolean) =>
    api<{ results: { ok: boolean; code?: string; error?: string }[] }>(sup.url, "/api/points/write", {
      body: { writes: [{ point, value }] },
      token: sup.token,
    });

  it("lists the loaded plugin beside BACnet, with its health", async () => {
    const { status, body } = await api<{
      plugins: {
        name: string;
        protocol: string;
        version: string;
        health: { state: string; connections: number };
      }[];
    }>(sup.url, "/api/plugins");
    expect(status).toBe(200);
    // The built-in plugins first, in their list's order, then the ones loaded from the directory.
    expect(body.plugins.map((p) => p.protocol)).toEqual(["bacnet", "modbus", "mqtt", "http", "virtual"]);
    expect(body.plugins.find((p) => p.protocol === "virtual")).toMatchObject({
      name: "example-virtual-points",
      version: "1.0.0",
      health: { state: "ok", connections: 3 },
    });
  });

  it("reads the configured values, and answers what it cannot with codes", async () => {
    const values = await read(["virtual:plant/outdoor_temp", "virtual:nowhere", "other:thing"]);
    expect(values[0]).toMatchObject({ value: 31.5, quality: "good" });
    expect(values[1]).toMatchObject({ quality: "bad", code: "device_error" });
    expect(values[2]).toMatchObject({ quality: "bad", code: "no_plugin" });
    const refused = await write("virtual:plant/outdoor_temp", 10);
    expect(refused.body.results[0]).toMatchObject({ ok: false, code: "write_denied" });
  });

  it("names, at validation, the points no loaded plugin serves", async () => {
    const flow = virtualCoolingFlow(24);
    // A scheme that parses (any `<scheme>:` names a plugin protocol) but that nothing loaded serves.
    flow.nodes[0]!.config = { point: "opcua:ns=2;s=Boiler1.Temp" };
    const { status, body } = await api<{ unserved: { point: string; code: string }[] }>(
      sup.url,
      "/api/config/validate",
      { body: packageOf(flow), token: sup.token },
    );
    expect(status).toBe(200);
    expect(body.unserved).toEqual([
      expect.objectContaining({ point: "opcua:ns=2;s=Boiler1.Temp", code: "no_plugin" }),
    ]);
  });

  it("runs a deployed flow that reads and commands plugin points", async () => {
    const deploy = await api<{ config_version: number }>(sup.url, "/api/config/deploy", {
      body: packageOf(virtualCoolingFlow(24), "Virtual"),
      token: sup.token,
    });
    expect(deploy.status).toBe(200);
    const cooling = async () => (await read(["virtual:zone1/cooling"]))[0]!.value;
    await eventually(async () => ((await cooling()) === false ? true : undefined));

    expect((await write("virtual:zone1/temp", 26)).body.results[0]!.ok).toBe(true);
    await eventually(async () => ((await cooling()) === true ? true : undefined));
    expect((await write("virtual:zone1/temp", 21)).body.results[0]!.ok).toBe(true);
    await eventually(async () => ((await cooling()) === false ? true : undefined));

    // The flow's last scan shows the plugin's value for its input, as for a BACnet point.
    const live = await api<ReadResponse>(sup.url, "/api/points/live");
    expect(live.body.values).toContainEqual(
      expect.objectContaining({ point: "virtual:zone1/temp", value: 21, quality: "good" }),
    );
  });

  it("runs an on-change flow from the plugin's pushed changes (subscribe), not from polling", async () => {
    expect((await write("virtual:zone1/temp", 20)).body.results[0]!.ok).toBe(true);
    const deploy = await api(sup.url, "/api/config/deploy", {
      body: packageOf(virtualCoolingFlow(24, "on_change"), "Virtual on change"),
      token: sup.token,
    });
    expect(deploy.status).toBe(200);
    const cooling = async () => (await read(["virtual:zone1/cooling"]))[0]!.value;
    await eventually(async () => ((await cooling()) === false ? true : undefined));
    const status = await api<{ cov: { ref: string; mode: string }[] }>(sup.url, "/api/execution/status");
    expect(status.body.cov).toContainEqual({ ref: "virtual:zone1/temp", mode: "push" });
    const before = Date.now();
    expect((await write("virtual:zone1/temp", 27)).body.results[0]!.ok).toBe(true);
    await eventually(async () => ((await cooling()) === true ? true : undefined), 10_000, 50);
    // Far inside the one-minute maximum interval: the write's push started the scan.
    expect(Date.now() - before).toBeLessThan(5_000);
  });

  it("browses the plugin's tree through the API", async () => {
    const roots = await api<{ entries: { id: string; kind: string }[] }>(
      sup.url,
      "/api/plugins/virtual/browse",
    );
    expect(roots.body.entries).toEqual([
      expect.objectContaining({ id: "plant", kind: "folder" }),
      expect.objectContaining({ id: "zone1", kind: "folder" }),
    ]);
    const zone = await api<{ entries: { ref: string; units?: string }[] }>(
      sup.url,
      "/api/plugins/virtual/browse?id=zone1",
    );
    expect(zone.body.entries).toContainEqual(
      expect.objectContaining({ ref: "virtual:zone1/temp", units: "degreesCelsius" }),
    );
  });

  it("refuses to start on a bad plugins configuration, naming the file", async () => {
    const dir = tempDir("plugins-bad");
    const config = join(dir, "broken.json");
    writeFileSync(config, '{"virtual": {"points": ');
    const failed = await startSupervisor({
      bacnetBind: BACNET_BIND,
      bacnetPort: BACNET_PORT + 2,
      broadcast: BROADCAST,
      extraArgs: ["--plugins-dir", PLUGINS_DIR, "--plugins-config", config],
    }).catch((error: unknown) => error as Error);
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toContain(`${config}: the plugins configuration is not JSON`);
  });

  it("refuses to start when the plugin rejects its own section, naming the point", async () => {
    const dir = tempDir("plugins-bad-section");
    const config = join(dir, "plugins.json");
    writeFileSync(config, JSON.stringify({ virtual: { points: { "bad name!": { value: 1 } } } }));
    const failed = await startSupervisor({
      bacnetBind: BACNET_BIND,
      bacnetPort: BACNET_PORT + 3,
      broadcast: BROADCAST,
      extraArgs: ["--plugins-dir", PLUGINS_DIR, "--plugins-config", config],
    }).catch((error: unknown) => error as Error);
    expect((failed as Error).message).toContain('virtual.points["bad name!"]: not a point name');
  });
});
