// ReadPropertyMultiple on the hot read path: the request frame and the ReadAccessResult decoder for the
// answers a point read gets (one property per object, a single primitive value each). The library's
// general codec allocates a zeroed 1,476-byte buffer per request and a dozen small objects per value
// decoded (every tag, length and value comes back as a `{len, value}` object); on a 2,000-point scan that
// garbage was a large part of the supervisor's CPU (issue 15). This codec writes the exact frame and
// reads the answer in one pass. Anything it does not handle (arrays, strings, dates, constructed values,
// several properties per object) it declines with `undefined`, and the caller decodes that answer with
// the library, so its coverage is a speed question, never a correctness one.
import { ApplicationTag } from "@bacnet-js/client";

/** One property of one object, as a point read asks for it. `index` undefined: the whole property. */
export interface RpmRead {
  objectType: number;
  instance: number;
  property: number;
  index?: number;
}

/** A decoded value, in the library's `{type, value}` shape so both decoders' answers read alike. */
export interface RpmValue {
  type: number;
  value: unknown;
}

/** One ReadAccessResult, in the shape of the library's `decodeAcknowledge` (one property per object). */
export interface RpmResult {
  objectId: { type: number; instance: number };
  values: { id: number; index: number; value: RpmValue[] }[];
}

/** The array index a read or an answer carries when it names no element (the whole property). */
export const ARRAY_ALL = 0xffffffff;
const SERVICE_READ_PROPERTY_MULTIPLE = 14;
/** BVLC (4) + NPDU (2) + confirmed-request header (4). */
const HEADER_BYTES = 10;

function unsignedBytes(value: number): number {
  if (value < 0x100) return 1;
  if (value < 0x10000) return 2;
  if (value < 0x1000000) return 3;
  return 4;
}

function specBytes(read: RpmRead): number {
  let n = 5 + 1 + 1 + unsignedBytes(read.property) + 1; // object id, opening 1, property, closing 1
  if (read.index !== undefined && read.index !== ARRAY_ALL) n += 1 + unsignedBytes(read.index);
  return n;
}

/** A context tag with a 1-4 byte unsigned value (tag numbers 0-14): one header byte, then the value. */
function writeContextUnsigned(frame: Buffer, at: number, tag: number, value: number): number {
  const len = unsignedBytes(value);
  frame[at] = (tag << 4) | 0x08 | len;
  frame.writeUIntBE(value, at + 1, len);
  return at + 1 + len;
}

/**
 * The whole B/IP frame of a ReadPropertyMultiple request to a device on our own network (original
 * unicast, no routing information): BVLC, NPDU expecting a reply, a confirmed request accepting a
 * segmented answer of up to 65 segments of 1,476 bytes (the library's defaults), then one
 * ReadAccessSpecification per read. Array index 0 (an array's length) is encoded, where the library
 * drops it.
 */
export function encodeRpmRequest(reads: readonly RpmRead[], invokeId: number): Buffer {
  let size = HEADER_BYTES;
  for (const read of reads) size += specBytes(read);
  const frame = Buffer.allocUnsafe(size);
  frame[0] = 0x81; // BVLL type BACnet/IP
  frame[1] = 0x0a; // Original-Unicast-NPDU
  frame.writeUInt16BE(size, 2);
  frame[4] = 0x01; // NPDU version
  frame[5] = 0x04; // expecting reply, normal priority
  frame[6] = 0x02; // confirmed request, segmented response accepted
  frame[7] = 0x75; // up to 65 segments, 1,476-byte APDUs
  frame[INVOKE_ID_AT] = invokeId & 0xff;
  frame[9] = SERVICE_READ_PROPERTY_MULTIPLE;
  let at = HEADER_BYTES;
  for (const read of reads) {
    frame[at] = 0x0c; // context 0, 4 bytes: the object identifier
    frame.writeUInt32BE((((read.objectType & 0x3ff) << 22) | (read.instance & 0x3fffff)) >>> 0, at + 1);
    frame[at + 5] = 0x1e; // opening 1
    at = writeContextUnsigned(frame, at + 6, 0, read.property);
    if (read.index !== undefined && read.index !== ARRAY_ALL)
      at = writeContextUnsigned(frame, at, 1, read.index);
    frame[at++] = 0x1f; // closing 1
  }
  return frame;
}

