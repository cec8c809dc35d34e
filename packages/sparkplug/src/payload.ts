import sparkplug from "sparkplug-payload";
import type { UMetric, UPayload } from "sparkplug-payload/lib/sparkplugbpayload";

export type { UMetric, UPayload };
export type Metric = UMetric;

const codec = sparkplug.get("spBv1.0");
if (!codec) throw new Error("sparkplug-payload has no spBv1.0 codec");
const spb = codec;

export function encodePayload(payload: UPayload): Uint8Array {
  return spb.encodePayload(payload);
}

/** Int64 fields decode as Long objects; everything we store is a JS number (ms timestamps, seq, aliases). */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (value && typeof value === "object" && "toNumber" in value && typeof value.toNumber === "function")
    return Number(value.toNumber());
  return undefined;
}

export interface DecodedMetric {
  name: string | undefined;
  alias: number | undefined;
  timestamp: number | undefined;
  type: string;
  value: number | boolean | string | null;
  isHistorical: boolean;
  isNull: boolean;
  properties: Record<string, number | boolean | string | null>;
}

export interface DecodedPayload {
  timestamp: number | undefined;
  seq: number | undefined;
  metrics: DecodedMetric[];
}

function scalar(value: unknown): number | boolean | string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "string") return value;
  const n = toNumber(value);
  if (n !== undefined) return n;
  // Data sets, templates and bytes carry nothing a BMS point holds: kept out rather than guessed at.
  return null;
}

/**
 * U+0000 in a name or a text: no BMS point has one, PostgreSQL text cannot hold one (a historian batch
 * holding it fails whole), and C-string consumers truncate at it. A payload with one is refused.
 */
function hasNul(value: unknown): boolean {
  return typeof value === "string" && value.includes("\u0000");
}

/**
 * Decodes bytes from the network. Never throws: a malformed payload is a `{ok: false}` value that
 * the caller counts and logs, so one bad publisher cannot stop a consumer.
 */
export function decodePayload(
  bytes: Uint8Array,
): { ok: true; payload: DecodedPayload } | { ok: false; message: string } {
  let raw: UPayload;
  try {
    raw = spb.decodePayload(bytes);
  } catch (error) {
    return { ok: false, message: `not a Sparkplug B payload: ${(error as Error).message}` };
  }
  const metrics: DecodedMetric[] = [];
  for (const m of raw.metrics ?? []) {
    const properties: Record<string, number | boolean | string | null> = {};
    for (const [key, prop] of Object.entries(m.properties ?? {})) properties[key] = scalar(prop?.value);
    // Tahu's decoder reports a null metric as value null without the is_null flag.
    const value = m.isNull ? null : scalar(m.value);
    if ([m.name, value, ...Object.keys(properties), ...Object.values(properties)].some(hasNul))
      return { ok: false, message: "a metric's name or text holds U+0000" };
    metrics.push({
      name: typeof m.name === "string" ? m.name : undefined,
      alias: toNumber(m.alias),
      timestamp: toNumber(m.timestamp),
      type: typeof m.type === "string" ? m.type : "Unknown",
      value,
      isHistorical: m.isHistorical === true,
      isNull: value === null,
      properties,
    });
  }
  return { ok: true, payload: { timestamp: toNumber(raw.timestamp), seq: toNumber(raw.seq), metrics } };
}
