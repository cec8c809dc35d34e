import { type SimulatorHandle, startSimulator } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createModbusPointIO } from "../../src/protocols/modbus";
import type { ModbusPointIO } from "../../src/protocols/modbus/modbus-plugin";
import { openProbe } from "../bacnet-probe";

/**
 * The simulator's Modbus face and its BACnet devices are two views of one plant: the plugin reads the
 * meter and the CHW pump drives over Modbus TCP while an independent BACnet client reads the same
 * objects, and a Modbus write shows up in the BACnet priority array. Addresses: 127.0.41.0/24.
 */
const SIM_BIND = "127.0.41.10";
const BACNET_PORT = 47833;
const PROBE = { address: "127.0.41.2", port: 47834 };
const MODBUS = { host: "127.0.41.3", port: 15021 };
// Demo device order: the meter (2003) is the third device, the CHW plant (2005) the fifteenth.
const METER_ADDRESS = `127.0.41.12:${BACNET_PORT}`;
const CHW_ADDRESS = `127.0.41.24:${BACNET_PORT}`;
const PRESENT_VALUE = 85;
const PRIORITY_ARRAY = 87;
const AI = 0;
const AO = 1;
const BI = 3;
const BO = 4;

const METER = `modbus:${MODBUS.host}:${MODBUS.port}:1`;
const PUMP2 = `modbus:${MODBUS.host}:${MODBUS.port}:12`;

let sim: SimulatorHandle;
let plugin: ModbusPointIO;
let probe: Awaited<ReturnType<typeof openProbe>>;

beforeAll(async () => {
  sim = await startSimulator({
    site: "demo",
    bind: SIM_BIND,
    port: BACNET_PORT,
    extraArgs: ["--modbus-port", String(MODBUS.port), "--modbus-bind", MODBUS.host],
  });
  expect(sim.output()).toMatch(/bms-sim modbus 127\.0\.41\.3:15021 units 1,11,12/);
  plugin = createModbusPointIO({
    config: {
      devices: [
        { name: "Main meter", ...MODBUS, unit: 1, profile: "bms-sim-meter" },
        { name: "CHWP-1 VFD", ...MODBUS, unit: 11, profile: "bms-sim-vfd" },
        { name: "CHWP-2 VFD", ...MODBUS, unit: 12, profile: "bms-sim-vfd" },
      ],
    },
    now: Date.now,
    logger: { info: () => {}, warn: () => {} },
  });
  probe = await openProbe(PROBE.address, PROBE.port);
});

afterAll(async () => {
  probe?.close();
  await plugin?.shutdown();
  await sim?.stop();
});

async function bacnet(address: string, type: number, instance: number, property = PRESENT_VALUE) {
  return probe.read(address, type, instance, property);
}

describe("the simulator's Modbus face seen through the plugin", () => {
  it("reads the meter as BACnet reads it", async () => {
    const [demand, energy, voltage, pf, swapped] = await plugin.read([
      `${METER}/input_register:0`,
      `${METER}/input_register:2`,
      `${METER}/input_register:4`,
      `${METER}/input_register:5`,
      `${METER}/input_register:6`,
    ]);
    const [bDemand] = await bacnet(METER_ADDRESS, AI, 1);
    const [bEnergy] = await bacnet(METER_ADDRESS, AI, 2);
    const [bVoltage] = await bacnet(METER_ADDRESS, AI, 3);
    const [bPf] = await bacnet(METER_ADDRESS, AI, 4);
    // The physics ticks every 250 ms between the two reads: demand moves by its noise, energy barely.
    expect(demand?.quality).toBe("good");
    expect(Number(demand?.value)).toBeGreaterThan(10);
    expect(Math.abs(Number(demand?.value) - Number(bDemand))).toBeLessThan(2);
    expect(Math.abs(Number(swapped?.value) - Number(demand?.value))).toBeLessThan(2);
    expect(Math.abs(Number(energy?.value) - Number(bEnergy))).toBeLessThan(0.05);
    expect(Math.abs(Number(voltage?.value) - Number(bVoltage))).toBeLessThan(10);
    expect(Math.abs(Number(pf?.value) - Number(bPf))).toBeLessThan(0.1);
  });

  it("commands a pump drive over Modbus and BACnet sees the command in its priority array", async () => {
    const outcomes = await plugin.write([
      { ref: `${PUMP2}/holding_register:0`, value: 55 },
      { ref: `${PUMP2}/coil:0`, value: true },
    ]);
    expect(outcomes).toEqual([{ ok: true }, { ok: true }]);
    expect(Number((await bacnet(CHW_ADDRESS, AO, 61))[0])).toBeCloseTo(55, 5);
    const slots = await bacnet(CHW_ADDRESS, AO, 61, PRIORITY_ARRAY);
    expect(Number(slots[15])).toBeCloseTo(55, 5);
    expect((await bacnet(CHW_ADDRESS, BO, 61))[0]).toBe(1);
    const [speedCmd, runCmd] = await plugin.read([`${PUMP2}/holding_register:0`, `${PUMP2}/coil:0`]);
    expect(speedCmd).toMatchObject({ quality: "good", value: 55 });
    expect(runCmd).toMatchObject({ quality: "good", value: true });
  });

  it("follows the drive's ramp and run status from the same physics as BACnet", async () => {
    // The drive ramps at 10 %/s toward 55 % and proves running after 5 s.
    const deadline = Date.now() + 20_000;
    let speed = 0;
    let running: unknown = false;
    while (Date.now() < deadline) {
      const readings = await plugin.read([
        `${PUMP2}/input_register:0`,
        `${PUMP2}/discrete_input:0`,
        `${PUMP2}/input_register:1`,
      ]);
      speed = Number(readings[0]?.value);
      running = readings[1]?.value;
      if (speed >= 54.9 && running === true) {
        expect(Number(readings[2]?.value) & 1).toBe(1); // status word bit 0: running
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(speed).toBeCloseTo(55, 0);
    expect(running).toBe(true);
    expect(Number((await bacnet(CHW_ADDRESS, AI, 61))[0])).toBeCloseTo(speed, 0);
    expect((await bacnet(CHW_ADDRESS, BI, 61))[0]).toBe(1);
  });

  it("refuses a speed past the drive's range with the device's own exception", async () => {
    const [outcome] = await plugin.write([{ ref: `${PUMP2}/holding_register:0`, value: 150 }]);
    expect(outcome).toMatchObject({ ok: false, code: "write_denied" });
    expect(outcome?.error).toMatch(/illegal data value/);
    const [unknown] = await plugin.read([`modbus:${MODBUS.host}:${MODBUS.port}:5/holding_register:0`]);
    expect(unknown).toMatchObject({ quality: "bad", code: "device_error" });
    expect(unknown?.reason).toMatch(/gateway target device failed to respond/);
  });

  it("browses the three devices with their profile registers", async () => {
    const roots = await plugin.browse();
    expect(roots.map((r) => r.name)).toEqual(["Main meter", "CHWP-1 VFD", "CHWP-2 VFD"]);
    const meter = await plugin.browse(roots[0]?.id);
    expect(meter.find((p) => p.ref === `${METER}/input_register:0`)).toMatchObject({
      units: "kW",
      reading: expect.objectContaining({ quality: "good" }),
    });
  });
});
