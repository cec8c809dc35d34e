import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createClient, type TestClient } from "./helpers/bacnet-client";
import { type RunningSim, startSim } from "./helpers/sim-process";

const SIM_PORT = 47812;
const CLIENT_PORT = 48812;
const BIND = "127.0.2.2";
const AI1 = { type: 0, instance: 1 };
const PV = 85;

let sim: RunningSim;
let bacnet: TestClient;

const readZoneTemp = async () =>
  Number((await bacnet.client.readProperty(bacnet.at(BIND), AI1, PV)).values[0]?.value);
const faults = (body: Record<string, unknown>) =>
  sim.api<{ faults: Record<string, unknown> }>("/api/devices/1001/faults", body);

beforeAll(async () => {
  sim = await startSim(["--site", "skeleton", "--bind", BIND, "--port", String(SIM_PORT)]);
  bacnet = await createClient(CLIENT_PORT, SIM_PORT, 1500);
});

afterEach(async () => {
  await faults({ offline: false, slow_ms: 0, erroring: false, frozen: false });
});

afterAll(async () => {
  bacnet?.close();
  await sim?.stop();
});

describe("fault injection over REST, observed over BACnet", () => {
  it("offline: no I-Am and no replies until it comes back", async () => {
    const body = await faults({ offline: true });
    expect(body.faults).toMatchObject({ offline: true, slow_ms: 0, erroring: false, frozen: false });
    expect(await bacnet.whoIs(undefined, 700)).toHaveLength(0);
    await expect(readZoneTemp()).rejects.toThrow(/ERR_TIMEOUT/);
    await faults({ offline: false });
    expect(await bacnet.whoIs(undefined, 700)).toHaveLength(1);
    expect(await readZoneTemp()).toBeGreaterThan(15);
  });

  it("slow: every reply is delayed by slow_ms", async () => {
    await faults({ slow_ms: 600 });
    const started = Date.now();
    await readZoneTemp();
    expect(Date.now() - started).toBeGreaterThanOrEqual(580);
    await faults({ slow_ms: 0 });
    const quick = Date.now();
    await readZoneTemp();
    expect(Date.now() - quick).toBeLessThan(400);
  });

  it("erroring: confirmed services get Error(device, operational-problem); discovery still works", async () => {
    await faults({ erroring: true });
    await expect(readZoneTemp()).rejects.toThrow(/Class:0 - Code:25/);
    await expect(
      bacnet.client.readPropertyMultiple(bacnet.at(BIND), [
        { objectId: AI1, properties: [{ id: PV, index: 0xffffffff }] },
      ]),
    ).rejects.toThrow(/Class:0 - Code:25/);
    expect(await bacnet.whoIs(undefined, 700)).toHaveLength(1);
  });

  it("frozen: values stop changing while commands are still accepted", async () => {
    await faults({ frozen: true });
    await new Promise((r) => setTimeout(r, 300));
    const a = await readZoneTemp();
    await new Promise((r) => setTimeout(r, 1500));
    const b = await readZoneTemp();
    expect(b).toBe(a);
    await bacnet.client.writeProperty(
      bacnet.at(BIND),
      { type: 4, instance: 1 },
      PV,
      [{ type: 9, value: 1 }],
      {
        priority: 8,
      },
    );
    expect(
      (await bacnet.client.readProperty(bacnet.at(BIND), { type: 4, instance: 1 }, PV)).values[0]?.value,
    ).toBe(1);
    await bacnet.client.writeProperty(
      bacnet.at(BIND),
      { type: 4, instance: 1 },
      PV,
      [{ type: 0, value: null }],
      {
        priority: 8,
      },
    );
    await faults({ frozen: false });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await readZoneTemp()).not.toBe(a);
  });

  it("reports faults in the device list and validates the request body", async () => {
    await faults({ slow_ms: 50, erroring: true });
    const list = await sim.api<{ devices: Array<{ id: number; faults: Record<string, unknown> }> }>(
      "/api/devices",
    );
    expect(list.devices[0]?.faults).toEqual({ offline: false, slow_ms: 50, erroring: true, frozen: false });
    const response = await fetch(`${sim.webUrl}/api/devices/1001/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ slow_ms: -5, offline: "yes" }),
    });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { issues: Array<{ path: string }> };
    expect(body.issues.map((i) => i.path).sort()).toEqual(["offline", "slow_ms"]);
    expect(
      (await fetch(`${sim.webUrl}/api/devices/9999/faults`, { method: "POST", body: "{}" })).status,
    ).toBe(404);
  });
});
