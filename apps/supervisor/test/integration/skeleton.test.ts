import { buildDeploymentPackage, type DeployResponse, type ExecutionStateResponse } from "@bms/schemas";
import {
  api,
  eventually,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openProbe } from "../bacnet-probe";
import { packageOf, skeletonFlow } from "../fixtures";

// Own addresses and ports: integration files run in parallel.
const SIM_BIND = "127.0.0.11";
const SIM_PORT = 47830;
const SUP_PORT = 47831;
const PROBE_PORT = 47832;
const BINARY_OUTPUT = 4;
const PRESENT_VALUE = 85;
const PRIORITY_ARRAY = 87;

describe("walking skeleton: deploy over HTTP, run on the supervisor, command the simulator over BACnet/IP", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  let probe: Awaited<ReturnType<typeof openProbe>>;
  const device = `${SIM_BIND}:${SIM_PORT}`;

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: "skeleton" });
    sup = await startSupervisor({ bacnetPort: SUP_PORT, broadcast: `127.255.255.255:${SIM_PORT}` });
    probe = await openProbe("127.0.0.1", PROBE_PORT);
  });

  afterAll(async () => {
    probe?.close();
    await sup?.stop();
    await sim?.stop();
  });

  async function zoneTemp(): Promise<number> {
    const { body } = await api<{ values: { value: number }[] }>(sup.url, "/api/points/read", {
      body: { points: ["bacnet:1001/analogInput:1"] },
    });
    return body.values[0]!.value;
  }

  async function coolingCmd(): Promise<number> {
    return (await probe.read(device, BINARY_OUTPUT, 1, PRESENT_VALUE))[0] as number;
  }

  it("discovers the simulated device with Who-Is", async () => {
    const { status, body } = await api<{ devices: { device_id: number; name: string; status: string }[] }>(
      sup.url,
      "/api/devices/discover?wait=true",
      { body: { timeout_ms: 1500 }, token: sup.token },
    );
    expect(status).toBe(200);
    expect(body.devices).toContainEqual(
      expect.objectContaining({ device_id: 1001, name: "Skeleton Controller", status: "online" }),
    );
  });

  it("commands the binary output when the temperature crosses the threshold, at the configured priority", async () => {
    // Pin the input with the simulator's override so the crossing is ours, not the drift's.
    const override = (value: number | null) =>
      api(sim.webUrl, "/api/devices/1001/objects/analogInput/1/override", { body: { value } });
    await override(22);
    await eventually(async () => ((await zoneTemp()) === 22 ? true : undefined));

    const deploy = await api<DeployResponse>(sup.url, "/api/config/deploy", {
      body: packageOf(skeletonFlow({ limit: 24.5, priority: 8 })),
      token: sup.token,
    });
    expect(deploy.status).toBe(200);
    expect(deploy.body.config_version).toBe(1);

    // Below the limit: the flow commands inactive (0) at priority 8.
    await eventually(async () => {
      const slot = await probe.read(device, BINARY_OUTPUT, 1, PRIORITY_ARRAY, 8);
      return slot[0] === 0 ? true : undefined;
    });
    expect(await coolingCmd()).toBe(0);

    await override(25.5);
    await eventually(async () => ((await coolingCmd()) === 1 ? true : undefined), 10_000);
    const slot8 = await probe.read(device, BINARY_OUTPUT, 1, PRIORITY_ARRAY, 8);
    expect(slot8).toEqual([1]);

    await override(23);
    await eventually(async () => ((await coolingCmd()) === 0 ? true : undefined), 10_000);
    await override(null);
  });

  it("reports the last scan with per-node status and values", async () => {
    const state = await eventually(async () => {
      const { body } = await api<ExecutionStateResponse>(sup.url, "/api/execution/state");
      return body.node_statuses.length === 3 ? body : undefined;
    });
    expect(state.execution_state.status).toBe("running");
    expect(state.node_statuses.map((s) => [s.node_id, s.status])).toEqual([
      ["temp", "completed"],
      ["hot", "completed"],
      ["cool", "completed"],
    ]);
    const temp = state.node_statuses[0]!.output_values as { value: { value: number; quality: string } };
    expect(typeof temp.value.value).toBe("number");
    expect(temp.value.quality).toBe("good");
    expect(state.scan).toBeGreaterThan(1);
  });

  it("refuses an invalid deploy with 422 and {path, message}, and keeps the running flow", async () => {
    const before = await api<{ config_version: number }>(sup.url, "/api/execution/status");
    const bad = packageOf(skeletonFlow({ limit: 24.5 }));
    (bad.configuration.nodes[0]!.config as { point: string }).point = "bacnet:5000000/analogInput:1";
    const rejected = await api<{ errors: { path: string; message: string }[] }>(
      sup.url,
      "/api/config/deploy",
      {
        body: bad,
        token: sup.token,
      },
    );
    expect(rejected.status).toBe(422);
    expect(rejected.body.errors).toEqual([
      { path: "checksum", message: "checksum does not match the package content (corrupted in transit?)" },
    ]);

    const { checksum: _stale, format_version: _v, ...content } = bad;
    const resigned = buildDeploymentPackage(content);
    const invalid = await api<{ errors: { path: string; message: string }[] }>(
      sup.url,
      "/api/config/deploy",
      {
        body: resigned,
        token: sup.token,
      },
    );
    expect(invalid.status).toBe(422);
    // Messages name nodes and ports as the canvas draws them; the path stays machine-readable.
    expect(invalid.body.errors).toContainEqual({
      path: "configuration.nodes[0].config.point",
      message: "Sensor Read (temp): Point: device instance 5000000 is out of range 0..4194302",
      code: "config",
    });
    const unwired = skeletonFlow({ limit: 24.5 });
    unwired.nodes[1]!.label = "Cooling threshold";
    unwired.connections = unwired.connections.filter((c) => c.to_node !== "hot");
    const open = await api<{ errors: { path: string; message: string; code?: string }[] }>(
      sup.url,
      "/api/config/deploy",
      { body: packageOf(unwired), token: sup.token },
    );
    expect(open.status).toBe(422);
    expect(open.body.errors).toEqual([
      {
        path: "configuration.nodes[1]",
        message: "Cooling threshold: Value is not connected",
        code: "required_input",
      },
    ]);

    const malformed = await fetch(`${sup.url}/api/config/deploy`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${sup.token}` },
      body: '{"project_id": ',
    });
    expect(malformed.status).toBe(422);
    const malformedBody = (await malformed.json()) as { errors: { path: string }[] };
    expect(malformedBody.errors[0]?.path).toBe("(body)");

    const after = await api<{ config_version: number; status: string; execution_count: number }>(
      sup.url,
      "/api/execution/status",
    );
    expect(after.body.config_version).toBe(before.body.config_version);
    expect(after.body.status).toBe("running");
    const history = await api<{ versions: unknown[] }>(sup.url, "/api/config/history");
    expect(history.body.versions).toHaveLength(1);
  });

  it("refuses a deploy without the token", async () => {
    const response = await api(sup.url, "/api/config/deploy", {
      body: packageOf(skeletonFlow({ limit: 20 })),
    });
    expect(response.status).toBe(401);
  });

  it("relinquishes the commanded point when the flow stops", async () => {
    const stop = await api<{ status: string }>(sup.url, "/api/execution/stop", {
      body: {},
      token: sup.token,
    });
    expect(stop.body.status).toBe("stopped");
    const slot8 = await probe.read(device, BINARY_OUTPUT, 1, PRIORITY_ARRAY, 8);
    expect(slot8).toEqual([null]);
  });
});
