import { ApplicationTag } from "@bacnet-js/client";
import type { BitString } from "./bit-strings";
import { isAnalogType, isBinaryType, isMultiStateType, OBJECT_TYPES } from "./object-types";
import { PROPERTIES } from "./properties";

/** The JS shapes a point value takes on our side of the wire. */
export type PointValue = number | boolean | string | null;

export interface ObjectId {
  type: number;
  instance: number;
}

/** BACnetCOVSubscription (clause 21), for the device object's activeCovSubscriptions list. */
export interface CovSubscriptionValue {
  /** The subscriber's BACnetAddress: network 0 = local, address = B/IP MAC (4 octets IP + 2 port). */
  recipient: { network: number; address: number[] };
  subscriptionProcessId: number;
  monitoredObjectId: ObjectId;
  monitoredProperty: { id: number; index: number };
  issueConfirmedNotifications: boolean;
  timeRemaining: number;
  /** Omitted from the encoding when 0. */
  covIncrement: number;
}

/**
 * A BACnet application-tagged value in the library's encoder/decoder shape. Kept as a tagged union so
 * callers cannot put a string where the tag says REAL.
 */
export type AppValue =
  | { type: ApplicationTag.NULL; value: null }
  | { type: ApplicationTag.BOOLEAN; value: boolean }
  | { type: ApplicationTag.UNSIGNED_INTEGER; value: number }
  | { type: ApplicationTag.SIGNED_INTEGER; value: number }
  | { type: ApplicationTag.REAL; value: number }
  | { type: ApplicationTag.DOUBLE; value: number }
  | { type: ApplicationTag.CHARACTER_STRING; value: string }
  | { type: ApplicationTag.BIT_STRING; value: BitString }
  | { type: ApplicationTag.ENUMERATED; value: number }
  | { type: ApplicationTag.DATE; value: Date }
  | { type: ApplicationTag.TIME; value: Date }
  | { type: ApplicationTag.OBJECTIDENTIFIER; value: ObjectId }
  | { type: ApplicationTag.COV_SUBSCRIPTION; value: CovSubscriptionValue };

export const app = {
  null: (): AppValue => ({ type: ApplicationTag.NULL, value: null }),
  boolean: (value: boolean): AppValue => ({ type: ApplicationTag.BOOLEAN, value }),
  unsigned: (value: number): AppValue => ({ type: ApplicationTag.UNSIGNED_INTEGER, value }),
  signed: (value: number): AppValue => ({ type: ApplicationTag.SIGNED_INTEGER, value }),
  real: (value: number): AppValue => ({ type: ApplicationTag.REAL, value }),
  string: (value: string): AppValue => ({ type: ApplicationTag.CHARACTER_STRING, value }),
  bits: (value: BitString): AppValue => ({ type: ApplicationTag.BIT_STRING, value }),
  enumerated: (value: number): AppValue => ({ type: ApplicationTag.ENUMERATED, value }),
  date: (value: Date): AppValue => ({ type: ApplicationTag.DATE, value }),
  time: (value: Date): AppValue => ({ type: ApplicationTag.TIME, value }),
  covSubscription: (value: CovSubscriptionValue): AppValue => ({
    type: ApplicationTag.COV_SUBSCRIPTION,
    value,
  }),
  objectId: (type: number, instance: number): AppValue => ({
    type: ApplicationTag.OBJECTIDENTIFIER,
    value: { type, instance },
  }),
};

/**
 * The application tag the standard prescribes for presentValue (and relinquishDefault and the
 * priority array slots) of an object type: REAL for analog, ENUMERATED BACnetBinaryPV for binary,
 * Unsigned for multi-state. Undefined for types without a numeric presentValue.
 */
export function presentValueTag(objectType: number): ApplicationTag | undefined {
  if (isAnalogType(objectType)) return ApplicationTag.REAL;
  if (isBinaryType(objectType)) return ApplicationTag.ENUMERATED;
  if (isMultiStateType(objectType)) return ApplicationTag.UNSIGNED_INTEGER;
  return undefined;
}

/** Properties whose datatype follows the object's presentValue datatype. */
const VALUE_LIKE = new Set<number>([
  PROPERTIES.presentValue,
  PROPERTIES.relinquishDefault,
  PROPERTIES.priorityArray,
]);

