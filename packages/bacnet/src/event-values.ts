import type { StatusFlags } from "./bit-strings";
import { TagReader } from "./tag-reader";

/**
 * The event values of an EventNotification (BACnetNotificationParameters, clause 13.3 and 21), which
 * @bacnet-js/client does not decode. Decoded strictly from the network: never throws; a field that
 * is malformed stops the decoding there, and what decoded before it is kept beside the problem, so
 * the alarm is still shown with what the device said. Every field is optional for that reason.
 */
export type EventValues =
  | { type: "change-of-bitstring"; referencedBitstring?: boolean[]; statusFlags?: StatusFlags }
  | { type: "change-of-state"; newState?: PropertyState; statusFlags?: StatusFlags }
  | {
      type: "change-of-value";
      newValue?: { changedValue: number } | { changedBits: boolean[] };
      statusFlags?: StatusFlags;
    }
  | { type: "command-failure"; commandValue?: AnyValue; statusFlags?: StatusFlags; feedbackValue?: AnyValue }
  | {
      type: "floating-limit";
      referenceValue?: number;
      statusFlags?: StatusFlags;
      setpointValue?: number;
      errorLimit?: number;
    }
  | {
      type: "out-of-range";
      exceedingValue?: number;
      statusFlags?: StatusFlags;
      deadband?: number;
      exceededLimit?: number;
    }
  | {
      type: "change-of-life-safety";
      newState?: number;
      newMode?: number;
      statusFlags?: StatusFlags;
      operationExpected?: number;
    }
  | { type: "extended"; vendorId?: number; extendedEventType?: number; parameters?: string }
  | {
      type: "buffer-ready";
      bufferProperty?: DeviceObjectPropertyRef;
      previousNotification?: number;
      currentNotification?: number;
    }
  | { type: "unsigned-range"; exceedingValue?: number; statusFlags?: StatusFlags; exceededLimit?: number }
  /** A choice we do not decode (complex, access, double/signed ranges, ...): its tag and octets. */
  | { type: "other"; choice: number; raw?: string };

/** BACnetPropertyStates: which choice, and its value (boolean or enumerated/unsigned). */
export interface PropertyState {
  choice: number;
  value: number | boolean;
}

/** An ABSTRACT-SYNTAX value (command-failure): its application tag and value (hex for non-numbers). */
export interface AnyValue {
  tag: number;
  value: number | boolean | string | null;
}

export interface DeviceObjectPropertyRef {
  object: { type: number; instance: number };
  propertyId: number;
  arrayIndex?: number;
  deviceInstance?: number;
}

export type EventValuesProblem =
  | "not-event-notification"
  | "segmented"
  | "bad-header"
  | "missing-values"
  | "bad-tag"
  | "bad-field"
  | "trailing-octets";

export interface EventValuesDecoded {
  /** Absent when the notification carries none (an ack-notification) or the frame was unusable. */
  values?: EventValues;
  problem?: EventValuesProblem;
  /** The field where decoding stopped, for `bad-field`. */
  field?: string;
}

/** Choice tag of BACnetNotificationParameters for each decoded type (also its BACnetEventType). */
export const EVENT_VALUE_CHOICES = {
  "change-of-bitstring": 0,
  "change-of-state": 1,
  "change-of-value": 2,
  "command-failure": 3,
  "floating-limit": 4,
  "out-of-range": 5,
  "change-of-life-safety": 8,
  extended: 9,
  "buffer-ready": 10,
  "unsigned-range": 11,
} as const;

export type DecodedEventType = keyof typeof EVENT_VALUE_CHOICES;

const TYPE_OF_CHOICE = new Map<number, DecodedEventType>(
  Object.entries(EVENT_VALUE_CHOICES).map(([name, n]) => [n, name as DecodedEventType]),
);

const CONFIRMED_REQUEST = 0;
const UNCONFIRMED_REQUEST = 1;
const CONFIRMED_EVENT_NOTIFICATION = 2;
const UNCONFIRMED_EVENT_NOTIFICATION = 3;
const VALUES_TAG = 12;
const NOTIFY_TYPE_TAG = 8;
const ACK_NOTIFICATION = 2;
/** Raw octets kept for undecoded choices and extended parameters. */
const MAX_RAW_OCTETS = 64;

