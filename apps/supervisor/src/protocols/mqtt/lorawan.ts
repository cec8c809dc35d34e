/**
 * The LoRaWAN uplink profile: ChirpStack v4's MQTT integration publishes each uplink as JSON on
 * `application/<application id>/device/<dev EUI>/event/up`, with the decoded sensor values under `object`,
 * the device's name under `deviceInfo` and the network's receive time in `time`. A point is then
 * `mqtt:application/<id>/device/<eui>/event/up#object.temperature`.
 */
export const UPLINK_TOPIC = /^application\/([^/]+)\/device\/([0-9a-fA-F]{16})\/event\/up$/;

export function uplinkFilter(applicationId: string): string {
  return `application/${applicationId}/device/+/event/up`;
}

export function uplinkRef(applicationId: string, devEui: string, field: string): string {
  return `mqtt:application/${applicationId}/device/${devEui}/event/up#object.${field}`;
}

export interface Uplink {
  applicationId: string;
  devEui: string;
  deviceName?: string;
  /** The network server's receive time, ms since epoch, when present and parseable. */
  time?: number;
  /** The decoded payload's fields. */
  object: Record<string, unknown>;
}

/** The uplink in a parsed payload, or undefined when the topic or the JSON is not a ChirpStack uplink. */
export function readUplink(topic: string, document: unknown): Uplink | undefined {
  const m = UPLINK_TOPIC.exec(topic);
  if (!m || document === null || typeof document !== "object") return undefined;
  const doc = document as Record<string, unknown>;
  const object = doc.object;
  if (object === null || typeof object !== "object" || Array.isArray(object)) return undefined;
  const uplink: Uplink = {
    applicationId: m[1] ?? "",
    devEui: (m[2] ?? "").toLowerCase(),
    object: object as Record<string, unknown>,
  };
  const info = doc.deviceInfo as Record<string, unknown> | undefined;
  if (info && typeof info.deviceName === "string") uplink.deviceName = info.deviceName;
  if (typeof doc.time === "string") {
    const time = Date.parse(doc.time);
    if (Number.isFinite(time)) uplink.time = time;
  }
  return uplink;
}
