import bacnetModule, { type BACNetObjectID } from "@bacnet-js/client";

const BACnetClient: typeof bacnetModule =
  (bacnetModule as unknown as { default?: typeof bacnetModule }).default ?? bacnetModule;

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
    async read(
      address: string | { address: string; net: number; adr: number[] },
      type: number,
      instance: number,
      property: number,
      arrayIndex?: number,
    ) {
      const result = await client.readProperty(
        typeof address === "string" ? { address } : address,
        { type, instance } as BACNetObjectID,
        property,
        arrayIndex === undefined ? {} : { arrayIndex },
      );
      return result.values.map((v) => v.value);
    },
    close: () => client.close(),
  };
}