function statusFlags(r: TagReader, n: number): StatusFlags | undefined {
  const bits = r.bits(n, 4);
  return bits
    ? {
        inAlarm: bits[0] === true,
        fault: bits[1] === true,
        overridden: bits[2] === true,
        outOfService: bits[3] === true,
      }
    : undefined;
}

/** Reads `[n] { application value }`. */
function anyValue(r: TagReader, n: number): AnyValue | undefined {
  const from = r.at;
  if (!r.open(n)) return undefined;
  const value = r.application();
  if (!value || !r.close(n)) {
    r.at = from;
    return undefined;
  }
  return value;
}

function propertyState(r: TagReader): PropertyState | undefined {
  const from = r.at;
  if (!r.open(0)) return undefined;
  const t = r.peek();
  let state: PropertyState | undefined;
  if (t?.kind === "primitive" && t.context) {
    const value = t.number === 0 ? r.boolean(0) : r.unsigned(t.number);
    if (value !== undefined) state = { choice: t.number, value };
  }
  if (!state || !r.close(0)) {
    r.at = from;
    return undefined;
  }
  return state;
}

function deviceObjectPropertyRef(r: TagReader): DeviceObjectPropertyRef | undefined {
  const from = r.at;
  const fail = () => {
    r.at = from;
    return undefined;
  };
  if (!r.open(0)) return undefined;
  const object = r.objectId(0);
  const propertyId = r.enumerated(1);
  if (!object || propertyId === undefined) return fail();
  const ref: DeviceObjectPropertyRef = { object, propertyId };
  if (r.isContext(2)) {
    const index = r.unsigned(2);
    if (index === undefined) return fail();
    ref.arrayIndex = index;
  }
  if (r.isContext(3)) {
    const device = r.objectId(3);
    if (device?.type !== 8) return fail();
    ref.deviceInstance = device.instance;
  }
  return r.close(0) ? ref : fail();
}

/** The octets inside `[n] ... [n]`, as hex (capped), consumed. */
function rawInside(r: TagReader, n: number): string | undefined {
  const from = r.at;
  if (!r.open(n)) return undefined;
  const start = r.at;
  while (!r.done && !r.isClosing(n)) {
    if (!r.skip()) {
      r.at = from;
      return undefined;
    }
  }
  const stop = r.at;
  if (!r.close(n)) {
    r.at = from;
    return undefined;
  }
  return r.buf.subarray(start, Math.min(stop, start + MAX_RAW_OCTETS)).toString("hex");
}

type Fields = Record<string, unknown>;
/** One field: its name, and its reader (undefined: malformed, decoding stops there). */
type Step = [string, (r: TagReader) => unknown];

const STEPS: Record<DecodedEventType, Step[]> = {
  "change-of-bitstring": [
    ["referencedBitstring", (r) => r.bits(0)],
    ["statusFlags", (r) => statusFlags(r, 1)],
  ],
  "change-of-state": [
    ["newState", propertyState],
    ["statusFlags", (r) => statusFlags(r, 1)],
  ],
  "change-of-value": [
    [
      "newValue",
      (r) => {
        const from = r.at;
        if (!r.open(0)) return undefined;
        const changed = r.isContext(0)
          ? (() => {
              const bits = r.bits(0);
              return bits ? { changedBits: bits } : undefined;
            })()
          : (() => {
              const value = r.real(1);
              return value === undefined ? undefined : { changedValue: value };
            })();
        if (!changed || !r.close(0)) {
          r.at = from;
          return undefined;
        }
        return changed;
      },
    ],
    ["statusFlags", (r) => statusFlags(r, 1)],
  ],
  "command-failure": [
    ["commandValue", (r) => anyValue(r, 0)],
    ["statusFlags", (r) => statusFlags(r, 1)],
    ["feedbackValue", (r) => anyValue(r, 2)],
  ],
  "floating-limit": [
    ["referenceValue", (r) => r.real(0)],
    ["statusFlags", (r) => statusFlags(r, 1)],
    ["setpointValue", (r) => r.real(2)],
    ["errorLimit", (r) => r.real(3)],
  ],
  "out-of-range": [
    ["exceedingValue", (r) => r.real(0)],
    ["statusFlags", (r) => statusFlags(r, 1)],
    ["deadband", (r) => r.real(2)],
    ["exceededLimit", (r) => r.real(3)],
  ],
  "change-of-life-safety": [
    ["newState", (r) => r.enumerated(0)],
    ["newMode", (r) => r.enumerated(1)],
    ["statusFlags", (r) => statusFlags(r, 2)],
    ["operationExpected", (r) => r.enumerated(3)],
  ],
  extended: [
    ["vendorId", (r) => r.unsigned(0)],
    ["extendedEventType", (r) => r.unsigned(1)],
    ["parameters", (r) => rawInside(r, 2)],
  ],
  "buffer-ready": [
    ["bufferProperty", deviceObjectPropertyRef],
    ["previousNotification", (r) => r.unsigned(1)],
    ["currentNotification", (r) => r.unsigned(2)],
  ],
  "unsigned-range": [
    ["exceedingValue", (r) => r.unsigned(0)],
    ["statusFlags", (r) => statusFlags(r, 1)],
    ["exceededLimit", (r) => r.unsigned(2)],
  ],
};

