import bacnetModule from "@bacnet-js/client";
import { api, eventually, type SupervisorHandle, startSupervisor } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BACnetClient: typeof bacnetModule =
  (bacnetModule as unknown as { default?: typeof bacnetModule }).default ?? bacnetModule;

const SUP_PORT = 47857;
const DEVICE_BIND = "127.0.0.17";
const DEVICE_PORT = 47858;

/**
 * Most controllers answer Who-Is with a broadcast I-Am. A socket bound to one interface address does
 * not see datagrams sent to the subnet broadcast, so the supervisor must listen there too.
 */
describe("a device that announces itself by broadcast", () => {
  let sup: SupervisorHandle;
  let device: InstanceType<typeof BACnetClient>;

  beforeAll(async () => {
    sup = await startSupervisor({
      bacnetPort: SUP_PORT,
      broadcast: `127.255.255.255:${SUP_PORT}`,
    });
    device = new BACnetClient({
      port: DEVICE_PORT,
      interface: DEVICE_BIND,
      broadcastAddress: "127.255.255.255",
    });
    await new Promise<void>((resolve) => device.once("listening", () => resolve()));
  });

  afterAll(async () => {
    device?.close();
    await sup?.stop();
  });

  it("is added to the device cache from its broadcast I-Am", async () => {
    device.iAmResponse({ address: `127.255.255.255:${SUP_PORT}` }, 4242, 3, 999);
    const found = await eventually(async () => {
      const { body } = await api<{ devices: { device_id: number; address: string }[] }>(
        sup.url,
        "/api/devices",
      );
      return body.devices.find((d) => d.device_id === 4242);
    }, 5000);
    expect(found.address).toBe(`${DEVICE_BIND}:${DEVICE_PORT}`);
  });
});
