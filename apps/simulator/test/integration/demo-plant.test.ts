import { unitsId } from "@bms/bacnet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type TestClient } from "./helpers/bacnet-client";
import { type RunningSim, startSim } from "./helpers/sim-process";

// Own port and loopback range for this file (see the README's table).
const SIM_PORT = 47817;
const CLIENT_PORT = 48819;
const BIND = "127.0.8.2";
// Demo devices take addresses in file order: the CHW plant is the 15th, occupancy the 17th.
const CHW_PLANT = { instance: 2005, address: "127.0.8.16" };
const OCCUPANCY = { instance: 2007, address: "127.0.8.18" };
// Physics at 10x: a 5 s pump start is half a real second.
const SPEED = 10;

const AI = 0;
const AO = 1;
const BI = 3;
const BO = 4;
const MSV = 19;
const P = {
  activeText: 4,
  covIncrement: 22,
  description: 28,
  inactiveText: 46,
  objectName: 77,
  outOfService: 81,
  presentValue: 85,
  priorityArray: 87,
  stateText: 110,
  units: 117,
} as const;

const LOOP_DP = { type: AI, instance: 3 };
const CHWP = [
  { cmd: { type: BO, instance: 51 }, status: { type: BI, instance: 51 }, fault: { type: BI, instance: 52 } },
  { cmd: { type: BO, instance: 61 }, status: { type: BI, instance: 61 }, fault: { type: BI, instance: 62 } },
];

let sim: RunningSim;
let bacnet: TestClient;

beforeAll(async () => {
  sim = await startSim([
    "--site",
    "demo",
    "--bind",
    BIND,
    "--port",
    String(SIM_PORT),
    "--speed",
    String(SPEED),
  ]);
  bacnet = await createClient(CLIENT_PORT, SIM_PORT);
});

afterAll(async () => {
  bacnet?.close();
  await sim?.stop();
});

async function read(address: string, object: { type: number; instance: number }, property: number) {
  const result = await bacnet.client.readProperty(bacnet.at(address), object, property);
  return result.values.map((v) => v.value);
}

async function presentValue(address: string, object: { type: number; instance: number }): Promise<number> {
  return Number((await read(address, object, P.presentValue))[0]);
}

/** Polls over BACnet until the predicate holds; returns the last value read. */
async function until(
  object: { type: number; instance: number },
  predicate: (value: number) => boolean,
  timeoutMs = 10_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let value = await presentValue(CHW_PLANT.address, object);
  while (!predicate(value)) {
    if (Date.now() > deadline) throw new Error(`${JSON.stringify(object)} stuck at ${value}`);
    await new Promise((r) => setTimeout(r, 100));
    value = await presentValue(CHW_PLANT.address, object);
  }
  return value;
}

async function command(object: { type: number; instance: number }, value: 0 | 1 | null, priority = 8) {
  const encoded = value === null ? { type: 0, value: null } : { type: 9, value };
  await bacnet.client.writeProperty(bacnet.at(CHW_PLANT.address), object, P.presentValue, [encoded], {
    priority,
  });
}

