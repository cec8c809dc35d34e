/**
 * Who-Has and I-Have (clause 16.9), which @bacnet-js/client cannot send: the APDU is encoded here and
 * the supervisor's transport puts it in a global NPDU. An I-Have comes from the network, so its decoder
 * checks every octet and refuses (with a code) anything that is not exactly one well-formed answer.
 */

const UNCONFIRMED_REQUEST = 0x10;
export const SERVICE_I_HAVE = 1;
export const SERVICE_WHO_HAS = 7;
const DEVICE_TYPE = 8;
/** Instance 4194303 is the wildcard: no device has it. */
export const MAX_DEVICE_INSTANCE = 4_194_302;
/** Object names are CharacterStrings; the standard sets no bound, we refuse more than this many octets. */
export const MAX_OBJECT_NAME_OCTETS = 1024;

export type WhoHasTarget = { objectName: string } | { objectId: { type: number; instance: number } };

export interface WhoHasRequest {
  target: WhoHasTarget;
  /** Only devices with an instance in this range answer (both or neither, clause 16.9.1.1). */
  lowLimit?: number;
  highLimit?: number;
}

function unsigned(value: number): number[] {
  if (value < 0x100) return [value];
  if (value < 0x10000) return [value >> 8, value & 0xff];
  if (value < 0x1000000) return [value >> 16, (value >> 8) & 0xff, value & 0xff];
  return [(value >>> 24) & 0xff, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

/** A context-tagged primitive: tag number, then the length inline (≤ 4) or in extended octets. */
function contextTag(tag: number, content: readonly number[]): number[] {
  const length = content.length;
  if (length <= 4) return [(tag << 4) | 0x08 | length, ...content];
  if (length <= 253) return [(tag << 4) | 0x08 | 5, length, ...content];
  return [(tag << 4) | 0x08 | 5, 254, length >> 8, length & 0xff, ...content];
}

function objectIdOctets(type: number, instance: number): number[] {
  const packed = ((type & 0x3ff) << 22) | (instance & 0x3fffff);
  return [(packed >>> 24) & 0xff, (packed >> 16) & 0xff, (packed >> 8) & 0xff, packed & 0xff];
}

/** The Who-Has APDU (unconfirmed request, service 7); throws RangeError on input no device could match. */
export function encodeWhoHas(request: WhoHasRequest): Buffer {
  const octets = [UNCONFIRMED_REQUEST, SERVICE_WHO_HAS];
  const { lowLimit, highLimit } = request;
  if ((lowLimit === undefined) !== (highLimit === undefined)) {
    throw new RangeError("Who-Has needs both instance limits or neither");
  }
  if (lowLimit !== undefined && highLimit !== undefined) {
    for (const limit of [lowLimit, highLimit]) {
      if (!Number.isInteger(limit) || limit < 0 || limit > 4_194_303) {
        throw new RangeError(`instance limit ${limit} is outside 0..4194303`);
      }
    }
    if (lowLimit > highLimit) throw new RangeError("the low instance limit is above the high one");
    octets.push(...contextTag(0, unsigned(lowLimit)), ...contextTag(1, unsigned(highLimit)));
  }
  if ("objectName" in request.target) {
    const name = Buffer.from(request.target.objectName, "utf8");
    if (name.length === 0 || name.length > MAX_OBJECT_NAME_OCTETS) {
      throw new RangeError(`an object name is 1..${MAX_OBJECT_NAME_OCTETS} octets`);
    }
    // Character set 0: ISO 10646 UTF-8.
    octets.push(...contextTag(3, [0, ...name]));
  } else {
    const { type, instance } = request.target.objectId;
    if (!Number.isInteger(type) || type < 0 || type > 1023) throw new RangeError(`object type ${type}`);
    if (!Number.isInteger(instance) || instance < 0 || instance > 4_194_303) {
      throw new RangeError(`object instance ${instance}`);
    }
    octets.push(...contextTag(2, objectIdOctets(type, instance)));
  }
  return Buffer.from(octets);
}

export interface IHave {
  deviceInstance: number;
  object: { type: number; instance: number };
  objectName: string;
}

/** Why an I-Have was refused; callers count these by code. */
export type IHaveProblem =
  | "not-i-have"
  | "truncated"
  | "bad-tag"
  | "not-a-device"
  | "bad-instance"
  | "unsupported-charset"
  | "bad-name"
  | "trailing-octets";

export type IHaveDecoded = { ok: true; iHave: IHave } | { ok: false; problem: IHaveProblem };

/** True when the APDU at `offset` is an I-Have (for routing it to decodeIHave). */
export function isIHave(buf: Buffer, offset: number): boolean {
  return buf[offset] === UNCONFIRMED_REQUEST && buf[offset + 1] === SERVICE_I_HAVE;
}

/** Application tag 12 (BACnetObjectIdentifier), length 4. */
function readObjectId(buf: Buffer, at: number): { type: number; instance: number } | undefined {
  if (buf[at] !== 0xc4 || at + 5 > buf.length) return undefined;
  const packed = buf.readUInt32BE(at + 1);
  return { type: packed >>> 22, instance: packed & 0x3fffff };
}

/**
 * Decodes an I-Have APDU starting at `offset` and ending at the end of `buf`: device identifier,
 * object identifier, object name (application tags 12, 12, 7), nothing more.
 */
export function decodeIHave(buf: Buffer, offset: number): IHaveDecoded {
  if (!isIHave(buf, offset)) return { ok: false, problem: "not-i-have" };
  let at = offset + 2;
  if (at + 10 > buf.length) return { ok: false, problem: "truncated" };
  const device = readObjectId(buf, at);
  if (!device) return { ok: false, problem: "bad-tag" };
  if (device.type !== DEVICE_TYPE) return { ok: false, problem: "not-a-device" };
  if (device.instance > MAX_DEVICE_INSTANCE) return { ok: false, problem: "bad-instance" };
  at += 5;
  const object = readObjectId(buf, at);
  if (!object) return { ok: false, problem: "bad-tag" };
  if (object.instance > 4_194_303) return { ok: false, problem: "bad-instance" };
  at += 5;
  // Application tag 7 (CharacterString): length inline (0..4) or 5 + extended length octets.
  const tag = buf[at];
  if (tag === undefined) return { ok: false, problem: "truncated" };
  if (tag >> 4 !== 7 || (tag & 0x08) !== 0) return { ok: false, problem: "bad-tag" };
  let length = tag & 0x07;
  at += 1;
  if (length === 5) {
    const first = buf[at];
    if (first === undefined) return { ok: false, problem: "truncated" };
    if (first <= 253) {
      length = first;
      at += 1;
    } else if (first === 254) {
      if (at + 3 > buf.length) return { ok: false, problem: "truncated" };
      length = buf.readUInt16BE(at + 1);
      at += 3;
    } else {
      return { ok: false, problem: "bad-name" };
    }
  }
  if (length < 2 || length - 1 > MAX_OBJECT_NAME_OCTETS) return { ok: false, problem: "bad-name" };
  if (at + length > buf.length) return { ok: false, problem: "truncated" };
  if (at + length < buf.length) return { ok: false, problem: "trailing-octets" };
  const charset = buf[at];
  const text = buf.subarray(at + 1, at + length);
  let objectName: string;
  if (charset === 0) {
    try {
      objectName = new TextDecoder("utf-8", { fatal: true }).decode(text);
    } catch {
      return { ok: false, problem: "bad-name" };
    }
  } else if (charset === 5) {
    objectName = text.toString("latin1");
  } else {
    return { ok: false, problem: "unsupported-charset" };
  }
  // Control characters in a name are never legitimate and would garble logs and views.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point of the check
  if (objectName.length === 0 || /[\u0000-\u001f\u007f]/.test(objectName)) {
    return { ok: false, problem: "bad-name" };
  }
  return { ok: true, iHave: { deviceInstance: device.instance, object, objectName } };
}
