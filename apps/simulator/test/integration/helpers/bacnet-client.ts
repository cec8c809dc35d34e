import * as lib from "@bacnet-js/client";

type ClientClass = typeof lib.default;
export type Client = InstanceType<ClientClass>;

// The package is CommonJS with an ES-style `default`; depending on the loader the default import is
// either the class or the module namespace. Resolve it once here.
const loaded = lib as unknown as { default: ClientClass | { default: ClientClass } };
export const BacnetClient: ClientClass =
  typeof loaded.default === "function" ? loaded.default : loaded.default.default;

export interface TestClient {
  client: Client;
  /** Unicast receiver address of a device on the simulator's port. */
  at(address: string): { address: string };
  whoIs(options?: { lowLimit?: number; highLimit?: number }, waitMs?: number): Promise<IAm[]>;
  close(): void;
}

export interface IAm {
  deviceId: number;
  address: string;
  maxApdu: number;
  segmentation: number;
  vendorId: number;
}

/**
 * A standard client the way the supervisor runs it on loopback: bound to 127.0.0.1:<clientPort>,
 * broadcasting to 127.255.255.255:<simPort> (the port goes into broadcastAddress, or the library
 * would broadcast to 47808).
 */
export async function createClient(
  clientPort: number,
  simPort: number,
  apduTimeout = 2000,
): Promise<TestClient> {
  const client = new BacnetClient({
    port: clientPort,
    interface: "127.0.0.1",
    broadcastAddress: `127.255.255.255:${simPort}`,
    apduTimeout,
  });
  await new Promise<void>((resolve) => client.once("listening", () => resolve()));
  client.on("error", () => {});
  return {
    client,
    at: (address: string) => ({ address: `${address}:${simPort}` }),
    async whoIs(options, waitMs = 1500) {
      const found = new Map<number, IAm>();
      const onIAm = (content: {
        payload: Omit<IAm, "address">;
        header?: { sender?: { address?: string } };
      }) =>
        found.set(content.payload.deviceId, {
          ...content.payload,
          address: content.header?.sender?.address ?? "",
        });
      client.on("iAm", onIAm);
      // Global (DNET 0xFFFF), as a supervisor sends it: routers pass it on, so devices behind them
      // (the demo's VAV boxes on network 2001) answer too; a local broadcast would not reach them.
      client.whoIs({ net: 0xffff } as never, options ?? {});
      await new Promise((r) => setTimeout(r, waitMs));
      client.off("iAm", onIAm);
      return [...found.values()].sort((a, b) => a.deviceId - b.deviceId);
    },
    close: () => client.close(),
  };
}
