// zod/mini: the supervisor dashboard's browser bundle uses this module, and classic Zod is ~450 KB of it.
import * as z from "zod/mini";

/**
 * Where a BACnet device answers from, as the supervisor's device listings and Who-Has answers give it:
 * its B/IP address, and for a device behind a router the network number and MAC address on that network
 * (both null on the supervisor's own network).
 */
export const BacnetRouteSchema = z.object({
  address: z.string(),
  network: z.nullable(z.int()),
  mac: z.nullable(z.array(z.int().check(z.minimum(0), z.maximum(255)))),
});
export type BacnetRoute = z.infer<typeof BacnetRouteSchema>;

/**
 * A route as an integrator reads it: `ip:port`, or `ip:port → net N, MAC 0a:1b` behind a router (the
 * supervisor's address text for a routed device, `ip:port net N mac 0a:1b`, is cut to its B/IP part).
 */
export function routeText(device: {
  address?: string | null;
  network?: number | null;
  mac?: readonly number[] | null;
}): string {
  const ip = (device.address ?? "").split(" ")[0] ?? "";
  if (device.network === null || device.network === undefined) return ip;
  const mac = (device.mac ?? []).map((b) => b.toString(16).padStart(2, "0")).join(":");
  return `${ip} → net ${device.network}, MAC ${mac}`;
}