/**
 * Decodes the event values of an EventNotification APDU (confirmed or unconfirmed request) that
 * starts at `offset` and ends at the end of `apdu`. The header fields [0]..[11] are walked, not
 * interpreted (the library decodes them); [12] is decoded field by field.
 */
export function decodeEventValues(apdu: Buffer, offset = 0): EventValuesDecoded {
  const pdu = apdu[offset];
  if (pdu === undefined) return { problem: "not-event-notification" };
  let start: number;
  if (pdu >> 4 === CONFIRMED_REQUEST) {
    if ((pdu & 0x08) !== 0) return { problem: "segmented" };
    if (apdu[offset + 3] !== CONFIRMED_EVENT_NOTIFICATION) return { problem: "not-event-notification" };
    start = offset + 4;
  } else if (pdu >> 4 === UNCONFIRMED_REQUEST) {
    if (apdu[offset + 1] !== UNCONFIRMED_EVENT_NOTIFICATION) return { problem: "not-event-notification" };
    start = offset + 2;
  } else {
    return { problem: "not-event-notification" };
  }
  const r = new TagReader(apdu, start, apdu.length);
  // Walk [0]..[11]: each a context element in ascending order, until [12] or the end.
  let last = -1;
  let notifyType: number | undefined;
  while (!r.done && !r.isOpen(VALUES_TAG)) {
    const t = r.peek();
    if (!t?.context || t.kind === "close" || t.number <= last || t.number >= VALUES_TAG) {
      return { problem: "bad-header" };
    }
    last = t.number;
    if (t.number === NOTIFY_TYPE_TAG) notifyType = r.enumerated(NOTIFY_TYPE_TAG);
    else if (!r.skip()) return { problem: "bad-header" };
    if (t.number === NOTIFY_TYPE_TAG && notifyType === undefined) return { problem: "bad-header" };
  }
  if (last < 11) return { problem: "bad-header" }; // to-state [11] is required
  // Values go with an alarm or event notification (clause 13.8.1.13), never with an ack-notification.
  if (r.done) return notifyType === ACK_NOTIFICATION ? {} : { problem: "missing-values" };
  r.open(VALUES_TAG);
  const choiceTag = r.peek();
  if (choiceTag?.kind !== "open" || !choiceTag.context) return { problem: "bad-tag" };
  const choice = choiceTag.number;
  const type = TYPE_OF_CHOICE.get(choice);
  if (!type) {
    const raw = rawInside(r, choice);
    if (raw === undefined || !r.close(VALUES_TAG))
      return { values: { type: "other", choice }, problem: "bad-tag" };
    return r.done
      ? { values: { type: "other", choice, raw } }
      : { values: { type: "other", choice, raw }, problem: "trailing-octets" };
  }
  r.open(choice);
  const fields: Fields = { type };
  for (const [name, read] of STEPS[type]) {
    const value = read(r);
    if (value === undefined) return { values: fields as EventValues, problem: "bad-field", field: name };
    fields[name] = value;
  }
  if (!r.close(choice) || !r.close(VALUES_TAG)) return { values: fields as EventValues, problem: "bad-tag" };
  if (!r.done) return { values: fields as EventValues, problem: "trailing-octets" };
  return { values: fields as EventValues };
}
