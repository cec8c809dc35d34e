import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FlowConfigurationInput } from "@bms/schemas";
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
import { openProbe } from "../bacnet-probe";
import { packageOf, skeletonFlow } from "../fixtures";

/**
 * A deployed flow on a real supervisor process reads the simulator's main meter over Modbus TCP and
 * commands a chilled-water pump's VFD speed over Modbus TCP; an independent BACnet client checks the
 * drive's speed command object, which the Modbus face shares. Addresses: 127.0.41.0/24.
 */
const SIM_BIND = "127.0.41.100";
const SIM_PORT = 47888;
const SUP_PORT = 47859;
const PROBE = { address: "127.0.41.6", port: 47889 };
const MODBUS = { host: "127.0.41.5", port: 15023 };
// Demo device order: the meter (2003) is the third device, the CHW plant (2005) the fifteenth.
const METER_BACNET = `127.0.41.102:${SIM_PORT}`;
const CHW_BACNET = `127.0.41.114:${SIM_PORT}`;
const AI = 0;
const AO = 1;
const PRESENT_VALUE = 85;
const PRIORITY_ARRAY = 87;

const DEMAND = `modbus:${MODBUS.host}:${MODBUS.port}:1/input_register:0`;
const PUMP1_SPEED_CMD = `modbus:${MODBUS.host}:${MODBUS.port}:11/holding_register:0`;

function meterToPumpFlow(): FlowConfigurationInput {
  const flow = skeletonFlow({ limit: 0, name: "Pump speed follows demand (Modbus)" });
  flow.nodes = [
    { id: "demand", type: "sensor_read", position: { x: 0, y: 0 }, config: { point: DEMAND } },
    { id: "clamp", type: "limit", position: { x: 250, y: 0 }, config: { min: 30, max: 70 } },
    { id: "speed", type: "actuator_write", position: { x: 500, y: 0 }, config: { point: PUMP1_SPEED_CMD } },
  ];
  flow.connections = [
    { from_node: "demand", from_output: "value", to_node: "clamp", to_input: "value" },
    { from_node: "clamp", from_output: "value", to_node: "speed", to_input: "value" },
  ];
  return flow;
}

describe("a deployed flow reads a Modbus meter and commands a Modbus VFD", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  let probe: Awaited<ReturnType<typeof openProbe>>;

  beforeAll(async () => {
    sim = await startSimulator({
      site: "demo",
      bind: SIM_BIND,
      port: SIM_PORT,
      extraArgs: ["--modbus-port", String(MODBUS.port), "--modbus-bind", MODBUS.host],
    });
    const dir = tempDir("modbus-flow");
    const pluginsConfig = join(dir, "plugins.json");
    writeFileSync(
      pluginsConfig,
      JSON.stringify({
        modbus: {
          devices: [
            { name: "Main meter", ...MODBUS, unit: 1, profile: "bms-sim-meter" },
            { name: "CHWP-1 VFD", ...MODBUS, unit: 11, profile: "bms-sim-vfd" },
          ],
        },
      }),
    );
    sup = await startSupervisor({
      bacnetPort: SUP_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
      extraArgs: ["--plugins-config", pluginsConfig],
    });
    probe = await openProbe(PROBE.address, PROBE.port);
  });

  afterAll(async () => {
    probe?.close();
    await sup?.stop();
    await sim?.stop();
  });

  it("runs the flow: the meter's demand, clamped, becomes the pump's speed command", async () => {
    const deployed = await api(sup.url, "/api/config/deploy", {
      body: packageOf(meterToPumpFlow(), "Modbus plant"),
      token: sup.token,
    });
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(200);

    const state = await eventually(async () => {
      const { body } = await api<{
        node_statuses: { node_id: string; output_values: { value?: { value: unknown; quality: string } } }[];
      }>(sup.url, "/api/execution/state");
      const demand = body.node_statuses.find((n) => n.node_id === "demand")?.output_values.value;
      return demand?.quality === "good" && typeof demand.value === "number" ? demand.value : undefined;
    });
    const [bacnetDemand] = await probe.read(METER_BACNET, AI, 1, PRESENT_VALUE);
    expect(Math.abs(state - Number(bacnetDemand))).toBeLessThan(3);

    // The drive's speed command object follows min(max(demand, 30), 70) at the Modbus write's slot 16.
    await eventually(async () => {
      const [meterKw] = await probe.read(METER_BACNET, AI, 1, PRESENT_VALUE);
      const [speedCmd] = await probe.read(CHW_BACNET, AO, 51, PRESENT_VALUE);
      const expected = Math.min(Math.max(Number(meterKw), 30), 70);
      return Math.abs(Number(speedCmd) - expected) < 3 ? true : undefined;
    });
    const slots = await probe.read(CHW_BACNET, AO, 51, PRIORITY_ARRAY);
    expect(Number(slots[15])).toBeGreaterThanOrEqual(30);
    expect(Number(slots[15])).toBeLessThanOrEqual(70);
  });

  it("answers a Modbus point read through the points API with bad quality naming the exception", async () => {
    const missing = `modbus:${MODBUS.host}:${MODBUS.port}:1/input_register:900`;
    const { status, body } = await api<{
      values: Array<{ point: string; quality: string; reason?: string }>;
    }>(sup.url, "/api/points/read", { body: { points: [missing, DEMAND] }, token: sup.token });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.values[0]).toMatchObject({
      quality: "bad",
      reason: expect.stringMatching(/illegal data address/),
    });
    // The profile's units travel with the value, as a BACnet object's do, for every screen that shows it.
    expect(body.values[1]).toMatchObject({ quality: "good", units: "kW" });
    expect(typeof (body.values[1] as { value?: unknown }).value).toBe("number");
    expect(body.values[0]).not.toHaveProperty("units");
  });
});
