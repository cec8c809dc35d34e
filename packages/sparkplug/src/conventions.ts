import type { Quality } from "@bms/schemas";

/**
 * How BMS facts map onto Sparkplug metrics, shared by the publisher and the historian so both read
 * them one way. Property names follow what Ignition's Sparkplug modules use (`Quality` as an OPC DA
 * code, `engUnit`), so a third-party host shows quality and units without configuration.
 */
export const QUALITY_CODE: Record<Quality, number> = { good: 192, uncertain: 64, bad: 0 };

export function qualityFromCode(code: unknown): Quality {
  if (typeof code !== "number") return "good";
  if (code >= 192) return "good";
  if (code >= 64) return "uncertain";
  return "bad";
}

export const PROPERTY = { quality: "Quality", units: "engUnit", priority: "Priority" } as const;

/** Node metrics: the birth/death sequence, the standard rebirth control, health, and alarm events. */
export const NODE_METRIC = {
  bdSeq: "bdSeq",
  rebirth: "Node Control/Rebirth",
  version: "Properties/Version",
  site: "Properties/Site",
  status: "Health/Status",
  uptime: "Health/Uptime s",
  configVersion: "Health/Config Version",
  devicesOnline: "Health/Devices Online",
  devicesOffline: "Health/Devices Offline",
  bufferQueued: "Health/Buffer Queued",
  bufferDropped: "Health/Buffer Dropped",
  alarmsActive: "Alarms/Active",
  /** One alarm transition as JSON (AlarmEvent below): a fixed, birthed metric, so new alarm keys need no rebirth. */
  alarmEvent: "Alarms/Event",
} as const;

export interface AlarmEvent {
  kind: "raised" | "cleared" | "acknowledged" | string;
  key: string;
  flow_id: string | null;
  node_id: string;
  priority: string;
  message: string;
  state: string;
  at: number;
}

/** The primary host's STATE message (Sparkplug 3.0: JSON, retained). */
export interface HostState {
  online: boolean;
  timestamp: number;
}

/**
 * The Sparkplug device a point belongs to: the protocol's device part of its canonical ref
 * (`bacnet:1001`, `modbus:10.0.0.5:1`), or `mqtt` for topic points. The metric name is the full ref.
 */
export function deviceIdForRef(ref: string): string {
  if (ref.startsWith("mqtt:")) return "mqtt";
  const slash = ref.indexOf("/");
  const device = slash > 0 ? ref.slice(0, slash) : ref;
  return device.replace(/[/+#]/g, "_").slice(0, 200) || "_";
}
