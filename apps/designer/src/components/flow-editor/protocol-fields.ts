import { parsePointRef, pointRefScheme } from "@bms/schemas";

/**
 * Point nodes' options that only one protocol reads: the BACnet priority, MQTT's QoS and retain. The
 * inspector shows them only when the node's point is of that protocol, so a Modbus write shows no
 * priority it would ignore. A field not listed here shows for every protocol.
 */
const PROTOCOL_FIELDS: Record<string, Record<string, string>> = {
  actuator_write: { priority: "bacnet", qos: "mqtt", retain: "mqtt" },
};

/** Whether `key` of a `type` node applies to its `point`; an unparsed point shows every option. */
export function fieldAppliesToPoint(type: string, key: string, point: unknown): boolean {
  const protocol = PROTOCOL_FIELDS[type]?.[key];
  if (!protocol || typeof point !== "string" || point === "") return true;
  const actual = protocolOf(point);
  return actual === undefined || actual === protocol;
}

function protocolOf(point: string): string | undefined {
  const parsed = parsePointRef(point);
  return parsed.ok ? pointRefScheme(parsed.ref) : undefined;
}
