import { afterEach, describe, expect, it } from "vitest";
import { type FakeDevice, startFakeDevice } from "../../../test/fake-device";
import { BacnetService } from "./bacnet-service";
import { formatDeviceAddress } from "./device-address";
import { readObjectList } from "./object-browser";

/**
 * How the supervisor's device registry treats I-Ams: caps, pins, and address changes that must be
 * confirmed. Real UDP on 127.0.0.1 with ports the kernel picks (outside the captured BACnet range).
 */
interface Started {
  service: BacnetService;
  address: string;
  events: { level: string; message: string; data?: Record<string, unknown> }[];
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function startService(
  options: { maxDevices?: number; pins?: Map<number, { address: string }> } = {},
): Promise<Started> {
  const events: Started["events"] = [];
  const service = new BacnetService(
    {
      bindAddress: "127.0.0.1",
      port: 0,
      broadcast: "127.255.255.255:47999",
      requestTimeoutMs: 300,
      retries: 0,
      perDeviceConcurrency: 2,
      maxInFlight: 20,
      offlineAfterFailures: 2,
      limits: { maxDevices: options.maxDevices ?? 100, maxListLength: 1000 },
      ...(options.pins ? { pins: options.pins } : {}),
    },
    { onWireEvent: (level, message, data) => events.push({ level, message, ...(data ? { data } : {}) }) },
  );
  await service.start();
  cleanups.push(() => service.stop());
  const port = (
    service as unknown as { transport: { socket: { address(): { port: number } } } }
  ).transport.socket.address().port;
  return { service, address: `127.0.0.1:${port}`, events };
}

async function device(instance: number): Promise<FakeDevice> {
  const d = await startFakeDevice({ instance, bind: "127.0.0.1", port: 0 });
  cleanups.push(() => d.close());
  return d;
}

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("devices created by I-Am", () => {
  it("stop at the device cap, with the refusals counted", async () => {
    const { service, address, events } = await startService({ maxDevices: 50 });
    const flooder = await device(1);
    for (let instance = 1; instance <= 500; instance++) {
      flooder.announce(address, instance);
      // Paced, so the kernel's socket buffer, not the code under test, is never what drops them.
      if (instance % 50 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await until(() => service.devices.size + service.wire.iam_over_cap >= 500);
    expect(service.devices.size).toBe(50);
    expect(service.wire.iam_over_cap).toBe(450);
    expect(events.filter((e) => e.message.includes("device cap (50)"))).toHaveLength(450);
  });

  it("never include an I-Am with a wildcard instance", async () => {
    const { service, address } = await startService();
    const sender = await device(1);
    sender.announce(address, 4_194_303);
    await until(() => service.wire.iam_invalid === 1);
    expect(service.devices.size).toBe(0);
  });
});

describe("a known device that announces itself from a new address", () => {
  it("keeps its address when nothing answers as that device at the new one", async () => {
    const { service, address, events } = await startService();
    const real = await device(1001);
    real.announce(address);
    await until(() => service.devices.has(1001));
    const forger = await device(4242); // answers, but as another device
    forger.announce(address, 1001);
    await until(() => service.wire.address_claims_refused === 1);
    expect(formatDeviceAddress(service.devices.get(1001)!.address)).toBe(real.address);
    const refused = events.find(
      (e) => e.message === `device 1001: the new address ${forger.address} was not adopted`,
    );
    expect(refused?.data).toMatchObject({ known: real.address, claimed: forger.address });
  });

  it("keeps its address while it still answers there (a second device with the same instance)", async () => {
    const { service, address } = await startService();
    const real = await device(1001);
    real.announce(address);
    await until(() => service.devices.has(1001));
    const twin = await device(1001);
    twin.announce(address);
    await until(() => service.wire.address_claims_refused === 1);
    expect(formatDeviceAddress(service.devices.get(1001)!.address)).toBe(real.address);
  });

  it("moves when the device answers at the new address and no longer at the old one", async () => {
    const { service, address, events } = await startService();
    const before = await device(1001);
    before.announce(address);
    await until(() => service.devices.has(1001));
    before.close();
    const after = await device(1001);
    after.announce(address);
    await until(() => service.wire.address_changes === 1);
    expect(formatDeviceAddress(service.devices.get(1001)!.address)).toBe(after.address);
    expect(events.map((e) => e.message)).toContain(
      `device 1001 moved from ${before.address} to ${after.address} (confirmed by reading it there)`,
    );
  });

  it("never moves when pinned", async () => {
    const real = await device(1001);
    const { service, address, events } = await startService({
      pins: new Map([[1001, { address: real.address }]]),
    });
    const other = await device(1001);
    other.announce(address);
    await until(() => service.wire.iam_pinned_ignored === 1);
    expect(service.wire.address_confirmations).toBe(0);
    expect(service.devices.get(1001)?.pinned).toBe(true);
    expect(formatDeviceAddress(service.devices.get(1001)!.address)).toBe(real.address);
    expect(events[0]?.data).toMatchObject({ pinned: real.address, from: other.address });
  });
});

describe("lengths a device reports", () => {
  it("an objectList of a billion entries is read up to the list cap, with an event", async () => {
    const { service, address, events } = await startService();
    const liar = await startFakeDevice({
      instance: 3003,
      bind: "127.0.0.1",
      port: 0,
      objectListLength: 1_000_000_000,
    });
    cleanups.push(() => liar.close());
    liar.announce(address);
    await until(() => service.devices.has(3003));
    const heapBefore = process.memoryUsage().heapUsed;
    const ids = await readObjectList(service, 3003);
    expect(ids).toHaveLength(1000); // the cap this service was started with
    expect(ids[999]).toEqual({ type: 0, instance: 1000 });
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(50 * 1_048_576);
    expect(service.wire.lists_over_cap).toBe(1);
    expect(events.find((e) => e.message.includes("more objects than the cap"))?.data).toMatchObject({
      device: 3003,
      reported: 1_000_000_000,
      cap: 1000,
    });
  });
});