describe("demo building: chilled-water plant and occupancy over real UDP", () => {
  it("announces the new plant and occupancy devices after the original fourteen", async () => {
    const found = await bacnet.whoIs();
    expect(found).toHaveLength(17);
    expect(found.find((d) => d.deviceId === CHW_PLANT.instance)?.address).toBe(
      `${CHW_PLANT.address}:${SIM_PORT}`,
    );
    expect(found.find((d) => d.deviceId === 2006)?.address).toBe(`127.0.8.17:${SIM_PORT}`);
    expect(found.find((d) => d.deviceId === OCCUPANCY.instance)?.address).toBe(
      `${OCCUPANCY.address}:${SIM_PORT}`,
    );
  });

  it("describes the loop DP, pump points and occupancy points for people", async () => {
    const result = await bacnet.client.readPropertyMultiple(bacnet.at(CHW_PLANT.address), [
      {
        objectId: LOOP_DP,
        properties: [P.objectName, P.units, P.description, P.covIncrement].map((id) => ({
          id,
          index: 0xffffffff,
        })),
      },
      {
        objectId: CHWP[0]?.status ?? LOOP_DP,
        properties: [P.objectName, P.activeText, P.inactiveText].map((id) => ({ id, index: 0xffffffff })),
      },
      {
        objectId: { type: AO, instance: 51 },
        properties: [P.objectName, P.units, P.priorityArray].map((id) => ({ id, index: 0xffffffff })),
      },
    ]);
    const props = result.values.map((o) => new Map(o.values.map((p) => [p.id, p.value.map((v) => v.value)])));
    expect(props[0]?.get(P.objectName)).toEqual(["CHW Loop DP"]);
    expect(props[0]?.get(P.units)).toEqual([unitsId("kilopascals")]);
    expect(String(props[0]?.get(P.description)?.[0])).toMatch(/differential pressure/);
    expect(Number(props[0]?.get(P.covIncrement)?.[0])).toBeGreaterThan(0);
    expect(props[1]?.get(P.objectName)).toEqual(["CHWP-1 Status"]);
    expect(props[1]?.get(P.activeText)).toEqual(["Running"]);
    expect(props[1]?.get(P.inactiveText)).toEqual(["Stopped"]);
    expect(props[2]?.get(P.objectName)).toEqual(["CHWP-1 Speed Cmd"]);
    expect(props[2]?.get(P.units)).toEqual([unitsId("percent")]);
    expect(props[2]?.get(P.priorityArray)).toHaveLength(16);

    expect(await read(OCCUPANCY.address, { type: MSV, instance: 1 }, P.stateText)).toEqual([
      "Auto",
      "Occupied",
      "Unoccupied",
    ]);
    expect(await read(OCCUPANCY.address, { type: BI, instance: 1 }, P.objectName)).toEqual([
      "Zone 1 Occupancy",
    ]);
  });

  it("commands the lead pump at priority 8: status follows, the loop DP rises", async () => {
    const lead = CHWP[0];
    if (!lead) throw new Error("no lead pump");
    expect(await presentValue(CHW_PLANT.address, LOOP_DP)).toBe(0);
    expect(await presentValue(CHW_PLANT.address, lead.status)).toBe(0);

    await command(lead.cmd, 1);
    const slots = await read(CHW_PLANT.address, lead.cmd, P.priorityArray);
    expect(slots[7]).toBe(1); // priority 8 holds active
    expect(await until(lead.status, (v) => v === 1)).toBe(1);
    const dp = await until(LOOP_DP, (v) => v > 20);
    expect(dp).toBeLessThan(150);
    expect(await presentValue(CHW_PLANT.address, { type: AI, instance: 51 })).toBeGreaterThan(20); // speed
  });

  it("fails over when the lead's drive faults (REST override) and the lag is commanded", async () => {
    const [lead, lag] = CHWP;
    if (!lead || !lag) throw new Error("no pumps");
    const before = await presentValue(CHW_PLANT.address, LOOP_DP);

    await sim.api(`/api/devices/${CHW_PLANT.instance}/objects/binaryInput/52/override`, { value: true });
    expect(await presentValue(CHW_PLANT.address, lead.fault)).toBe(1);
    expect((await read(CHW_PLANT.address, lead.fault, P.outOfService))[0]).toBe(true);
    expect(await until(lead.status, (v) => v === 0)).toBe(0);
    expect(await until(LOOP_DP, (v) => v === 0)).toBe(0);

    await command(lag.cmd, 1);
    expect(await until(lag.status, (v) => v === 1)).toBe(1);
    const restored = await until(LOOP_DP, (v) => v > before * 0.8);
    expect(restored).toBeLessThan(before * 1.2);

    await sim.api(`/api/devices/${CHW_PLANT.instance}/objects/binaryInput/52/override`, { value: null });
    await command(lead.cmd, null);
    await command(lag.cmd, null);
    expect(await until(LOOP_DP, (v) => v === 0)).toBe(0);
    expect(await presentValue(CHW_PLANT.address, lead.cmd)).toBe(0); // back to the relinquish default
  });

  it("forces every zone occupied through the Occupancy Mode at priority 8, and releases it", async () => {
    const mode = { type: MSV, instance: 1 };
    const dev = bacnet.at(OCCUPANCY.address);
    await bacnet.client.writeProperty(dev, mode, P.presentValue, [{ type: 2, value: 2 }], { priority: 8 });
    await new Promise((r) => setTimeout(r, 600)); // a few physics ticks
    for (let zone = 1; zone <= 10; zone++) {
      expect(await presentValue(OCCUPANCY.address, { type: BI, instance: zone }), `zone ${zone}`).toBe(1);
    }
    await bacnet.client.writeProperty(dev, mode, P.presentValue, [{ type: 0, value: null }], { priority: 8 });
    expect(await presentValue(OCCUPANCY.address, mode)).toBe(1);
  });
});
