import * as asn1 from "@bacnet-js/client/dist/lib/asn1.js";
import type { EncodeBuffer } from "@bacnet-js/client/dist/lib/types.js";
import type { StatusFlags } from "./bit-strings";
import { type AnyValue, EVENT_VALUE_CHOICES, type EventValues } from "./event-values";

/**
 * Encodes event values ([12] BACnetNotificationParameters) and whole EventNotification requests,
 * for the simulator and the tests: the library cannot encode command-failure or extended values, and
 * this encoder is written from the standard independently of the library (the unit tests compare the
 * two where the library can). A missing field is left out, which is how tests build malformed frames.
 */
function tagged(tag: number, content: readonly number[]): number[] {
  const length = content.length;
  if (length <= 4) return [(tag << 4) | 0x08 | length, ...content];
  return [(tag << 4) | 0x08 | 5, length, ...content];
}

function uint(value: number): number[] {
  if (value < 0x100) return [value];
  if (value < 0x10000) return [value >> 8, value & 0xff];
  if (value < 0x1000000) return [value >> 16, (value >> 8) & 0xff, value & 0xff];
  return [(value >>> 24) & 0xff, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

const open = (tag: number) => [(tag << 4) | 0x0e];
const close = (tag: number) => [(tag << 4) | 0x0f];
const ctxUnsigned = (tag: number, v: number) => tagged(tag, uint(v));

function ctxReal(tag: number, v: number): number[] {
  const b = Buffer.alloc(4);
  b.writeFloatBE(v);
  return tagged(tag, [...b]);
}

function ctxBits(tag: number, bits: readonly boolean[]): number[] {
  const octets = Math.ceil(bits.length / 8);
  const content = [octets * 8 - bits.length, ...new Array<number>(octets).fill(0)];
  bits.forEach((on, i) => {
    if (on) content[1 + (i >> 3)] = (content[1 + (i >> 3)] ?? 0) | (0x80 >> (i % 8));
  });
  return tagged(tag, content);
}

const flags = (tag: number, f: StatusFlags) =>
  ctxBits(tag, [f.inAlarm, f.fault, f.overridden, f.outOfService]);

function objectId(tag: number, o: { type: number; instance: number }): number[] {
  const packed = ((o.type & 0x3ff) << 22) | (o.instance & 0x3fffff);
  return tagged(tag, [(packed >>> 24) & 0xff, (packed >> 16) & 0xff, (packed >> 8) & 0xff, packed & 0xff]);
}

/** An application-tagged value (numbers and booleans; hex octets for the rest). */
function application(v: AnyValue): number[] {
  const app = (content: number[]) =>
    content.length <= 4
      ? [(v.tag << 4) | content.length, ...content]
      : [(v.tag << 4) | 5, content.length, ...content];
  if (v.tag === 0) return [0x00];
  if (v.tag === 1) return [0x10 | (v.value === true ? 1 : 0)];
  if (v.tag === 4 && typeof v.value === "number") {
    const b = Buffer.alloc(4);
    b.writeFloatBE(v.value);
    return app([...b]);
  }
  if ((v.tag === 2 || v.tag === 9) && typeof v.value === "number") return app(uint(v.value));
  if (v.tag === 3 && typeof v.value === "number") {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v.value);
    return app([...b]);
  }
  return app([...Buffer.from(typeof v.value === "string" ? v.value : "", "hex")]);
}

/** Octets of `[12] { [choice] { fields } }`. */
export function encodeEventValues(values: EventValues): Buffer {
  const choice = values.type === "other" ? values.choice : EVENT_VALUE_CHOICES[values.type];
  const out: number[] = [...open(12), ...open(choice)];
  const v = values as Record<string, unknown> & EventValues;
  const f = (tag: number, key: string) => {
    const value = v[key] as StatusFlags | undefined;
    if (value) out.push(...flags(tag, value));
  };
  const real = (tag: number, key: string) => {
    if (typeof v[key] === "number") out.push(...ctxReal(tag, v[key] as number));
  };
  const unsigned = (tag: number, key: string) => {
    if (typeof v[key] === "number") out.push(...ctxUnsigned(tag, v[key] as number));
  };
  switch (values.type) {
    case "change-of-bitstring":
      if (values.referencedBitstring) out.push(...ctxBits(0, values.referencedBitstring));
      f(1, "statusFlags");
      break;
    case "change-of-state":
      if (values.newState) {
        const { choice: c, value } = values.newState;
        out.push(
          ...open(0),
          ...(typeof value === "boolean" ? tagged(c, [value ? 1 : 0]) : ctxUnsigned(c, value)),
        );
        out.push(...close(0));
      }
      f(1, "statusFlags");
      break;
    case "change-of-value":
      if (values.newValue) {
        out.push(...open(0));
        if ("changedBits" in values.newValue) out.push(...ctxBits(0, values.newValue.changedBits));
        else out.push(...ctxReal(1, values.newValue.changedValue));
        out.push(...close(0));
      }
      f(1, "statusFlags");
      break;
    case "command-failure":
      if (values.commandValue) out.push(...open(0), ...application(values.commandValue), ...close(0));
      f(1, "statusFlags");
      if (values.feedbackValue) out.push(...open(2), ...application(values.feedbackValue), ...close(2));
      break;
    case "floating-limit":
      real(0, "referenceValue");
      f(1, "statusFlags");
      real(2, "setpointValue");
      real(3, "errorLimit");
      break;
    case "out-of-range":
      real(0, "exceedingValue");
      f(1, "statusFlags");
      real(2, "deadband");
      real(3, "exceededLimit");
      break;
    case "change-of-life-safety":
      unsigned(0, "newState");
      unsigned(1, "newMode");
      f(2, "statusFlags");
      unsigned(3, "operationExpected");
      break;
    case "extended":
      unsigned(0, "vendorId");
      unsigned(1, "extendedEventType");
      if (values.parameters !== undefined) {
        out.push(...open(2), ...Buffer.from(values.parameters, "hex"), ...close(2));
      }
      break;
    case "buffer-ready":
      if (values.bufferProperty) {
        const ref = values.bufferProperty;
        out.push(...open(0), ...objectId(0, ref.object), ...ctxUnsigned(1, ref.propertyId));
        if (ref.arrayIndex !== undefined) out.push(...ctxUnsigned(2, ref.arrayIndex));
        if (ref.deviceInstance !== undefined)
          out.push(...objectId(3, { type: 8, instance: ref.deviceInstance }));
        out.push(...close(0));
      }
      unsigned(1, "previousNotification");
      unsigned(2, "currentNotification");
      break;
    case "unsigned-range":
      unsigned(0, "exceedingValue");
      f(1, "statusFlags");
      unsigned(2, "exceededLimit");
      break;
    case "other":
      out.push(...Buffer.from(values.raw ?? "", "hex"));
      break;
  }
  out.push(...close(choice), ...close(12));
  return Buffer.from(out);
}

/** The fields of an EventNotification before its values (clause 13.8.1). */
export interface EventNotificationHeader {
  processId: number;
  deviceInstance: number;
  object: { type: number; instance: number };
  timeStamp: Date;
  notificationClass: number;
  priority: number;
  eventType: number;
  messageText?: string;
  /** 0 alarm, 1 event, 2 ack-notification (which carries no ack-required, from-state or values). */
  notifyType: number;
  ackRequired: boolean;
  fromState: number;
  toState: number;
}

/** The service request octets (after the APDU header) of an EventNotification. */
export function encodeEventNotificationRequest(
  buf: EncodeBuffer,
  h: EventNotificationHeader,
  values: EventValues | undefined,
): void {
  asn1.encodeContextUnsigned(buf, 0, h.processId);
  asn1.encodeContextObjectId(buf, 1, 8, h.deviceInstance);
  asn1.encodeContextObjectId(buf, 2, h.object.type, h.object.instance);
  asn1.bacappEncodeContextTimestamp(buf, 3, { type: 2, value: h.timeStamp });
  asn1.encodeContextUnsigned(buf, 4, h.notificationClass);
  asn1.encodeContextUnsigned(buf, 5, h.priority);
  asn1.encodeContextEnumerated(buf, 6, h.eventType);
  if (h.messageText) asn1.encodeContextCharacterString(buf, 7, h.messageText);
  asn1.encodeContextEnumerated(buf, 8, h.notifyType);
  const ack = h.notifyType === 2;
  if (!ack) {
    asn1.encodeContextBoolean(buf, 9, h.ackRequired);
    asn1.encodeContextEnumerated(buf, 10, h.fromState);
  }
  asn1.encodeContextEnumerated(buf, 11, h.toState);
  if (!ack && values) {
    const octets = encodeEventValues(values);
    octets.copy(buf.buffer, buf.offset);
    buf.offset += octets.length;
  }
}