/**
 * Encodes a JS value for a write to (objectType, property), the way a standard client must send it:
 * `true`/`false` become BACnetBinaryPV for binary objects, numbers become REAL for analog objects,
 * `null` is the NULL that relinquishes a priority slot. Throws on a value that cannot be expressed.
 */
export function encodeValue(objectType: number, property: number, value: PointValue): AppValue {
  if (value === null) return app.null();
  if (VALUE_LIKE.has(property)) {
    const tag = presentValueTag(objectType);
    if (tag === ApplicationTag.REAL) return app.real(toNumber(value));
    if (tag === ApplicationTag.ENUMERATED) return app.enumerated(toBinaryPv(value));
    if (tag === ApplicationTag.UNSIGNED_INTEGER) return app.unsigned(toUnsigned(value));
  }
  switch (property) {
    case PROPERTIES.outOfService:
      if (typeof value !== "boolean") throw new TypeError("outOfService takes a boolean");
      return app.boolean(value);
    case PROPERTIES.covIncrement:
    case PROPERTIES.minPresValue:
    case PROPERTIES.maxPresValue:
      return app.real(toNumber(value));
    case PROPERTIES.objectName:
    case PROPERTIES.description:
    case PROPERTIES.location:
    case PROPERTIES.activeText:
    case PROPERTIES.inactiveText:
      if (typeof value !== "string") throw new TypeError("this property takes a string");
      return app.string(value);
  }
  if (typeof value === "boolean") return app.boolean(value);
  if (typeof value === "string") return app.string(value);
  return Number.isInteger(value) && value >= 0 ? app.unsigned(value) : app.real(value);
}

/** Convenience for the most common write: a presentValue of an object type. */
export function encodePresentValue(objectType: number, value: PointValue): AppValue {
  return encodeValue(objectType, PROPERTIES.presentValue, value);
}

function toNumber(value: number | boolean | string): number {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  throw new TypeError(`expected a finite number, got ${JSON.stringify(value)}`);
}

function toBinaryPv(value: number | boolean | string): number {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value === 0 || value === 1) return value;
  if (value === "active") return 1;
  if (value === "inactive") return 0;
  throw new TypeError(
    `a binary value is true/false, 0/1 or "active"/"inactive", got ${JSON.stringify(value)}`,
  );
}

function toUnsigned(value: number | boolean | string): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) return value;
  throw new TypeError(`expected an unsigned integer, got ${JSON.stringify(value)}`);
}

/** A decoded application value as the library hands it over (tag + loosely typed value). */
export interface DecodedAppValue {
  type: number;
  value: unknown;
}

/**
 * Turns one decoded application value into a JS value: numbers for REAL/DOUBLE/Unsigned/Signed/
 * ENUMERATED, booleans, strings, null for NULL. Other tags (dates, bit strings, object ids) come back
 * as null so a caller never mistakes them for a number; use the raw value for those.
 */
export function decodeValue(data: DecodedAppValue): PointValue {
  switch (data.type) {
    case ApplicationTag.NULL:
      return null;
    case ApplicationTag.BOOLEAN:
      return data.value === true || data.value === 1;
    case ApplicationTag.REAL:
      // A REAL is a float32: 24.88 arrives as 24.8799991607666. Seven significant digits is all the
      // precision it has, so that is what we show and compare.
      return typeof data.value === "number" ? Number(data.value.toPrecision(7)) : Number(data.value);
    case ApplicationTag.DOUBLE:
    case ApplicationTag.UNSIGNED_INTEGER:
    case ApplicationTag.SIGNED_INTEGER:
    case ApplicationTag.ENUMERATED:
      return typeof data.value === "number" ? data.value : Number(data.value);
    case ApplicationTag.CHARACTER_STRING:
      return typeof data.value === "string" ? data.value : String(data.value);
    default:
      return null;
  }
}

/**
 * Converts a presentValue read from (objectType) into the value a flow works with: binary objects
 * give booleans (active = true), analog and multi-state give numbers.
 */
export function presentValueToJs(objectType: number, data: DecodedAppValue): PointValue {
  const value = decodeValue(data);
  if (isBinaryType(objectType) && typeof value === "number") return value === 1;
  return value;
}

export { ApplicationTag, OBJECT_TYPES };
