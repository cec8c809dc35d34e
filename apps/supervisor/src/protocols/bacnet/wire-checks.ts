import {
  ApplicationTag,
  type DecodedAppValue,
  isAnalogType,
  isBinaryType,
  isMultiStateType,
  type PointValue,
  presentValueToJs,
} from "@bms/bacnet";
import { isDeviceInstance } from "./device-address";

/**
 * What a device may make the supervisor hold in memory. A device is just a UDP sender: without these,
 * one host can announce a million instances or report an objectList of four billion entries.
 */
export interface WireLimits {
  /** Devices created from I-Am (pinned and remembered ones count too). */
  maxDevices: number;
  /** Any list length a device reports: objectList, arrays read element by element. */
  maxListLength: number;
}

export const DEFAULT_WIRE_LIMITS: WireLimits = { maxDevices: 5000, maxListLength: 50_000 };

/** What the wire checks refused or changed, counted since start (for /api/monitoring/metrics). */
export type WireEvents = Record<(typeof WIRE_EVENTS)[number], number>;

const WIRE_EVENTS = [
  "iam_invalid",
  "iam_over_cap",
  "iam_pinned_ignored",
  "address_confirmations",
  "address_changes",
  "address_claims_refused",
  "address_claims_deferred",
  "cov_dropped",
  "lists_over_cap",
  "i_have_invalid",
] as const;

/** Every wire event at 0: a new service's counters, and what a supervisor without BACnet reports. */
export function noWireEvents(): WireEvents {
  return Object.fromEntries(WIRE_EVENTS.map((name) => [name, 0])) as WireEvents;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

export interface IAmFields {
  deviceId: number;
  maxApdu: number;
  segmentation: number;
  vendorId: number;
}

function isInt(n: unknown, min: number, max: number): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= min && n <= max;
}

/**
 * An I-Am's fields as the standard bounds them: a device instance (not the wildcard), a max APDU of
 * at least 50 octets, segmentation 0..3, a 16-bit vendor id. The APDU size is then capped at what
 * B/IP carries (1476), whatever the device claims.
 */
export function checkIAm(payload: unknown): Checked<IAmFields> {
  const p = payload as Partial<Record<keyof IAmFields, unknown>> | null | undefined;
  if (!p || typeof p !== "object") return { ok: false, problem: "empty I-Am" };
  if (!isDeviceInstance(p.deviceId))
    return { ok: false, problem: `device instance ${String(p.deviceId)} out of range` };
  if (!isInt(p.maxApdu, 50, 65535))
    return { ok: false, problem: `max APDU ${String(p.maxApdu)} out of range` };
  if (!isInt(p.segmentation, 0, 3))
    return { ok: false, problem: `segmentation ${String(p.segmentation)} out of range` };
  if (!isInt(p.vendorId, 0, 65535))
    return { ok: false, problem: `vendor id ${String(p.vendorId)} out of range` };
  return {
    ok: true,
    value: {
      deviceId: p.deviceId,
      maxApdu: Math.min(p.maxApdu, 1476),
      segmentation: p.segmentation,
      vendorId: p.vendorId,
    },
  };
}

/** A BACnetObjectIdentifier: a 10-bit type and a 22-bit instance. */
export function isObjectId(v: unknown): v is { type: number; instance: number } {
  const o = v as { type?: unknown; instance?: unknown } | null | undefined;
  return !!o && typeof o === "object" && isInt(o.type, 0, 1023) && isInt(o.instance, 0, 4_194_303);
}

const ANALOG_TAGS = new Set<number>([
  ApplicationTag.REAL,
  ApplicationTag.DOUBLE,
  ApplicationTag.UNSIGNED_INTEGER,
  ApplicationTag.SIGNED_INTEGER,
]);

/**
 * A presentValue (or priority-array slot, relinquishDefault) checked against the datatype its object
 * type has: a finite number for analog, BinaryPV 0/1 for binary, a positive Unsigned for multi-state.
 * NULL passes (an empty priority slot). Anything else is a device bug or a forgery, never a value.
 */
export function checkPresentValue(
  objectType: number,
  data: DecodedAppValue | undefined,
): Checked<PointValue> {
  if (!data || typeof data !== "object") return { ok: false, problem: "no value in the answer" };
  if (data.type === ApplicationTag.NULL) return { ok: true, value: null };
  if (data.type === ApplicationTag.ERROR) return { ok: false, problem: "the device answered with an error" };
  if (isBinaryType(objectType)) {
    if (data.type !== ApplicationTag.ENUMERATED || (data.value !== 0 && data.value !== 1)) {
      return { ok: false, problem: "a binary value that is not active/inactive" };
    }
  } else if (isMultiStateType(objectType)) {
    if (data.type !== ApplicationTag.UNSIGNED_INTEGER || !isInt(data.value, 1, 0xffffffff)) {
      return { ok: false, problem: "a multi-state value that is not a state number" };
    }
  } else if (isAnalogType(objectType)) {
    if (!ANALOG_TAGS.has(data.type) || typeof data.value !== "number" || !Number.isFinite(data.value)) {
      return { ok: false, problem: "an analog value that is not a finite number" };
    }
  }
  return { ok: true, value: presentValueToJs(objectType, data) };
}

/** Strings a device reports (names, descriptions) are kept to this many characters. */
export const MAX_TEXT_LENGTH = 1024;
