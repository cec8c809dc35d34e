import { buildSitePackage, type FlowConfigurationInput } from "@bms/schemas";
import {
  api,
  eventually,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
  tempDir,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Reserved for this file: 127.0.46.0/24 (the .20 block), BACnet ports 47887-47888.
const SIM_BIND = "127.0.46.20";
const SIM_PORT = 47887;
const SUP_PORT = 47888;

const A = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c01";
const B = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c02";

/**
 * Two flows drawn from one template: both publish "setpoint" and "arm", both hold a latch "trip" set by
 * "arm". Equal names and node ids across flows are what per-flow parameters must keep apart.
 */
function twin(flowId: string, name: string, limit = 24): FlowConfigurationInput {
  return {
    metadata: { flow_id: flowId, flow_name: name, version: "1.0.0", generated_at: new Date().toISOString() },
    execution: {
      trigger: { type: "interval", interval_ms: 200 },
      error_handling: { retry_count: 0, timeout_ms: 2000, on_failure: "continue" },
    },
    nodes: [
      {
        id: "sp",
        type: "parameter",
        label: "Setpoint",
        config: { name: "setpoint", default: 20, min: 10, max: 30 },
      },
      { id: "arm", type: "parameter", label: "Arm", config: { name: "arm", default: true } },
      { id: "trip", type: "latch", label: "Trip", config: {} },
      { id: "high", type: "threshold", label: "High", config: { operator: ">", value: limit } },
    ],
    connections: [
      { from_node: "arm", from_output: "value", to_node: "trip", to_input: "set" },
      { from_node: "sp", from_output: "value", to_node: "high", to_input: "value" },
    ],
  };
}

const site = (flows: FlowConfigurationInput[]) =>
  buildSitePackage({
    project: { id: "twins", name: "Twins", version: "1.0.0" },
    flows,
    created_at: new Date().toISOString(),
  });

interface FlowRow {
  flow_id: string;
  status: string;
  scan_count: number;
}
interface ParameterRow {
  name: string;
  flow_id: string;
  value: unknown;
}
interface LatchRow {
  node_id: string;
  flow_id: string;
  q: boolean | null;
}

describe("per flow: parameters, latch resets and an operator's stop, across restarts", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  const dataDir = tempDir("flow-run-state");
  const start = () =>
    startSupervisor({
      bacnetBind: "127.0.46.1",
      bacnetPort: SUP_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
      dataDir,
    });
  const flows = async () => (await api<{ flows: FlowRow[] }>(sup.url, "/api/flows")).body.flows;
  const status = async (id: string) => (await flows()).find((f) => f.flow_id === id)?.status;
  const parameters = async () =>
    (await api<{ parameters: ParameterRow[] }>(sup.url, "/api/execution/parameters")).body.parameters;
  const value = async (flowId: string, name: string) =>
    (await parameters()).find((p) => p.flow_id === flowId && p.name === name)?.value;
  const latch = async (flowId: string) =>
    (await api<{ latches: LatchRow[] }>(sup.url, "/api/execution/latches")).body.latches.find(
      (l) => l.flow_id === flowId,
    )?.q;
  const send = (method: string, path: string, body?: unknown) =>
    api<{ error?: string; errors?: { code?: string }[] }>(sup.url, path, { method, body, token: sup.token });

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: "skeleton" });
    sup = await start();
    const deployed = await send("POST", "/api/config/deploy", site([twin(A, "Alpha"), twin(B, "Beta")]));
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(200);
    await eventually(async () => ((await flows()).every((f) => f.scan_count > 2) ? true : undefined));
  });

  afterAll(async () => {
    await sup?.stop();
    await sim?.stop();
  });

  it("keeps a parameter per flow: a shared name needs flow_id, and one flow's value leaves the other's", async () => {
    expect(
      (await parameters())
        .filter((p) => p.name === "setpoint")
        .map((p) => p.flow_id)
        .sort(),
    ).toEqual([A, B]);
    const ambiguous = await send("PUT", "/api/execution/parameters/setpoint", { value: 23 });
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body.errors?.map((d) => d.code)).toEqual(["ambiguous", "ambiguous"]);
    const set = await send("PUT", `/api/execution/parameters/setpoint?flow_id=${A}`, { value: 23 });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(await value(A, "setpoint")).toBe(23);
    expect(await value(B, "setpoint")).toBe(20);
    const unknown = await send("PUT", "/api/execution/parameters/setpoint?flow_id=nope", { value: 23 });
    expect(unknown.status).toBe(404);
  });

  it("resets a latch in its own flow only, although the other flow has a latch with the same id", async () => {
    for (const id of [A, B]) {
      const disarm = await send("PUT", `/api/execution/parameters/arm?flow_id=${id}`, { value: false });
      expect(disarm.status).toBe(200);
    }
    expect(await latch(A)).toBe(true);
    expect(await latch(B)).toBe(true);
    expect((await send("POST", "/api/execution/latches/trip/reset")).status).toBe(409);
    const reset = await send("POST", `/api/execution/latches/trip/reset?flow_id=${A}`);
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    await eventually(async () => ((await latch(A)) === false ? true : undefined));
    await new Promise((r) => setTimeout(r, 600));
    expect(await latch(B)).toBe(true);
  });

  it("a stopped flow stays stopped across a restart, with its sibling running and the operator's values kept", async () => {
    expect((await send("POST", `/api/flows/${B}/stop`)).status).toBe(200);
    expect(await status(B)).toBe("stopped");
    await sup.stop();
    sup = await start();
    await eventually(async () => ((await status(A)) === "running" ? true : undefined));
    await new Promise((r) => setTimeout(r, 600));
    expect(await status(B)).toBe("stopped");
    expect((await flows()).find((f) => f.flow_id === B)?.scan_count).toBe(0);
    expect(await value(A, "setpoint")).toBe(23);
    expect(await value(B, "setpoint")).toBe(20);
  });

  it("a deploy that leaves the stopped flow unchanged keeps it stopped; starting it makes it run after restarts", async () => {
    const redeploy = await send("POST", "/api/config/deploy", site([twin(A, "Alpha", 25), twin(B, "Beta")]));
    expect(redeploy.status, JSON.stringify(redeploy.body)).toBe(200);
    await eventually(async () => ((await status(A)) === "running" ? true : undefined));
    expect(await status(B)).toBe("stopped");
    expect((await send("POST", `/api/flows/${B}/start`)).status).toBe(200);
    await sup.stop();
    sup = await start();
    await eventually(async () => ((await flows()).every((f) => f.status === "running") ? true : undefined));
  });
});
