import * as asn1 from "@bacnet-js/client/dist/lib/asn1.js";
import { ErrorService, IAm, IHave } from "@bacnet-js/client/dist/lib/services/index.js";
import type { EncodeBuffer } from "@bacnet-js/client/dist/lib/types.js";
import {
  type AppValue,
  type EventNotificationHeader,
  type EventValues,
  encodeEventNotificationRequest,
} from "@bms/bacnet";
import { BVLC, PDU } from "./frame-decoder";
import type { Peer } from "./peer";

/**
 * One scratch buffer for every encode in the process (the event loop is single-threaded and each
 * encode is synchronous); each frame is then copied out at its exact length, because dgram may still
 * hold the buffer after send() returns. 64 KiB is far above any APDU we allow, so an oversized reply
 * is measured, not truncated, and answered with an Abort instead.
 */
const scratch = Buffer.alloc(64 * 1024);

export interface EncodedFrame {
  frame: Buffer;
  /** Octets of the APDU alone, to compare with the requester's max-APDU. */
  apduLength: number;
}

function begin(peer: Peer | undefined, expectingReply = false): { buf: EncodeBuffer; apduStart: number } {
  const buf: EncodeBuffer = { buffer: scratch, offset: 4 };
  const routed = peer?.net !== undefined && peer.adr !== undefined;
  scratch[buf.offset++] = 0x01; // NPDU version
  scratch[buf.offset++] = (routed ? 0x20 : 0) | (expectingReply ? 0x04 : 0);
  if (routed && peer?.net !== undefined && peer.adr) {
    scratch[buf.offset++] = peer.net >> 8;
    scratch[buf.offset++] = peer.net & 0xff;
    scratch[buf.offset++] = peer.adr.length;
    for (const octet of peer.adr) scratch[buf.offset++] = octet;
    scratch[buf.offset++] = 0xff; // hop count
  }
  return { buf, apduStart: buf.offset };
}

function finish(buf: EncodeBuffer, apduStart: number, func: number = BVLC.originalUnicast): EncodedFrame {
  const length = buf.offset;
  scratch[0] = 0x81;
  scratch[1] = func;
  scratch[2] = length >> 8;
  scratch[3] = length & 0xff;
  return { frame: Buffer.from(scratch.subarray(0, length)), apduLength: length - apduStart };
}

export function encodeComplexAck(
  peer: Peer,
  invokeId: number,
  service: number,
  body: (buf: EncodeBuffer) => void,
): EncodedFrame {
  const { buf, apduStart } = begin(peer);
  scratch[buf.offset++] = PDU.complexAck << 4;
  scratch[buf.offset++] = invokeId;
  scratch[buf.offset++] = service;
  body(buf);
  return finish(buf, apduStart);
}

export function encodeSimpleAck(peer: Peer, invokeId: number, service: number): EncodedFrame {
  const { buf, apduStart } = begin(peer);
  scratch[buf.offset++] = PDU.simpleAck << 4;
  scratch[buf.offset++] = invokeId;
  scratch[buf.offset++] = service;
  return finish(buf, apduStart);
}

export function encodeError(
  peer: Peer,
  invokeId: number,
  service: number,
  errorClass: number,
  errorCode: number,
): EncodedFrame {
  const { buf, apduStart } = begin(peer);
  scratch[buf.offset++] = PDU.error << 4;
  scratch[buf.offset++] = invokeId;
  scratch[buf.offset++] = service;
  ErrorService.encode(buf, errorClass, errorCode);
  return finish(buf, apduStart);
}

/**
 * The WritePropertyMultiple-Error (clause 15.10.1.3.2): the error, then which write failed first, so a
 * client knows the writes before it were applied.
 */
export function encodeWpmError(
  peer: Peer,
  invokeId: number,
  errorClass: number,
  errorCode: number,
  failed: { objectType: number; instance: number; property: number; index?: number },
): EncodedFrame {
  const { buf, apduStart } = begin(peer);
  scratch[buf.offset++] = PDU.error << 4;
  scratch[buf.offset++] = invokeId;
  scratch[buf.offset++] = 16; // writePropertyMultiple
  asn1.encodeOpeningTag(buf, 0);
  asn1.encodeApplicationEnumerated(buf, errorClass);
  asn1.encodeApplicationEnumerated(buf, errorCode);
  asn1.encodeClosingTag(buf, 0);
  asn1.encodeOpeningTag(buf, 1);
  asn1.encodeContextObjectId(buf, 0, failed.objectType, failed.instance);
  asn1.encodeContextEnumerated(buf, 1, failed.property);
  if (failed.index !== undefined) asn1.encodeContextUnsigned(buf, 2, failed.index);
  asn1.encodeClosingTag(buf, 1);
  return finish(buf, apduStart);
}

export function encodeReject(peer: Peer, invokeId: number, reason: number): EncodedFrame {
  const { buf, apduStart } = begin(peer);
  scratch[buf.offset++] = PDU.reject << 4;
  scratch[buf.offset++] = invokeId;
  scratch[buf.offset++] = reason;
  return finish(buf, apduStart);
}

/** Abort sent by a server: the SRV bit (0x01) of the first octet is set (clause 20.1.9). */
export function encodeAbort(peer: Peer, invokeId: number, reason: number): EncodedFrame {
  const { buf, apduStart } = begin(peer);
  scratch[buf.offset++] = (PDU.abort << 4) | 0x01;
  scratch[buf.offset++] = invokeId;
  scratch[buf.offset++] = reason;
  return finish(buf, apduStart);
}

