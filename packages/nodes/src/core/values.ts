import type { Quality } from "@bms/schemas";
import type { NodeValue, Payload } from "./types";

const QUALITY_RANK: Record<Quality, number> = { good: 0, uncertain: 1, bad: 2 };

export function good(value: Payload, timestamp: number): NodeValue {
  return { value, quality: "good", timestamp };
}

export function bad(reason: string, timestamp: number, value: Payload = null): NodeValue {
  return { value, quality: "bad", timestamp, reason };
}

export function worstQuality(values: readonly (NodeValue | undefined)[]): Quality {
  let worst: Quality = "good";
  for (const v of values) {
    if (v && QUALITY_RANK[v.quality] > QUALITY_RANK[worst]) worst = v.quality;
  }
  return worst;
}

/** A derived value: its quality is the worst of the inputs it came from, with the first reason found. */
export function derive(
  value: Payload,
  from: readonly (NodeValue | undefined)[],
  timestamp: number,
): NodeValue {
  const quality = worstQuality(from);
  if (quality === "good") return { value, quality, timestamp };
  const reason = from.find((v) => v && v.quality !== "good" && v.reason)?.reason;
  return reason ? { value, quality, timestamp, reason } : { value, quality, timestamp };
}

/** A finite number, or undefined: NaN, Infinity, null and non-numbers all count as missing. */
export function asNumber(v: NodeValue | undefined): number | undefined {
  if (!v) return undefined;
  const x = v.value;
  if (typeof x === "number") return Number.isFinite(x) ? x : undefined;
  if (typeof x === "boolean") return x ? 1 : 0;
  return undefined;
}

/** BACnet binaries arrive as 0/1 or active/inactive; both mean a boolean here. */
export function asBoolean(v: NodeValue | undefined): boolean | undefined {
  if (!v) return undefined;
  const x = v.value;
  if (typeof x === "boolean") return x;
  if (typeof x === "number") return Number.isFinite(x) ? x !== 0 : undefined;
  if (typeof x === "string") {
    const s = x.toLowerCase();
    if (s === "active" || s === "true" || s === "on") return true;
    if (s === "inactive" || s === "false" || s === "off") return false;
  }
  return undefined;
}

export function isUsable(v: NodeValue | undefined): v is NodeValue {
  return v !== undefined && v.quality !== "bad";
}

/**
 * The list value a `multiple` port presents: the items' values in connection order, the worst quality,
 * the newest timestamp and the first reason found.
 */
export function combineItems(items: readonly NodeValue[]): NodeValue {
  const values: Payload[] = new Array(items.length);
  let timestamp = 0;
  let reason: string | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    values[i] = item.value;
    if (item.timestamp > timestamp) timestamp = item.timestamp;
    if (reason === undefined && item.quality !== "good" && item.reason) reason = item.reason;
  }
  const combined: NodeValue = { value: values, quality: worstQuality(items), timestamp };
  if (reason !== undefined) combined.reason = reason;
  return combined;
}
