import { type PointRef, parsePointRef, pointRefScheme } from "@bms/schemas";

/**
 * The device a point lives on, as a commissioning report groups points: the BACnet device instance, the
 * Modbus host and unit, the HTTP endpoint, the MQTT broker (one per plugin) or a plugin's scheme. Used
 * by the device communication check and the performance baseline so both name devices the same way.
 */
export function deviceOf(ref: string): string {
  const parsed = parsePointRef(ref);
  if (!parsed.ok) return "unknown";
  return deviceKey(parsed.ref);
}

function deviceKey(ref: PointRef): string {
  switch (ref.protocol) {
    case "bacnet":
      return `bacnet:${ref.device}`;
    case "modbus":
      return `modbus:${ref.host}${ref.port ? `:${ref.port}` : ""}/unit ${ref.unit}`;
    case "mqtt":
      return "mqtt";
    case "http":
      return `http:${ref.endpoint}`;
    default:
      return pointRefScheme(ref);
  }
}

/** Groups refs by device, devices and refs in first-seen order. */
export function byDevice(refs: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const ref of refs) {
    const key = deviceOf(ref);
    const list = groups.get(key) ?? [];
    list.push(ref);
    groups.set(key, list);
  }
  return groups;
}
