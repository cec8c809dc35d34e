import type { FlowConfigurationInput } from "@bms/schemas";
import {
  api,
  eventually,
  nodeOutput,
  overrideObject,
  type SimulatorHandle,
  type SupervisorHandle,
  skeletonZoneLatch,
  startSimulator,
  startSupervisor,
  tempDir,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openProbe } from "../bacnet-probe";
import { packageOf, skeletonFlow } from "../fixtures";

const SIM_BIND = "127.0.0.12";
const SIM_PORT = 47836;
const SUP_PORT = 47837;
const PROBE_PORT = 47838;
const BINARY_OUTPUT = 4;
const PRIORITY_ARRAY = 87;

function latchFlow(): FlowConfigurationInput {
  const flow = skeletonFlow({ limit: 25, priority: 8, name: "Latched cooling" });
  const latch = skeletonZoneLatch();
  flow.nodes = [
    ...latch.nodes,
    { id: "cool", type: "actuator_write", config: { point: "bacnet:1001/binaryOutput:1", priority: 8 } },
  ];
  flow.connections = [
    ...latch.connections,
    { from_node: "memory", from_output: "q", to_node: "cool", to_input: "value" },
  ];
  return flow;
}

describe("config lifecycle: deploy, replace, rollback, kill -9 and resume", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  let probe: Awaited<ReturnType<typeof openProbe>>;
  const dataDir = tempDir("lifecycle");
  const device = `${SIM_BIND}:${SIM_PORT}`;
  const slot = async (priority: number) =>
    (await probe.read(device, BINARY_OUTPUT, 1, PRIORITY_ARRAY, priority))[0];
  const override = (value: number | null) => overrideObject(sim, 1001, "analogInput/1", value);
  const start = () =>
    startSupervisor({ bacnetPort: SUP_PORT, broadcast: `127.255.255.255:${SIM_PORT}`, dataDir });

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: "skeleton" });
    sup = await start();
    probe = await openProbe("127.0.0.1", PROBE_PORT);
    await override(26);
  });

  afterAll(async () => {
    probe?.close();
    await sup?.stop();
    await sim?.stop();
  });

  it("replaces a flow: points the new flow does not command are relinquished, then rolls back", async () => {
    const v1 = await api<{ config_version: number }>(sup.url, "/api/config/deploy", {
      body: packageOf(skeletonFlow({ limit: 24.5, priority: 8, name: "v1 at priority 8" })),
      token: sup.token,
    });
    expect(v1.body.config_version).toBe(1);
    await eventually(async () => ((await slot(8)) === 1 ? true : undefined));

    const v2 = await api<{ config_version: number }>(sup.url, "/api/config/deploy", {
      body: packageOf(skeletonFlow({ limit: 24.5, priority: 10, name: "v2 at priority 10" })),
      token: sup.token,
    });
    expect(v2.body.config_version).toBe(2);
    await eventually(async () => ((await slot(10)) === 1 && (await slot(8)) === null ? true : undefined));

    const rollback = await api<{ config_version: number; flow_name: string }>(
      sup.url,
      "/api/config/rollback",
      {
        body: {},
        token: sup.token,
      },
    );
    expect(rollback.status).toBe(200);
    expect(rollback.body).toMatchObject({ config_version: 3, flow_name: "v1 at priority 8" });
    await eventually(async () => ((await slot(8)) === 1 && (await slot(10)) === null ? true : undefined));

    const history = await api<{ active_version: number; versions: { version: number; source: string }[] }>(
      sup.url,
      "/api/config/history",
    );
    expect(history.body.active_version).toBe(3);
    expect(history.body.versions.map((v) => [v.version, v.source])).toEqual([
      [3, "rollback"],
      [2, "deploy"],
      [1, "deploy"],
    ]);

    const missing = await api(sup.url, "/api/config/rollback", { body: { version: 99 }, token: sup.token });
    expect(missing.status).toBe(404);
  });

  it("survives kill -9: the flow resumes with its node state", async () => {
    const deployed = await api(sup.url, "/api/config/deploy", {
      body: packageOf(latchFlow()),
      token: sup.token,
    });
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(200);
    await override(26);
    await eventually(async () => ((await nodeOutput(sup, "memory", "q")) === true ? true : undefined));
    // Back to normal: the latch holds, as it must.
    await override(22);
    await new Promise((r) => setTimeout(r, 1500));
    const before = await api<{ config_version: number }>(sup.url, "/api/execution/status");

    await sup.stop("SIGKILL");
    sup = await start();

    const status = await eventually(async () => {
      const { body } = await api<{ status: string; config_version: number; execution_count: number }>(
        sup.url,
        "/api/execution/status",
      );
      return body.execution_count > 1 ? body : undefined;
    });
    expect(status.status).toBe("running");
    expect(status.config_version).toBe(before.body.config_version);
    expect(await nodeOutput(sup, "memory", "q")).toBe(true);
    expect(await slot(8)).toBe(1);

    // Stopping relinquishes what the resumed flow commands, although it was commanded before the crash.
    await api(sup.url, "/api/execution/stop", { body: {}, token: sup.token });
    expect(await slot(8)).toBe(null);
    await override(null);
  });
});
