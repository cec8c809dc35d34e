import bacnetModule, { type BACNetObjectID } from "@bacnet-js/client";
import { destinationOctets } from "@bms/bacnet";

const BACnetClient: typeof bacnetModule =
  (bacnetModule as unknown as { default?: typeof bacnetModule }).default ?? bacnetModule;

/** A device as the probe reaches it: `ip:port`, or a routed device's router with DNET/DADR. */
export type ProbeTarget = string | { address: string; net: number; adr: number[] };

/** The probe's target for a device as GET /api/devices lists it (its route in `network`/`mac`). */
export function targetOf(device: {
  address: string;
  network?: number | null;
  mac?: number[] | null;
}): ProbeTarget {
  const ip = device.address.split(" ")[0] ?? device.address;
  if (device.network === null || device.network === undefined) return ip;
  return { address: ip, net: device.network, adr: [...(device.mac ?? [])] };
}

/** The library's receiver for a target. */
export function receiverOf(target: ProbeTarget): { address: string; net?: number; adr?: number[] } {
  return typeof target === "string" ? { address: target } : target;
}

/**
 * An independent BACnet client for assertions: tests check what the device itself says, not what the
 * supervisor believes it wrote.
 */
export async function openProbe(bindAddress: string, port: number) {
  const client = new BACnetClient({
    port,
    interface: bindAddress,
    broadcastAddress: "127.255.255.255",
    apduTimeout: 2000,
  });
  await new Promise<void>((resolve) => client.once("listening", () => resolve()));
  return {
    client,
    /** `address` is `ip:port`, or a routed device's `{address: router, net, adr}`. */
    async read(address: ProbeTarget, type: number, instance: number, property: number, arrayIndex?: number) {
      const result = await client.readProperty(
        receiverOf(address),
        { type, instance } as BACNetObjectID,
        property,
        arrayIndex === undefined ? {} : { arrayIndex },
      );
      return result.values.map((v) => v.value);
    },
    /**
     * Adds the probe as a recipient of Notification Class `instance` on the device at `address`
     * (AddListElement to its Recipient_List): every transition, unconfirmed, all day on the given days
     * (every day unless told), with the probe's `processId`, as another workstation would.
     */
    async joinRecipientList(
      address: string,
      instance: number,
      entry: { processId: number; validDays?: boolean[] },
    ): Promise<void> {
      const destination = destinationOctets([
        {
          validDays: entry.validDays ?? [true, true, true, true, true, true, true],
          fromMs: 0,
          toMs: 86_399_990,
          address: { ip: bindAddress, port, net: 0 },
          processId: entry.processId,
          confirmed: false,
          transitions: [true, true, true],
        },
      ]);
      const NOTIFICATION_CLASS = 15;
      const RECIPIENT_LIST = 102;
      await client.addListElement(
        { address },
        { type: NOTIFICATION_CLASS, instance } as BACNetObjectID,
        { id: RECIPIENT_LIST, index: 0xffffffff },
        [{ encoded: destination } as never],
      );
    },
    close: () => client.close(),
  };
}
