import type { Peer } from "./peer";

/** BVLC functions of Annex J that a plain (non-BBMD) B/IP device meets. */
export const BVLC = {
  result: 0x00,
  writeBdt: 0x01,
  readBdt: 0x02,
  forwardedNpdu: 0x04,
  registerForeignDevice: 0x05,
  readFdt: 0x06,
  deleteFdtEntry: 0x08,
  distributeBroadcast: 0x09,
  originalUnicast: 0x0a,
  originalBroadcast: 0x0b,
} as const;

/** The BVLC-Result NAK a non-BBMD owes each BBMD management request (J.2.1.1). */
export const BVLC_NAK: Readonly<Record<number, number>> = {
  [BVLC.writeBdt]: 0x0010,
  [BVLC.readBdt]: 0x0020,
  [BVLC.registerForeignDevice]: 0x0030,
  [BVLC.readFdt]: 0x0040,
  [BVLC.deleteFdtEntry]: 0x0050,
  [BVLC.distributeBroadcast]: 0x0060,
};

export const PDU = {
  confirmedRequest: 0,
  unconfirmedRequest: 1,
  simpleAck: 2,
  complexAck: 3,
  segmentAck: 4,
  error: 5,
  reject: 6,
  abort: 7,
} as const;

export interface ConfirmedRequest {
  kind: "confirmed";
  peer: Peer;
  invokeId: number;
  service: number;
  /** Max-APDU-length-accepted code of the requester (0..5); unknown codes are clamped later. */
  maxApduCode: number;
  segmented: boolean;
  /** The requester accepts a segmented Complex-ACK, up to this many segments (0: unspecified). */
  segmentedResponseAccepted: boolean;
  maxSegmentsCode: number;
  /** The service parameters: buffer plus where they start and how long they are. */
  buffer: Buffer;
  offset: number;
  length: number;
}

export interface UnconfirmedRequest {
  kind: "unconfirmed";
  peer: Peer;
  service: number;
  buffer: Buffer;
  offset: number;
  length: number;
}

/** Replies to what this device initiated (confirmed COV notifications). */
export interface Acknowledgement {
  kind: "ack";
  peer: Peer;
  pduType: number;
  invokeId: number;
}

/** A client's Segment-ACK for a segmented reply we are sending. */
export interface SegmentAckFrame {
  kind: "segmentAck";
  peer: Peer;
  invokeId: number;
  sequence: number;
  window: number;
  negative: boolean;
}

export interface BvlcRequest {
  kind: "bvlc";
  peer: Peer;
  func: number;
}

export type Frame = ConfirmedRequest | UnconfirmedRequest | Acknowledgement | SegmentAckFrame | BvlcRequest;

/**
 * Parses BVLC, NPDU and the APDU header of one datagram with explicit bounds checks, so garbage never
 * reaches the library's decoders with an inconsistent length. Returns undefined for anything a
 * device must silently drop: bad BVLC, wrong NPDU version, network-layer messages, messages for a
 * remote network, truncated headers.
 */
export function decodeFrame(msg: Buffer, source: { address: string; port: number }): Frame | undefined {
  if (msg.length < 4 || msg[0] !== 0x81) return undefined;
  const func = msg[1] ?? -1;
  const declaredLength = ((msg[2] ?? 0) << 8) | (msg[3] ?? 0);
  if (declaredLength !== msg.length) return undefined;
  let offset = 4;
  const peer: Peer = { address: source.address, port: source.port };
  switch (func) {
    case BVLC.originalUnicast:
    case BVLC.originalBroadcast:
      break;
    case BVLC.forwardedNpdu: {
      if (msg.length < 10) return undefined;
      // The reply goes to the originating device, whose B/IP address the BBMD put in the header.
      peer.address = `${msg[4]}.${msg[5]}.${msg[6]}.${msg[7]}`;
      peer.port = ((msg[8] ?? 0) << 8) | (msg[9] ?? 0);
      offset = 10;
      break;
    }
    default:
      return func in BVLC_NAK ? { kind: "bvlc", peer, func } : undefined;
  }
  return decodeNpdu(msg, offset, peer);
}

function decodeNpdu(msg: Buffer, start: number, peer: Peer): Frame | undefined {
  let offset = start;
  if (msg.length < offset + 2 || msg[offset] !== 0x01) return undefined;
  const control = msg[offset + 1] ?? 0;
  offset += 2;
  const networkMessage = (control & 0x80) !== 0;
  const hasDestination = (control & 0x20) !== 0;
  const hasSource = (control & 0x08) !== 0;
  if (control & 0x50) return undefined; // reserved bits must be zero
  let dnet: number | undefined;
  if (hasDestination) {
    if (msg.length < offset + 3) return undefined;
    dnet = ((msg[offset] ?? 0) << 8) | (msg[offset + 1] ?? 0);
    const dlen = msg[offset + 2] ?? 0;
    offset += 3 + dlen;
  }
  if (hasSource) {
    if (msg.length < offset + 3) return undefined;
    const snet = ((msg[offset] ?? 0) << 8) | (msg[offset + 1] ?? 0);
    const slen = msg[offset + 2] ?? 0;
    if (slen === 0 || snet === 0 || snet === 0xffff || msg.length < offset + 3 + slen) return undefined;
    peer.net = snet;
    peer.adr = [...msg.subarray(offset + 3, offset + 3 + slen)];
    offset += 3 + slen;
  }
  if (hasDestination) offset += 1; // hop count
  if (msg.length <= offset) return undefined;
  // We are not a router: network-layer messages and messages for other networks are not ours.
  if (networkMessage) return undefined;
  if (dnet !== undefined && dnet !== 0xffff) return undefined;
  return decodeApdu(msg, offset, peer);
}

function decodeApdu(msg: Buffer, offset: number, peer: Peer): Frame | undefined {
  const first = msg[offset] ?? 0;
  const pduType = first >> 4;
  const remaining = msg.length - offset;
  switch (pduType) {
    case PDU.confirmedRequest: {
      const segmented = (first & 0x08) !== 0;
      const headerLength = segmented ? 6 : 4;
      if (remaining < headerLength) return undefined;
      return {
        kind: "confirmed",
        peer,
        invokeId: msg[offset + 2] ?? 0,
        service: msg[offset + headerLength - 1] ?? 0,
        maxApduCode: (msg[offset + 1] ?? 0) & 0x0f,
        maxSegmentsCode: ((msg[offset + 1] ?? 0) >> 4) & 0x07,
        segmentedResponseAccepted: (first & 0x02) !== 0,
        segmented,
        buffer: msg,
        offset: offset + headerLength,
        length: remaining - headerLength,
      };
    }
    case PDU.unconfirmedRequest:
      if (remaining < 2) return undefined;
      return {
        kind: "unconfirmed",
        peer,
        service: msg[offset + 1] ?? 0,
        buffer: msg,
        offset: offset + 2,
        length: remaining - 2,
      };
    case PDU.segmentAck:
      if (remaining < 4) return undefined;
      return {
        kind: "segmentAck",
        peer,
        invokeId: msg[offset + 1] ?? 0,
        sequence: msg[offset + 2] ?? 0,
        window: msg[offset + 3] ?? 0,
        negative: (first & 0x02) !== 0,
      };
    case PDU.simpleAck:
    case PDU.complexAck:
    case PDU.error:
    case PDU.reject:
    case PDU.abort:
      if (remaining < 2) return undefined;
      return { kind: "ack", peer, pduType, invokeId: msg[offset + 1] ?? 0 };
    default:
      return undefined;
  }
}
