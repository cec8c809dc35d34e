/**
 * Where a device is reached: its B/IP address (`ip:port`), and for a device behind a BACnet router the
 * remote network number and MAC address (DNET/DADR). This is the library's receiver shape, so a routed
 * device needs no new type; routing itself (who-is-router, global Who-Is) is not implemented yet.
 */
export interface DeviceAddress {
  address: string;
  net?: number;
  adr?: number[];
}

export const BACNET_DEFAULT_PORT = 47808;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * `ip` or `ip:port` to the canonical `ip:port` (47808 when the port is left out); undefined when it is
 * not an IPv4 address with a port in 1..65535. Every address that reaches the registry passes here.
 */
export function normalizeIpPort(text: string): string | undefined {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(":");
  const host = colon < 0 ? trimmed : trimmed.slice(0, colon);
  const portText = colon < 0 ? String(BACNET_DEFAULT_PORT) : trimmed.slice(colon + 1);
  if (!IPV4.test(host) || !/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port < 1 || port > 65535) return undefined;
  return `${host}:${port}`;
}

/** A remote network number (1..65534; 65535 is the global broadcast) and a MAC of 1..7 bytes. */
function validRoute(net: unknown, adr: unknown): boolean {
  return (
    typeof net === "number" &&
    Number.isInteger(net) &&
    net >= 1 &&
    net <= 65534 &&
    Array.isArray(adr) &&
    adr.length >= 1 &&
    adr.length <= 7 &&
    adr.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)
  );
}

/** Builds a checked address from what the wire or the configuration says; undefined when invalid. */
export function toDeviceAddress(raw: {
  address?: unknown;
  net?: unknown;
  adr?: unknown;
}): DeviceAddress | undefined {
  if (typeof raw.address !== "string") return undefined;
  const address = normalizeIpPort(raw.address);
  if (!address) return undefined;
  if (raw.net === undefined && raw.adr === undefined) return { address };
  if (!validRoute(raw.net, raw.adr)) return undefined;
  return { address, net: raw.net as number, adr: [...(raw.adr as number[])] };
}

/** Same B/IP address and the same route (none, or the same DNET and DADR). */
export function sameAddress(a: DeviceAddress, b: DeviceAddress): boolean {
  if (a.address !== b.address) return false;
  if (a.net === undefined || b.net === undefined) return a.net === b.net;
  return a.net === b.net && sameBytes(a.adr ?? [], b.adr ?? []);
}

function sameBytes(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** `ip:port`, or `ip:port net N mac 0a:0b` for a routed device: the form stored and shown. */
export function formatDeviceAddress(a: DeviceAddress): string {
  if (a.net === undefined) return a.address;
  const mac = (a.adr ?? []).map((b) => b.toString(16).padStart(2, "0")).join(":");
  return `${a.address} net ${a.net} mac ${mac}`;
}

/** The inverse of formatDeviceAddress, for addresses read back from runtime.db. */
export function parseDeviceAddress(text: string): DeviceAddress | undefined {
  const routed = /^(\S+) net (\d+) mac ([0-9a-f]{2}(?::[0-9a-f]{2})*)$/.exec(text.trim());
  if (!routed) return toDeviceAddress({ address: text });
  return toDeviceAddress({
    address: routed[1],
    net: Number(routed[2]),
    adr: routed[3]!.split(":").map((h) => Number.parseInt(h, 16)),
  });
}

/**
 * `--bacnet-pin 1001=10.0.0.5:47808` (repeatable) or `BMS_BACNET_PINS="1001=10.0.0.5:47808,1002=…"`:
 * devices whose address is fixed by configuration. Returns every problem, not the first.
 */
export function parsePins(
  entries: readonly string[],
): { ok: true; pins: Map<number, DeviceAddress> } | { ok: false; problems: string[] } {
  const pins = new Map<number, DeviceAddress>();
  const problems: string[] = [];
  for (const raw of entries
    .flatMap((e) => e.split(","))
    .map((e) => e.trim())
    .filter(Boolean)) {
    const eq = raw.indexOf("=");
    const instanceText = eq < 0 ? "" : raw.slice(0, eq).trim();
    const address = eq < 0 ? undefined : toDeviceAddress({ address: raw.slice(eq + 1) });
    const instance = Number(instanceText);
    if (!/^\d+$/.test(instanceText) || !isDeviceInstance(instance)) {
      problems.push(`"${raw}": the device instance must be 0..4194302 (form <instance>=<ip:port>)`);
    } else if (!address) {
      problems.push(
        `"${raw}": the address must be an IPv4 address with an optional port (form <instance>=<ip:port>)`,
      );
    } else if (pins.has(instance) && !sameAddress(pins.get(instance)!, address)) {
      problems.push(`"${raw}": device ${instance} is pinned twice, to different addresses`);
    } else {
      pins.set(instance, address);
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, pins };
}

/** A device instance a device may have: 4194303 is the wildcard, never a device's own number. */
export function isDeviceInstance(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 4_194_302;
}
