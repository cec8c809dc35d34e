import fp from "fastify-plugin";
import {
  BacnetService,
  type BacnetServiceOptions,
  type KnownDevice,
} from "../protocols/bacnet/bacnet-service";
import { formatDeviceAddress } from "../protocols/bacnet/device-address";
import { DiscoveryService } from "../protocols/bacnet/discovery";
import type { DeviceInfo } from "../protocols/bacnet/object-browser";

declare module "fastify" {
  interface FastifyInstance {
    bacnet: BacnetService;
    discovery: DiscoveryService;
  }
}

/** The BACnet/IP client, wired to the device cache in runtime.db. */
export const bacnetPlugin = fp<Omit<BacnetServiceOptions, "logger"> & { discoverOnStart: boolean }>(
  async (app, options) => {
    const { devices, events } = app.repos;
    const save = (device: KnownDevice, info?: DeviceInfo) =>
      devices.upsert({
        device_id: device.deviceId,
        address: formatDeviceAddress(device.address),
        vendor_id: device.vendorId,
        max_apdu: device.maxApdu,
        segmentation: device.segmentation,
        status: device.status,
        reason: device.reason ?? null,
        last_seen: device.lastSeen,
        ...(info ?? {}),
      });
    const bacnet = new BacnetService(
      { ...options, logger: { info: (m) => app.log.info(m), warn: (m) => app.log.warn(m) } },
      {
        // Every I-Am lands in the cache, also those answering the ranged Who-Is a flow's first read sends.
        onDeviceSeen: (device) => save(device),
        onDeviceStatus: (device) => {
          save(device);
          events.add(
            device.status === "online" ? "info" : "warn",
            "bacnet",
            `device ${device.deviceId} is ${device.status}${device.reason ? `: ${device.reason}` : ""}`,
          );
        },
        onWireEvent: (level, message, data) => events.add(level, "bacnet", message, data),
      },
    );
    // Pinned devices are listed from the start, at the address the configuration gives them.
    for (const device of bacnet.devices.values()) if (device.pinned) save(device);
    // Devices found in earlier runs are addressable at once, before any new Who-Is. Under the device cap,
    // those that ever answered (their name was read) come first, so a past I-Am flood cannot push them out.
    const rows = devices
      .raw()
      .sort(
        (a, b) =>
          Number(a.name === null) - Number(b.name === null) || (b.last_seen ?? 0) - (a.last_seen ?? 0),
      );
    for (const row of rows) {
      bacnet.remember({
        deviceId: row.device_id,
        address: row.address,
        maxApdu: row.max_apdu ?? 1476,
        segmentation: row.segmentation ?? 3,
        vendorId: row.vendor_id ?? 0,
      });
    }
    await bacnet.start();
    app.decorate("bacnet", bacnet);
    app.decorate("discovery", new DiscoveryService(bacnet, save));
    app.addHook("onClose", async () => bacnet.stop());
    // A supervisor that has just started knows its network a few seconds later without being asked:
    // the dashboard's device list and the Designer's browser are filled when someone first looks.
    app.addHook("onReady", async () => {
      if (options.discoverOnStart) void app.discovery.start({ timeoutMs: 3000 });
    });
  },
  { name: "bacnet", dependencies: ["storage"] },
);