/** Where encodeRpmRequest puts the invoke id (the confirmed request's third octet). */
const INVOKE_ID_AT = 8;

/**
 * A copy of an encodeRpmRequest frame with another invoke id: a point read asks a device for the same
 * list every scan, so the frame is encoded once per list and each request copies it (the copy, not the
 * template, goes to the socket, which reads it a tick later: a template is never changed in flight).
 */
export function rpmRequestWithInvokeId(template: Buffer, invokeId: number): Buffer {
  const frame = Buffer.allocUnsafe(template.length);
  template.copy(frame);
  frame[INVOKE_ID_AT] = invokeId & 0xff;
  return frame;
}

/**
 * A cursor over one answer; every read is bounds-checked, so a short or garbled answer cannot throw. The
 * last tag read is kept in fields rather than returned as an object: a 2,000-point answer set read three
 * tags a point, and each was garbage a moment later.
 */
class Reader {
  /** The last tag's number, class and length/value/type (negative for an opening or closing tag). */
  number = 0;
  context = false;
  lvt = 0;

  constructor(
    readonly buf: Buffer,
    public at: number,
    readonly end: number,
  ) {}

  /** Reads a tag's header into number/context/lvt; false past the end or when malformed. */
  tag(): boolean {
    const { buf, end } = this;
    if (this.at >= end) return false;
    const first = buf[this.at++]!;
    let number = first >> 4;
    if (number === 15) {
      if (this.at >= end) return false;
      number = buf[this.at++]!;
    }
    let lvt = first & 0x07;
    const context = (first & 0x08) !== 0;
    if (lvt === 5) {
      if (this.at >= end) return false;
      const ext = buf[this.at++]!;
      if (ext === 254) {
        if (this.at + 2 > end) return false;
        lvt = buf.readUInt16BE(this.at);
        this.at += 2;
      } else if (ext === 255) {
        if (this.at + 4 > end) return false;
        lvt = buf.readUInt32BE(this.at);
        this.at += 4;
      } else lvt = ext;
    } else if (context && (lvt === 6 || lvt === 7)) {
      // Opening (6) and closing (7) tags carry no value: a negative lvt, which no length check accepts.
      lvt = -lvt;
    }
    this.number = number;
    this.context = context;
    this.lvt = lvt;
    return true;
  }

  /** The last tag read was this application tag (a method, so no caller narrows the fields it reads). */
  isApplication(tagNumber: number): boolean {
    return !this.context && this.number === tagNumber;
  }

  unsigned(len: number): number | undefined {
    if (len < 1 || len > 4 || this.at + len > this.end) return undefined;
    const value = this.buf.readUIntBE(this.at, len);
    this.at += len;
    return value;
  }

  /** The next byte is this opening (6) or closing (7) context tag. */
  isBracket(tagNumber: number, kind: 6 | 7): boolean {
    return this.at < this.end && this.buf[this.at] === ((tagNumber << 4) | 0x08 | kind);
  }
}

/** One application-tagged primitive, read into `into`; false for the types left to the library. */
function primitive(r: Reader, into: RpmValue): boolean {
  if (!r.tag() || r.context) return false;
  const len = r.lvt;
  const { buf } = r;
  const type = r.number;
  switch (type) {
    case ApplicationTag.NULL:
      if (len !== 0) return false;
      into.value = null;
      break;
    case ApplicationTag.BOOLEAN:
      if (len > 1) return false;
      into.value = len > 0;
      break;
    case ApplicationTag.UNSIGNED_INTEGER:
    case ApplicationTag.ENUMERATED: {
      const value = r.unsigned(len);
      if (value === undefined) return false;
      into.value = value;
      break;
    }
    case ApplicationTag.SIGNED_INTEGER:
      if (len < 1 || len > 4 || r.at + len > r.end) return false;
      into.value = buf.readIntBE(r.at, len);
      r.at += len;
      break;
    case ApplicationTag.REAL:
      if (len !== 4 || r.at + 4 > r.end) return false;
      into.value = buf.readFloatBE(r.at);
      r.at += 4;
      break;
    case ApplicationTag.DOUBLE:
      if (len !== 8 || r.at + 8 > r.end) return false;
      into.value = buf.readDoubleBE(r.at);
      r.at += 8;
      break;
    default:
      return false;
  }
  into.type = type;
  return true;
}

