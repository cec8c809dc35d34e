import { buildSitePackage } from "@bms/schemas";
import {
  api,
  eventually,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pumpAlarmFlow } from "../fixtures";

// What a commissioning engineer tripped over on a first walk through the quick start, at the supervisor.
// Reserved for this file: 127.0.114.1-9, BACnet ports 47990-47991 (the dashboard walkthrough takes .10-19).
const SIM_BIND = "127.0.114.2";
const SIM_PORT = 47990;
const SUP_PORT = 47991;

const NORTH = "7a1f0c2e-0000-4000-8000-0000000000a1";
const SOUTH = "7a1f0c2e-0000-4000-8000-0000000000a2";

describe("walkthrough: what an integrator reads on the supervisor", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: "skeleton" });
    sup = await startSupervisor({
      bacnetBind: "127.0.114.1",
      bacnetPort: SUP_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
    });
  });

  afterAll(async () => {
    await sup?.stop();
    await sim?.stop();
  });

  it("names the flow of a flow alarm, so two plants' 'pumps' alarms can be told apart", async () => {
    const pkg = buildSitePackage({
      project: { id: "plants", name: "Plants", version: "1.0.0" },
      flows: [pumpAlarmFlow(NORTH, "CHW plant"), pumpAlarmFlow(SOUTH, "HW plant")],
      created_at: new Date().toISOString(),
    });
    const deployed = await api(sup.url, "/api/config/deploy", { body: pkg, token: sup.token });
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(200);
    const alerts = await eventually(async () => {
      const { body } = await api<{ alerts: { node_id: string; flow_id: string; flow_name?: string }[] }>(
        sup.url,
        "/api/alerts",
        { token: sup.token },
      );
      return body.alerts.length === 2 ? body.alerts : undefined;
    }, 15_000);
    expect(alerts.map((a) => [a.node_id, a.flow_id, a.flow_name]).sort()).toEqual([
      ["pumps", NORTH, "CHW plant"],
      ["pumps", SOUTH, "HW plant"],
    ]);
  });
});
