/**
 * Sparkplug B 3.0 topic namespace: `spBv1.0/<group>/<type>/<edge node>[/<device>]` for edge nodes and
 * `spBv1.0/STATE/<host id>` for a primary host application. One parse and one format, used by the
 * supervisor (publisher) and the fleet service (consumer).
 */
export const NAMESPACE = "spBv1.0";

export const NODE_TYPES = ["NBIRTH", "NDEATH", "NDATA", "NCMD"] as const;
export const DEVICE_TYPES = ["DBIRTH", "DDEATH", "DDATA", "DCMD"] as const;
export type NodeMessageType = (typeof NODE_TYPES)[number];
export type DeviceMessageType = (typeof DEVICE_TYPES)[number];
export type MessageType = NodeMessageType | DeviceMessageType;

export type SparkplugTopic =
  | { kind: "node"; group: string; type: NodeMessageType; node: string }
  | { kind: "device"; group: string; type: DeviceMessageType; node: string; device: string }
  | { kind: "state"; host: string };

/** Group, edge node, device and host ids are single topic levels: no `/`, `+` or `#`, not empty. */
export function idProblem(id: string, what: string): string | undefined {
  if (id.length === 0) return `${what} is empty`;
  if (id.length > 200) return `${what} is longer than 200 characters`;
  if (/[/+#]/.test(id))
    return `${what} "${id}" must not contain "/", "+" or "#" (it is one MQTT topic level)`;
  return undefined;
}

/** Makes any text a valid id (for device ids derived from point refs, which may hold "/"). */
export function safeId(text: string): string {
  const cleaned = text.replace(/[/+#]/g, "_");
  return cleaned.length > 0 ? cleaned.slice(0, 200) : "_";
}

export function nodeTopic(group: string, type: NodeMessageType, node: string): string {
  return `${NAMESPACE}/${group}/${type}/${node}`;
}

export function deviceTopic(group: string, type: DeviceMessageType, node: string, device: string): string {
  return `${NAMESPACE}/${group}/${type}/${node}/${device}`;
}

export function stateTopic(host: string): string {
  return `${NAMESPACE}/STATE/${host}`;
}

export function parseTopic(topic: string): SparkplugTopic | undefined {
  const parts = topic.split("/");
  if (parts[0] !== NAMESPACE) return undefined;
  if (parts[1] === "STATE" && parts.length === 3 && parts[2]) return { kind: "state", host: parts[2] };
  const [, group, type, node, device] = parts;
  if (!group || !type || !node) return undefined;
  if (parts.length === 4 && (NODE_TYPES as readonly string[]).includes(type))
    return { kind: "node", group, type: type as NodeMessageType, node };
  if (parts.length === 5 && device && (DEVICE_TYPES as readonly string[]).includes(type))
    return { kind: "device", group, type: type as DeviceMessageType, node, device };
  return undefined;
}
