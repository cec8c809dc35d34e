import * as asn1 from "@bacnet-js/client/dist/lib/asn1.js";
import type { EncodeBuffer } from "@bacnet-js/client/dist/lib/types.js";
import { bitIsSet, bitString } from "./bit-strings";

/**
 * One BACnetDestination of a Notification Class's Recipient_List (clause 21), with the recipient given
 * by address: a supervisor has no device object a controller could look up, so it names its B/IP
 * address (network 0 = the controller's own network, MAC = 4 octets of IPv4 and 2 of port).
 */
export interface Destination {
  /** Monday..Sunday. */
  validDays: boolean[];
  /** ms since local midnight, inclusive. */
  fromMs: number;
  toMs: number;
  address: { ip: string; port: number; net: number };
  processId: number;
  confirmed: boolean;
  /** to-offnormal, to-fault, to-normal. */
  transitions: [boolean, boolean, boolean];
}

const DAY_MS = 86_400_000;

function bits(count: number, on: readonly boolean[]) {
  return bitString(
    count,
    on.flatMap((set, i) => (set && i < count ? [i] : [])),
  );
}

function timeOf(ms: number): Date {
  const d = new Date(2000, 0, 1);
  d.setMilliseconds(Math.min(Math.max(0, ms), DAY_MS - 10));
  return d;
}

/** Writes one BACnetDestination as the list element it is (application tags, recipient [1]). */
export function encodeDestination(buf: EncodeBuffer, d: Destination): void {
  asn1.encodeApplicationBitstring(buf, bits(7, d.validDays));
  asn1.encodeApplicationTime(buf, timeOf(d.fromMs));
  asn1.encodeApplicationTime(buf, timeOf(d.toMs));
  asn1.encodeOpeningTag(buf, 1);
  asn1.encodeApplicationUnsigned(buf, d.address.net);
  const mac = Buffer.alloc(6);
  d.address.ip.split(".").forEach((octet, i) => {
    mac[i] = Number(octet);
  });
  mac.writeUInt16BE(d.address.port, 4);
  asn1.encodeApplicationOctetString(buf, [...mac], 0, 6);
  asn1.encodeClosingTag(buf, 1);
  asn1.encodeApplicationUnsigned(buf, d.processId);
  asn1.encodeApplicationBoolean(buf, d.confirmed);
  asn1.encodeApplicationBitstring(buf, bits(3, d.transitions));
}

/** The encoded octets of destinations, for a list element the library cannot encode itself. */
export function destinationOctets(destinations: readonly Destination[]): Buffer {
  const buf: EncodeBuffer = { buffer: Buffer.alloc(64 * destinations.length + 8), offset: 0 };
  for (const d of destinations) encodeDestination(buf, d);
  return Buffer.from(buf.buffer.subarray(0, buf.offset));
}

/**
 * Reads BACnetDestinations from `offset` up to the closing tag [3] of a list-of-elements (or `end`). Strict: any element that is
 * not exactly the address form above (a device-recipient [0], a MAC that is not 6 octets, a wrong tag)
 * makes the whole list undefined, so a device never stores half of a malformed request.
 */
export function decodeDestinations(
  buffer: Buffer,
  offset: number,
  end: number,
): { destinations: Destination[]; len: number } | undefined {
  let at = offset;
  const destinations: Destination[] = [];
  const app = (tag: number) => {
    if (at >= end) return undefined;
    const t = asn1.decodeTagNumberAndValue(buffer, at);
    if (asn1.decodeIsContextTag(buffer, at, t.tagNumber) || t.tagNumber !== tag || t.value === undefined) {
      return undefined;
    }
    const start = at + t.len;
    at = start + (tag === 1 ? 0 : t.value); // a BOOLEAN carries its value in the tag
    return at > end ? undefined : { start, value: t.value };
  };
  while (at < end && !asn1.decodeIsClosingTagNumber(buffer, at, 3)) {
    const days = app(8);
    if (!days) return undefined;
    const validDays = asn1.decodeBitstring(buffer, days.start, days.value).value;
    const from = app(11);
    const to = app(11);
    if (!from || !to || from.value !== 4 || to.value !== 4) return undefined;
    const ms = (start: number) => {
      const t = asn1.decodeBacnetTime(buffer, start).value as Date;
      return ((t.getHours() * 60 + t.getMinutes()) * 60 + t.getSeconds()) * 1000 + t.getMilliseconds();
    };
    if (!asn1.decodeIsOpeningTagNumber(buffer, at, 1)) return undefined;
    at += 1;
    const net = app(2);
    const mac = app(6);
    if (!net || !mac || mac.value !== 6 || !asn1.decodeIsClosingTagNumber(buffer, at, 1)) return undefined;
    at += 1;
    const netValue = asn1.decodeUnsigned(buffer, net.start, net.value).value;
    const process = app(2);
    const confirmed = app(1);
    const transitions = app(8);
    if (!process || !confirmed || !transitions) return undefined;
    const transitionBits = asn1.decodeBitstring(buffer, transitions.start, transitions.value).value;
    destinations.push({
      validDays: Array.from({ length: 7 }, (_, i) => bitIsSet(validDays, i)),
      fromMs: ms(from.start),
      toMs: ms(to.start),
      address: {
        ip: [...buffer.subarray(mac.start, mac.start + 4)].join("."),
        port: buffer.readUInt16BE(mac.start + 4),
        net: netValue,
      },
      processId: asn1.decodeUnsigned(buffer, process.start, process.value).value,
      confirmed: confirmed.value === 1,
      transitions: [0, 1, 2].map((i) => bitIsSet(transitionBits, i)) as [boolean, boolean, boolean],
    });
  }
  return { destinations, len: at - offset };
}

/** Whether a destination takes a notification of `transition` at `at` (its days and time window). */
export function destinationAccepts(d: Destination, transition: number, at: Date): boolean {
  if (!d.transitions[transition]) return false;
  const day = (at.getDay() + 6) % 7; // Monday = 0
  if (!d.validDays[day]) return false;
  const ms = ((at.getHours() * 60 + at.getMinutes()) * 60 + at.getSeconds()) * 1000 + at.getMilliseconds();
  return ms >= d.fromMs && ms <= d.toMs;
}