function unconfirmed(
  peer: Peer | undefined,
  service: number,
  body: (buf: EncodeBuffer) => void,
): EncodedFrame {
  const { buf, apduStart } = begin(peer);
  scratch[buf.offset++] = PDU.unconfirmedRequest << 4;
  scratch[buf.offset++] = service;
  body(buf);
  return finish(buf, apduStart);
}

/**
 * I-Am with the device's own max-APDU (1476 at most: the library's default of 1482 is illegal on B/IP)
 * and its segmentation support (1 segmented-transmit, 3 none).
 */
export function encodeIAm(
  peer: Peer,
  deviceInstance: number,
  vendorId: number,
  link: { maxApdu: number; segmentation: boolean } = { maxApdu: 1476, segmentation: false },
): EncodedFrame {
  return unconfirmed(peer, 0, (buf) =>
    IAm.encode(buf, deviceInstance, link.maxApdu, link.segmentation ? 1 : 3, vendorId),
  );
}

/** One segment of a Complex-ACK: the segment header, then its share of the service data. */
export function encodeSegment(peer: Peer, header: Buffer, data: Buffer): EncodedFrame {
  const { buf, apduStart } = begin(peer);
  header.copy(scratch, buf.offset);
  buf.offset += header.length;
  data.copy(scratch, buf.offset);
  buf.offset += data.length;
  return finish(buf, apduStart);
}

/** A Complex-ACK's service data alone, to be cut into segments. */
export function encodeComplexAckBody(body: (buf: EncodeBuffer) => void): Buffer {
  const buf: EncodeBuffer = { buffer: scratch, offset: 0 };
  body(buf);
  return Buffer.from(scratch.subarray(0, buf.offset));
}

export function encodeIHave(
  peer: Peer,
  deviceInstance: number,
  objectId: { type: number; instance: number },
  objectName: string,
): EncodedFrame {
  return unconfirmed(peer, 1, (buf) =>
    IHave.encode(buf, { type: 8, instance: deviceInstance }, objectId, objectName),
  );
}

export interface CovValue {
  property: number;
  values: AppValue[];
}

/**
 * COV notification parameters (clause 13.6/13.7), encoded here rather than with the library's
 * CovNotify.encode, whose array-index condition is inverted.
 */
function covBody(
  buf: EncodeBuffer,
  processId: number,
  deviceInstance: number,
  objectId: { type: number; instance: number },
  timeRemaining: number,
  values: CovValue[],
): void {
  asn1.encodeContextUnsigned(buf, 0, processId);
  asn1.encodeContextObjectId(buf, 1, 8, deviceInstance);
  asn1.encodeContextObjectId(buf, 2, objectId.type, objectId.instance);
  asn1.encodeContextUnsigned(buf, 3, timeRemaining);
  asn1.encodeOpeningTag(buf, 4);
  for (const item of values) {
    asn1.encodeContextEnumerated(buf, 0, item.property);
    asn1.encodeOpeningTag(buf, 2);
    for (const value of item.values) asn1.bacappEncodeApplicationData(buf, value);
    asn1.encodeClosingTag(buf, 2);
  }
  asn1.encodeClosingTag(buf, 4);
}

export function encodeUnconfirmedCov(
  peer: Peer,
  processId: number,
  deviceInstance: number,
  objectId: { type: number; instance: number },
  timeRemaining: number,
  values: CovValue[],
): EncodedFrame {
  return unconfirmed(peer, 2, (buf) =>
    covBody(buf, processId, deviceInstance, objectId, timeRemaining, values),
  );
}

export function encodeConfirmedCov(
  peer: Peer,
  invokeId: number,
  processId: number,
  deviceInstance: number,
  objectId: { type: number; instance: number },
  timeRemaining: number,
  values: CovValue[],
): EncodedFrame {
  const { buf, apduStart } = begin(peer, true);
  scratch[buf.offset++] = PDU.confirmedRequest << 4;
  scratch[buf.offset++] = 0x05; // max segments unspecified, max APDU 1476
  scratch[buf.offset++] = invokeId;
  scratch[buf.offset++] = 1; // confirmedCOVNotification
  covBody(buf, processId, deviceInstance, objectId, timeRemaining, values);
  return finish(buf, apduStart);
}

/** BVLC-Result (J.2.1): a NAK for BBMD functions we do not provide. */
export function encodeBvlcResult(code: number): Buffer {
  return Buffer.from([0x81, BVLC.result, 0x00, 0x06, code >> 8, code & 0xff]);
}

/** An EventNotification: confirmed (service 2) with an invoke id, else unconfirmed (service 3). */
export function encodeEventNotification(
  peer: Peer,
  invokeId: number | undefined,
  header: EventNotificationHeader,
  values: EventValues | undefined,
): EncodedFrame {
  // Our encoder (packages/bacnet): the library's cannot encode command-failure or extended values.
  if (invokeId === undefined) {
    return unconfirmed(peer, 3, (buf) => encodeEventNotificationRequest(buf, header, values));
  }
  const { buf, apduStart } = begin(peer, true);
  scratch[buf.offset++] = PDU.confirmedRequest << 4;
  scratch[buf.offset++] = 0x05; // max segments unspecified, max APDU 1476
  scratch[buf.offset++] = invokeId;
  scratch[buf.offset++] = 2; // confirmedEventNotification
  encodeEventNotificationRequest(buf, header, values);
  return finish(buf, apduStart);
}