/**
 * Called for each ReadAccessResult in order: its position, object, property, array index (ARRAY_ALL
 * when none) and value. `value` is one object reused for every call: read it, never keep it.
 */
export type RpmVisitor = (
  n: number,
  objectType: number,
  instance: number,
  property: number,
  index: number,
  value: RpmValue,
) => void;

/**
 * Walks the service data of a ReadPropertyMultiple-ACK (`length` bytes from `offset`) when every
 * ReadAccessResult holds one property with one primitive value or an error, calling `visit` for each
 * without building objects for them. Answers how many results it visited, or undefined when the
 * answer is one it does not handle or is malformed: the results visited before the problem was found
 * are then to be discarded, and the caller decodes the same bytes with the library.
 */
export function visitRpmAck(
  buf: Buffer,
  offset: number,
  length: number,
  visit: RpmVisitor,
): number | undefined {
  const end = Math.min(buf.length, offset + length);
  if (offset < 0 || offset >= end) return undefined;
  const r = new Reader(buf, offset, end);
  const value: RpmValue = { type: 0, value: null };
  let n = 0;
  while (r.at < end) {
    // Object identifier: context 0, 4 bytes.
    if (r.at + 5 > end || buf[r.at] !== 0x0c) return undefined;
    const id = buf.readUInt32BE(r.at + 1);
    r.at += 5;
    if (!r.isBracket(1, 6)) return undefined;
    r.at++;
    // Property identifier: context 2.
    if (!r.tag() || r.context === false || r.number !== 2) return undefined;
    const property = r.unsigned(r.lvt);
    if (property === undefined) return undefined;
    let index = ARRAY_ALL;
    if (r.at < end && buf[r.at]! >> 4 === 3 && (buf[r.at]! & 0x08) !== 0) {
      const at = r.tag() && r.lvt > 0 ? r.unsigned(r.lvt) : undefined;
      if (at === undefined) return undefined;
      index = at;
    }
    if (r.isBracket(4, 6)) {
      r.at++;
      if (!primitive(r, value) || !r.isBracket(4, 7)) return undefined;
      r.at++;
    } else if (r.isBracket(5, 6)) {
      r.at++;
      const errorClass =
        r.tag() && r.isApplication(ApplicationTag.ENUMERATED) ? r.unsigned(r.lvt) : undefined;
      const errorCode = r.tag() && r.isApplication(ApplicationTag.ENUMERATED) ? r.unsigned(r.lvt) : undefined;
      if (errorClass === undefined || errorCode === undefined || !r.isBracket(5, 7)) return undefined;
      r.at++;
      value.type = ApplicationTag.ERROR;
      value.value = { errorClass, errorCode };
    } else return undefined;
    // One property per object: a second one (or anything else) is the library's to decode.
    if (!r.isBracket(1, 7)) return undefined;
    r.at++;
    visit(n++, id >>> 22, id & 0x3fffff, property, index, value);
  }
  return n;
}

/**
 * Decodes the service data of a ReadPropertyMultiple-ACK (`length` bytes from `offset`) when every
 * ReadAccessResult holds one property with one primitive value or an error. Undefined otherwise, and for
 * anything malformed: the caller then hands the same bytes to the library's decoder, which either
 * decodes the richer answer or reports it as undecodable.
 */
export function decodeRpmAck(buf: Buffer, offset: number, length: number): RpmResult[] | undefined {
  const results: RpmResult[] = [];
  const visited = visitRpmAck(buf, offset, length, (_n, type, instance, id, index, value) => {
    results.push({
      objectId: { type, instance },
      values: [{ id, index, value: [{ type: value.type, value: value.value }] }],
    });
  });
  return visited === undefined ? undefined : results;
}
