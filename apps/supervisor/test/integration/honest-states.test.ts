import { buildDeploymentPackage } from "@bms/schemas";
import {
  api,
  eventually,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { skeletonFlow } from "../fixtures";

/**
 * The skeleton flow, with the cooling command fed by a constant: the command's input stays good
 * whatever the device does, so only the device can make the command look bad.
 */
function constantCommandFlow() {
  const flow = skeletonFlow({ limit: 24, intervalMs: 300 });
  flow.nodes.push({ id: "on", type: "constant", position: { x: 250, y: 150 }, config: { value: true } });
  flow.connections = [
    ...flow.connections.filter((c) => c.to_node !== "cool"),
    { from_node: "on", from_output: "value", to_node: "cool", to_input: "value" },
  ];
  return flow;
}

// Own loopback address and ports: no other test file uses them.
const SIM_BIND = "127.0.32.1";
const SIM_PORT = 47895;
const SUP_PORT = 47896;
const COOLING_CMD = "bacnet:1001/binaryOutput:1.presentValue";

interface Quality {
  value?: unknown;
  quality: string;
  reason?: string;
}
interface NodeStatus {
  node_id: string;
  status: string;
  input_values?: Record<string, Quality>;
  output_values?: Record<string, Quality>;
}

/**
 * Issue 11's honest states on the supervisor's API: a commanded point's quality is the device's (bad,
 * with the reason, during an outage), a stopped flow reports stopped nodes without values, and each
 * config says which project version it came from.
 */
describe("honest states and the project version", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  const get = async <T>(path: string) => (await api<T>(sup.url, path, { token: sup.token })).body;
  const faults = (body: Record<string, unknown>) => api(sim.webUrl, "/api/devices/1001/faults", { body });
  const node = async (id: string) =>
    (await get<{ node_statuses: NodeStatus[] }>("/api/execution/state")).node_statuses.find(
      (n) => n.node_id === id,
    );
  const liveCommand = async () =>
    (await get<{ values: ({ point: string } & Quality)[] }>("/api/points/live")).values.find(
      (v) => v.point === COOLING_CMD,
    );
  const latestCommand = async () =>
    (await get<{ values: ({ point: string } & Quality)[] }>("/api/data/latest")).values.find(
      (v) => v.point === COOLING_CMD,
    );

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: "skeleton" });
    sup = await startSupervisor({
      bacnetPort: SUP_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
      env: { BMS_BACNET_TIMEOUT_MS: "500", BMS_BACNET_RETRIES: "1" },
    });
    await api(sup.url, "/api/devices/discover?wait=true", { body: { timeout_ms: 1000 }, token: sup.token });
  });

  afterAll(async () => {
    await sup?.stop();
    await sim?.stop();
  });

  it("stores and returns the project version a config came from (and null when a package does not say)", async () => {
    const unversioned = buildDeploymentPackage({
      project_id: "skeleton",
      project_name: "Skeleton",
      configuration: constantCommandFlow(),
      bacnet_objects: [],
      created_at: new Date().toISOString(),
    });
    const first = await api<{ config_version: number; project_version: number | null }>(
      sup.url,
      "/api/config/deploy",
      { body: unversioned, token: sup.token },
    );
    expect(first.status).toBe(200);
    expect(first.body.project_version).toBeNull();

    const versioned = buildDeploymentPackage({
      project_id: "skeleton",
      project_name: "Skeleton",
      project_version: 2,
      configuration: constantCommandFlow(),
      bacnet_objects: [],
      created_at: new Date().toISOString(),
    });
    const second = await api<{ config_version: number; project_version: number | null }>(
      sup.url,
      "/api/config/deploy",
      { body: versioned, token: sup.token },
    );
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ config_version: first.body.config_version + 1, project_version: 2 });

    const current = await get<{ version: number; project_id: string; project_version: number | null }>(
      "/api/config/current",
    );
    expect(current).toMatchObject({
      version: second.body.config_version,
      project_id: "skeleton",
      project_version: 2,
    });
    const history = await get<{ versions: { version: number; project_version: number | null }[] }>(
      "/api/config/history",
    );
    expect(history.versions.map((v) => [v.version, v.project_version])).toEqual([
      [second.body.config_version, 2],
      [first.body.config_version, null],
    ]);
  });

  it("a commanded point shows the device's quality: bad with the reason during an outage, good after", async () => {
    // The flow commands true; until its first write lands the device still reads its old value.
    const good = await eventually(async () => {
      const v = await liveCommand();
      return v?.quality === "good" && v.value === true ? v : undefined;
    });
    expect(good.value).toBe(true);
    await eventually(async () =>
      (await node("cool"))?.output_values?.commanded?.quality === "good" ? true : undefined,
    );

    await faults({ offline: true });
    const bad = await eventually(async () => {
      const v = await liveCommand();
      return v?.quality === "bad" ? v : undefined;
    });
    expect(bad.reason).toMatch(/timeout|offline/);
    // The command node says so too, with the device's reason, though its input (a constant) is good.
    const commanded = await eventually(async () => {
      const out = (await node("cool"))?.output_values?.commanded;
      return out?.quality === "bad" ? out : undefined;
    });
    expect(commanded.reason).toMatch(/^device: .*(timeout|offline)/);
    // History (the dashboard's points table for points it does not scan) carries it as well.
    const latest = await eventually(async () => {
      const v = await latestCommand();
      return v?.quality === "bad" ? v : undefined;
    }, 10_000);
    expect(latest.value).toBeNull();
    // And the node fed by the failed sensor ran on a bad input, which the UIs print as a warning.
    const hot = await node("hot");
    expect(hot?.input_values?.value?.quality).toBe("bad");

    await faults({ offline: false });
    await eventually(async () => ((await liveCommand())?.quality === "good" ? true : undefined), 30_000);
    await eventually(async () =>
      (await node("cool"))?.output_values?.commanded?.quality === "good" ? true : undefined,
    );
  });

  it("a stopped flow reports its nodes as stopped, with no last values presented as live", async () => {
    const running = await get<{ node_statuses: NodeStatus[] }>("/api/execution/state");
    expect(running.node_statuses.find((n) => n.node_id === "cool")?.status).toBe("completed");

    const stopped = await api(sup.url, "/api/execution/stop", { body: {}, token: sup.token });
    expect(stopped.status).toBe(200);
    const state = await get<{
      execution_state: { status: string; execution_context: Record<string, unknown> };
      node_statuses: NodeStatus[];
      live_context: Record<string, unknown>;
    }>("/api/execution/state");
    expect(state.execution_state.status).toBe("stopped");
    expect(state.node_statuses.map((n) => [n.node_id, n.status]).sort()).toEqual([
      ["cool", "stopped"],
      ["hot", "stopped"],
      ["on", "stopped"],
      ["temp", "stopped"],
    ]);
    for (const n of state.node_statuses) {
      expect(n.input_values, n.node_id).toBeUndefined();
      expect(n.output_values, n.node_id).toBeUndefined();
    }
    expect(state.live_context).toEqual({});
    expect(state.execution_state.execution_context).toEqual({});

    await api(sup.url, "/api/execution/start", { body: {}, token: sup.token });
    await eventually(async () => ((await node("cool"))?.status === "completed" ? true : undefined));
  });
});
