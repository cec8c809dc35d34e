import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BacnetClient, type Client } from "./helpers/bacnet-client";
import { type RunningSim, startSim } from "./helpers/sim-process";

const SIM_PORT = 47813;
const CLIENT_PORT = 48813;
const BIND = "127.0.3.2";
const DEVICES = 200;

let sim: RunningSim;
let client: Client;
let startupMs = 0;

beforeAll(async () => {
  const started = Date.now();
  sim = await startSim(["--devices", String(DEVICES), "--bind", BIND, "--port", String(SIM_PORT)], 60_000);
  startupMs = Date.now() - started;
  client = new BacnetClient({
    port: CLIENT_PORT,
    interface: "127.0.0.1",
    broadcastAddress: `127.255.255.255:${SIM_PORT}`,
    apduTimeout: 3000,
  });
  await new Promise<void>((resolve) => client.once("listening", () => resolve()));
}, 90_000);

afterAll(async () => {
  client?.close();
  await sim?.stop();
});

describe(`scale mode: ${DEVICES} devices x 50 points in one process`, () => {
  it("prints the ready line with the device count", () => {
    expect(sim.readyLine).toBe(`bms-sim ready ${DEVICES} devices`);
    console.info(`[scale] startup to ready: ${startupMs} ms`);
  });

  it("is discovered completely by one broadcast Who-Is", async () => {
    const found = new Map<number, string>();
    let lastAt = 0;
    const started = Date.now();
    client.on(
      "iAm",
      (content: { payload: { deviceId: number }; header?: { sender?: { address?: string } } }) => {
        found.set(content.payload.deviceId, content.header?.sender?.address ?? "");
        lastAt = Date.now();
      },
    );
    client.whoIs();
    const deadline = Date.now() + 10_000;
    while (found.size < DEVICES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const elapsed = lastAt - started;
    const health = await sim.api<{ rss_mb: number }>("/api/health");
    console.info(`[scale] ${found.size}/${DEVICES} I-Am in ${elapsed} ms; simulator RSS ${health.rss_mb} MB`);
    expect(found.size).toBe(DEVICES);
    expect(found.get(10001)).toBe(`${BIND}:${SIM_PORT}`);
    expect(found.get(10200)).toBe(`127.0.3.201:${SIM_PORT}`);
    expect(health.rss_mb).toBeLessThan(400);
  });

  it("serves 50 points per device, readable with RPM on the last device", async () => {
    const last = { address: `127.0.3.201:${SIM_PORT}` };
    const length = await client.readProperty(last, { type: 8, instance: 10200 }, 76, { arrayIndex: 0 });
    expect(length.values[0]?.value).toBe(51);
    const result = await client.readPropertyMultiple(last, [
      { objectId: { type: 0, instance: 10 }, properties: [{ id: 85, index: 0xffffffff }] },
      { objectId: { type: 2, instance: 10 }, properties: [{ id: 85, index: 0xffffffff }] },
    ]);
    expect(typeof result.values[0]?.values[0]?.value[0]?.value).toBe("number");
    expect(result.values[1]?.values[0]?.value[0]?.value).toBe(22);
    const list = await sim.api<{ total: number; devices: unknown[] }>("/api/devices?offset=190&limit=25");
    expect(list.total).toBe(DEVICES);
    expect(list.devices).toHaveLength(10);
  });
});
