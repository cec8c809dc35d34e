import type { PropertyIdentifier } from "@bacnet-js/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type TestClient } from "./helpers/bacnet-client";
import { type RunningSim, startSim } from "./helpers/sim-process";

// Own port and loopback range for this file, so files can run in parallel.
const SIM_PORT = 47811;
const CLIENT_PORT = 48811;
const BIND = "127.0.1.2";

const AI = 0;
const BO = 4;
const AV = 2;
const DEVICE = 8;
const PV = 85;
const PRIORITY_ARRAY = 87;
const ALL = 0xffffffff;

let sim: RunningSim;
let bacnet: TestClient;

beforeAll(async () => {
  sim = await startSim(["--site", "skeleton", "--bind", BIND, "--port", String(SIM_PORT)]);
  bacnet = await createClient(CLIENT_PORT, SIM_PORT);
});

afterAll(async () => {
  bacnet?.close();
  await sim?.stop();
});

describe("skeleton site over real UDP", () => {
  it("prints the ready line once its sockets and web API are up", () => {
    expect(sim.readyLine).toBe("bms-sim ready 1 devices");
    expect(sim.webUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("answers a broadcast Who-Is with an I-Am announcing 1476 octets and no segmentation", async () => {
    const found = await bacnet.whoIs();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      deviceId: 1001,
      maxApdu: 1476,
      segmentation: 3,
      address: `${BIND}:${SIM_PORT}`,
    });
  });

  it("honours Who-Is ranges", async () => {
    expect(await bacnet.whoIs({ lowLimit: 1000, highLimit: 1001 }, 800)).toHaveLength(1);
    expect(await bacnet.whoIs({ lowLimit: 1002, highLimit: 2000 }, 800)).toHaveLength(0);
  });

  it("reads the objects by name, units and a drifting zone temperature", async () => {
    const dev = bacnet.at(BIND);
    const name = await bacnet.client.readProperty(dev, { type: AI, instance: 1 }, 77);
    expect(name.values[0]?.value).toBe("Zone Temp");
    const units = await bacnet.client.readProperty(dev, { type: AI, instance: 1 }, 117);
    expect(units.values[0]?.value).toBe(62); // degreesCelsius
    const first = await bacnet.client.readProperty(dev, { type: AI, instance: 1 }, PV);
    const t = Number(first.values[0]?.value);
    expect(t).toBeGreaterThan(19.5);
    expect(t).toBeLessThan(26.5);
    expect((await bacnet.client.readProperty(dev, { type: BO, instance: 1 }, 77)).values[0]?.value).toBe(
      "Cooling Cmd",
    );
    expect((await bacnet.client.readProperty(dev, { type: AV, instance: 1 }, PV)).values[0]?.value).toBe(24);
  });

  it("reads objectList whole and by index (0 = length)", async () => {
    const dev = bacnet.at(BIND);
    const whole = await bacnet.client.readProperty(dev, { type: DEVICE, instance: 1001 }, 76);
    expect(whole.values.map((v) => v.value)).toEqual([
      { type: DEVICE, instance: 1001 },
      { type: AI, instance: 1 },
      { type: BO, instance: 1 },
      { type: AV, instance: 1 },
    ]);
    const length = await bacnet.client.readProperty(dev, { type: DEVICE, instance: 1001 }, 76, {
      arrayIndex: 0,
    });
    expect(length.values[0]?.value).toBe(4);
    const second = await bacnet.client.readProperty(dev, { type: DEVICE, instance: 1001 }, 76, {
      arrayIndex: 2,
    });
    expect(second.values[0]?.value).toEqual({ type: AI, instance: 1 });
    await expect(
      bacnet.client.readProperty(dev, { type: DEVICE, instance: 1001 }, 76, { arrayIndex: 9 }),
    ).rejects.toThrow(/Class:2 - Code:42/); // invalid-array-index
  });

  it("serves ReadPropertyMultiple with ALL, REQUIRED and OPTIONAL", async () => {
    const dev = bacnet.at(BIND);
    const all = await bacnet.client.readPropertyMultiple(dev, [
      { objectId: { type: DEVICE, instance: 1001 }, properties: [{ id: 8, index: ALL }] },
      { objectId: { type: BO, instance: 1 }, properties: [{ id: 8, index: ALL }] },
    ]);
    const deviceProps = all.values[0]?.values.map((v) => v.id) ?? [];
    for (const required of [
      75, 77, 79, 112, 121, 120, 70, 44, 12, 98, 139, 97, 96, 76, 62, 107, 11, 73, 155,
    ]) {
      expect(deviceProps).toContain(required);
    }
    const bo = new Map(all.values[1]?.values.map((v) => [v.id, v.value]) ?? []);
    expect(bo.get(77)?.[0]?.value).toBe("Cooling Cmd");
    expect(bo.get(PRIORITY_ARRAY)).toHaveLength(16);
    expect(bo.get(104)?.[0]?.value).toBe(0); // relinquishDefault inactive

    const required = await bacnet.client.readPropertyMultiple(dev, [
      { objectId: { type: AI, instance: 1 }, properties: [{ id: 105, index: ALL }] },
    ]);
    const requiredIds = required.values[0]?.values.map((v) => v.id) ?? [];
    expect(requiredIds).toEqual(expect.arrayContaining([75, 77, 79, 85, 111, 36, 81, 117]));
    expect(requiredIds).not.toContain(28);
    const optional = await bacnet.client.readPropertyMultiple(dev, [
      { objectId: { type: AI, instance: 1 }, properties: [{ id: 80, index: ALL }] },
    ]);
    expect(optional.values[0]?.values.map((v) => v.id)).toEqual(expect.arrayContaining([28, 103]));
  });

  it("puts errors for unknown objects and properties inline in RPM", async () => {
    const result = await bacnet.client.readPropertyMultiple(bacnet.at(BIND), [
      { objectId: { type: AI, instance: 99 }, properties: [{ id: PV, index: ALL }] },
      { objectId: { type: AI, instance: 1 }, properties: [{ id: 4242 as PropertyIdentifier, index: ALL }] },
    ]);
    const unknownObject = result.values[0]?.values[0]?.value[0]?.value as {
      errorClass: number;
      errorCode: number;
    };
    expect(unknownObject).toMatchObject({ errorClass: 1, errorCode: 31 });
    const unknownProperty = result.values[1]?.values[0]?.value[0]?.value as {
      errorClass: number;
      errorCode: number;
    };
    expect(unknownProperty).toMatchObject({ errorClass: 2, errorCode: 32 });
  });

  it("commands at priorities 8 and 16 and relinquishes back to the default", async () => {
    const dev = bacnet.at(BIND);
    const bo = { type: BO, instance: 1 };
    const pv = async () => (await bacnet.client.readProperty(dev, bo, PV)).values[0]?.value;
    const slot = async (p: number) =>
      (await bacnet.client.readProperty(dev, bo, PRIORITY_ARRAY, { arrayIndex: p })).values[0];

    await bacnet.client.writeProperty(dev, bo, PV, [{ type: 9, value: 1 }], { priority: 16 });
    expect(await pv()).toBe(1);
    await bacnet.client.writeProperty(dev, bo, PV, [{ type: 9, value: 0 }], { priority: 8 });
    expect(await pv()).toBe(0);
    expect(await slot(8)).toMatchObject({ type: 9, value: 0 });
    expect(await slot(16)).toMatchObject({ type: 9, value: 1 });

    await bacnet.client.writeProperty(dev, bo, PV, [{ type: 0, value: null }], { priority: 8 });
    expect(await slot(8)).toMatchObject({ type: 0 });
    expect(await pv()).toBe(1); // priority 16 takes over
    await bacnet.client.writeProperty(dev, bo, PV, [{ type: 0, value: null }], { priority: 16 });
    expect(await pv()).toBe(0); // relinquish default
    const ccp = await bacnet.client.readProperty(dev, bo, 431);
    expect(ccp.values[0]?.type).toBe(0); // currentCommandPriority NULL
  });

  it("commands the setpoint AV and rejects wrong datatypes and read-only properties", async () => {
    const dev = bacnet.at(BIND);
    const av = { type: AV, instance: 1 };
    await bacnet.client.writeProperty(dev, av, PV, [{ type: 4, value: 21.5 }], { priority: 8 });
    expect((await bacnet.client.readProperty(dev, av, PV)).values[0]?.value).toBe(21.5);
    await bacnet.client.writeProperty(dev, av, PV, [{ type: 0, value: null }], { priority: 8 });
    expect((await bacnet.client.readProperty(dev, av, PV)).values[0]?.value).toBe(24);

    await expect(
      bacnet.client.writeProperty(dev, av, PV, [{ type: 7, value: "warm" }], { priority: 8 }),
    ).rejects.toThrow(/Class:2 - Code:9/); // invalid-data-type
    await expect(
      bacnet.client.writeProperty(dev, { type: AI, instance: 1 }, PV, [{ type: 4, value: 3 }], {
        priority: 8,
      }),
    ).rejects.toThrow(/Class:2 - Code:40/); // write-access-denied (input not out of service)
    await expect(
      bacnet.client.writeProperty(dev, { type: DEVICE, instance: 1001 }, 77, [{ type: 7, value: "x" }], {
        priority: 16,
      }),
    ).rejects.toThrow(/Class:2 - Code:40/);
    await expect(
      bacnet.client.writeProperty(dev, av, PV, [{ type: 4, value: 99 }], { priority: 8 }),
    ).rejects.toThrow(/Class:2 - Code:37/); // value-out-of-range (max 35)
  });

  it("answers unknown objects and properties with the standard error codes", async () => {
    const dev = bacnet.at(BIND);
    await expect(bacnet.client.readProperty(dev, { type: AI, instance: 7 }, PV)).rejects.toThrow(
      /Class:1 - Code:31/,
    );
    await expect(bacnet.client.readProperty(dev, { type: AI, instance: 1 }, 4242)).rejects.toThrow(
      /Class:2 - Code:32/,
    );
    await expect(
      bacnet.client.readProperty(dev, { type: AI, instance: 1 }, PV, { arrayIndex: 1 }),
    ).rejects.toThrow(/Class:2 - Code:50/); // property-is-not-an-array
  });

  it("sends COV notifications, honours covIncrement and stops after cancellation", async () => {
    const dev = bacnet.at(BIND);
    const seen: number[] = [];
    const onCov = (content: {
      payload: {
        subscriberProcessId: number;
        values: Array<{ property: { id: number }; value: Array<{ value: unknown }> }>;
      };
    }) => {
      if (content.payload.subscriberProcessId !== 42) return;
      const pv = content.payload.values.find((v) => v.property.id === PV);
      if (pv) seen.push(Number(pv.value[0]?.value));
    };
    bacnet.client.on("covNotifyUnconfirmed", onCov);
    await bacnet.client.subscribeCov(dev, { type: AI, instance: 1 }, 42, false, false, 120);
    await new Promise((r) => setTimeout(r, 1000));
    // Near the top of the sine the drift alone may stay under covIncrement for seconds, so move the
    // value for sure with an operator override, then release it.
    await sim.api("/api/devices/1001/objects/analogInput/1/override", { value: 30 });
    await new Promise((r) => setTimeout(r, 500));
    await sim.api("/api/devices/1001/objects/analogInput/1/override", { value: null });
    await new Promise((r) => setTimeout(r, 1500));
    expect(seen.length).toBeGreaterThanOrEqual(3); // initial, the override, the release
    expect(seen).toContain(30);
    // Values travel as float32 REALs: two rounded values around 20-30 can differ by up to a few ulps
    // (about 2e-6 each) less than the change the device measured in double precision.
    for (let i = 1; i < seen.length; i++) {
      expect(Math.abs((seen[i] ?? 0) - (seen[i - 1] ?? 0))).toBeGreaterThanOrEqual(0.1 - 1e-5);
    }
    const health = await sim.api<{ devices: Array<{ covSubscriptions: number }> }>("/api/devices");
    expect(health.devices[0]?.covSubscriptions).toBe(1);
    const active = await bacnet.client.readProperty(dev, { type: DEVICE, instance: 1001 }, 152);
    expect(active.values).toHaveLength(1);
    expect(active.values[0]?.value).toMatchObject({
      recipient: { network: 0, address: [127, 0, 0, 1, CLIENT_PORT >> 8, CLIENT_PORT & 0xff] },
      subscriptionProcessId: 42,
      monitoredObjectId: { type: AI, instance: 1 },
      issueConfirmedNotifications: false,
    });

    await bacnet.client.subscribeCov(dev, { type: AI, instance: 1 }, 42, true, false, 0);
    await new Promise((r) => setTimeout(r, 300));
    const count = seen.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(seen.length).toBe(count);
    bacnet.client.off("covNotifyUnconfirmed", onCov);
  });

  it("sends confirmed COV notifications for a commandable output", async () => {
    const dev = bacnet.at(BIND);
    const values: unknown[] = [];
    const onCov = (content: {
      payload: {
        subscriberProcessId: number;
        values: Array<{ property: { id: number }; value: Array<{ value: unknown }> }>;
      };
      header?: { sender?: { address?: string } };
      invokeId?: number;
      service?: number;
    }) => {
      if (content.payload.subscriberProcessId !== 43) return;
      values.push(content.payload.values.find((v) => v.property.id === PV)?.value[0]?.value);
      const sender = content.header?.sender;
      if (sender && content.invokeId !== undefined && content.service !== undefined) {
        bacnet.client.simpleAckResponse(sender, content.service, content.invokeId);
      }
    };
    bacnet.client.on("covNotify", onCov);
    await bacnet.client.subscribeCov(dev, { type: BO, instance: 1 }, 43, false, true, 60);
    await new Promise((r) => setTimeout(r, 300));
    await bacnet.client.writeProperty(dev, { type: BO, instance: 1 }, PV, [{ type: 9, value: 1 }], {
      priority: 12,
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(values).toEqual([0, 1]);
    await bacnet.client.writeProperty(dev, { type: BO, instance: 1 }, PV, [{ type: 0, value: null }], {
      priority: 12,
    });
    await bacnet.client.subscribeCov(dev, { type: BO, instance: 1 }, 43, true, false, 0);
    bacnet.client.off("covNotify", onCov);
  });

  it("holds an input at an operator override from REST, reported out of service", async () => {
    const dev = bacnet.at(BIND);
    const body = await sim.api<{ presentValue: number; outOfService: boolean }>(
      "/api/devices/1001/objects/analogInput/1/override",
      { value: 30 },
    );
    expect(body).toMatchObject({ presentValue: 30, outOfService: true });
    await new Promise((r) => setTimeout(r, 600));
    expect((await bacnet.client.readProperty(dev, { type: AI, instance: 1 }, PV)).values[0]?.value).toBe(30);
    expect((await bacnet.client.readProperty(dev, { type: AI, instance: 1 }, 81)).values[0]?.value).toBe(
      true,
    );
    await sim.api("/api/devices/1001/objects/analogInput/1/override", { value: null });
    const after = Number(
      (await bacnet.client.readProperty(dev, { type: AI, instance: 1 }, PV)).values[0]?.value,
    );
    expect(after).toBeLessThan(27);
  });
});

describe("web UI", () => {
  it("serves the page with the device list, its script and styles", async () => {
    const page = await fetch(`${sim.webUrl}/`);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    expect(html).toContain('data-id="1001"');
    expect(html).toContain("Skeleton Controller");
    expect(html).toContain('<script src="/ui.js">');
    const script = await fetch(`${sim.webUrl}/ui.js`);
    expect(script.headers.get("content-type")).toContain("javascript");
    expect(await script.text()).toContain("/api/devices");
    expect((await fetch(`${sim.webUrl}/ui.css`)).status).toBe(200);
  });
});
