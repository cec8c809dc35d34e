/**
 * The BACnet network layer (clause 6) and the BACnet/IP virtual link layer (Annex J) as plain bytes:
 * NPDU headers with DNET/DADR and SNET/SADR, the router messages, and the BVLL functions a BBMD and a
 * foreign device exchange. Decoders take untrusted datagrams: every length is checked and a problem is
 * returned as a code, never thrown, so the caller counts it and drops the datagram.
 */

/** NPDU control octet bits (clause 6.2.2). */
export const NPDU_CONTROL = {
  networkMessage: 0x80,
  destination: 0x20,
  source: 0x08,
  expectingReply: 0x04,
  /** Bits 6 and 4 are reserved and must be zero. */
  reserved: 0x50,
} as const;

/** Network-layer message types (clause 6.2.4) that we send or answer. */
export const NETWORK_MESSAGE = {
  whoIsRouterToNetwork: 0x00,
  iAmRouterToNetwork: 0x01,
  rejectMessageToNetwork: 0x03,
} as const;

/** DNET of a global broadcast: every network, every device. */
export const GLOBAL_NETWORK = 0xffff;
export const DEFAULT_HOP_COUNT = 255;

/** A network number and a MAC on it: a routed device's DNET/DADR or a routed sender's SNET/SADR. */
export interface NetworkAddress {
  net: number;
  /** The MAC: 1 octet on MS/TP, 6 on B/IP (4 address + 2 port); empty for a broadcast on `net`. */
  adr: number[];
}

export interface Npdu {
  expectingReply: boolean;
  priority: number;
  destination?: NetworkAddress;
  source?: NetworkAddress;
  hopCount?: number;
  /** Set for a network-layer message; the APDU offset then points at its parameters. */
  messageType?: number;
  vendorId?: number;
}

/** Why an NPDU was refused; callers count these by code. */
export type NpduProblem =
  | "truncated"
  | "version"
  | "reserved-bits"
  | "bad-sadr-length"
  | "bad-snet"
  | "bad-dadr-length"
  | "no-apdu";

export type NpduDecoded = { ok: true; npdu: Npdu; offset: number } | { ok: false; problem: NpduProblem };

/** A MAC carried in an NPDU: 1 octet on MS/TP and ARCNET, 6 on B/IP and Ethernet, 7 at most (clause 6.2.2). */
const MAX_MAC = 7;

export function encodeNpdu(npdu: Partial<Npdu>): Buffer {
  const octets: number[] = [0x01];
  let control = (npdu.priority ?? 0) & 0x03;
  if (npdu.messageType !== undefined) control |= NPDU_CONTROL.networkMessage;
  if (npdu.destination) control |= NPDU_CONTROL.destination;
  if (npdu.source) control |= NPDU_CONTROL.source;
  if (npdu.expectingReply) control |= NPDU_CONTROL.expectingReply;
  octets.push(control);
  if (npdu.destination) pushAddress(octets, npdu.destination);
  if (npdu.source) pushAddress(octets, npdu.source);
  if (npdu.destination) octets.push(npdu.hopCount ?? DEFAULT_HOP_COUNT);
  if (npdu.messageType !== undefined) {
    octets.push(npdu.messageType);
    if (npdu.messageType >= 0x80) octets.push((npdu.vendorId ?? 0) >> 8, (npdu.vendorId ?? 0) & 0xff);
  }
  return Buffer.from(octets);
}

function pushAddress(octets: number[], address: NetworkAddress): void {
  octets.push(address.net >> 8, address.net & 0xff, address.adr.length, ...address.adr);
}

export function decodeNpdu(buf: Buffer, start: number): NpduDecoded {
  let offset = start;
  if (buf.length < offset + 2) return { ok: false, problem: "truncated" };
  if (buf[offset] !== 0x01) return { ok: false, problem: "version" };
  const control = buf[offset + 1] ?? 0;
  if (control & NPDU_CONTROL.reserved) return { ok: false, problem: "reserved-bits" };
  offset += 2;
  const npdu: Npdu = {
    expectingReply: (control & NPDU_CONTROL.expectingReply) !== 0,
    priority: control & 0x03,
  };
  if (control & NPDU_CONTROL.destination) {
    if (buf.length < offset + 3) return { ok: false, problem: "truncated" };
    const net = buf.readUInt16BE(offset);
    const length = buf[offset + 2] ?? 0;
    // DLEN 0 is a broadcast on DNET; otherwise a MAC of a real data link.
    if (length > MAX_MAC || net === 0) return { ok: false, problem: "bad-dadr-length" };
    if (buf.length < offset + 3 + length) return { ok: false, problem: "truncated" };
    npdu.destination = { net, adr: [...buf.subarray(offset + 3, offset + 3 + length)] };
    offset += 3 + length;
  }
  if (control & NPDU_CONTROL.source) {
    if (buf.length < offset + 3) return { ok: false, problem: "truncated" };
    const net = buf.readUInt16BE(offset);
    const length = buf[offset + 2] ?? 0;
    // SNET 0 and 0xFFFF and SLEN 0 are forbidden (clause 6.2.2): a source is one device on one network.
    if (net === 0 || net === GLOBAL_NETWORK) return { ok: false, problem: "bad-snet" };
    if (length === 0 || length > MAX_MAC) return { ok: false, problem: "bad-sadr-length" };
    if (buf.length < offset + 3 + length) return { ok: false, problem: "truncated" };
    npdu.source = { net, adr: [...buf.subarray(offset + 3, offset + 3 + length)] };
    offset += 3 + length;
  }
  if (npdu.destination) {
    if (buf.length < offset + 1) return { ok: false, problem: "truncated" };
    npdu.hopCount = buf[offset++] ?? 0;
  }
  if (control & NPDU_CONTROL.networkMessage) {
    if (buf.length < offset + 1) return { ok: false, problem: "truncated" };
    npdu.messageType = buf[offset++] ?? 0;
    if (npdu.messageType >= 0x80) {
      if (buf.length < offset + 2) return { ok: false, problem: "truncated" };
      npdu.vendorId = buf.readUInt16BE(offset);
      offset += 2;
    }
  } else if (buf.length <= offset) {
    return { ok: false, problem: "no-apdu" };
  }
  return { ok: true, npdu, offset };
}

/** Who-Is-Router-To-Network: for one network, or (no network) for every network any router reaches. */
export function encodeWhoIsRouter(network?: number, destination?: NetworkAddress): Buffer {
  const header = encodeNpdu({ messageType: NETWORK_MESSAGE.whoIsRouterToNetwork, destination });
  return network === undefined
    ? header
    : Buffer.concat([header, Buffer.from([network >> 8, network & 0xff])]);
}

export function encodeIAmRouter(networks: readonly number[]): Buffer {
  const header = encodeNpdu({ messageType: NETWORK_MESSAGE.iAmRouterToNetwork });
  const body = Buffer.alloc(networks.length * 2);
  for (const [i, net] of networks.entries()) body.writeUInt16BE(net, i * 2);
  return Buffer.concat([header, body]);
}

/** The network numbers of an I-Am-Router-To-Network; undefined when the list is empty or odd-sized. */
export function decodeNetworkList(buf: Buffer, offset: number): number[] | undefined {
  const length = buf.length - offset;
  if (length < 2 || length % 2 !== 0) return undefined;
  const networks: number[] = [];
  for (let at = offset; at < buf.length; at += 2) networks.push(buf.readUInt16BE(at));
  return networks;
}

/** The optional network of a Who-Is-Router-To-Network: undefined asks about all of them. */
export function decodeWhoIsRouterNetwork(buf: Buffer, offset: number): number | undefined {
  return buf.length >= offset + 2 ? buf.readUInt16BE(offset) : undefined;
}

/** BVLC function codes (Annex J.2). */
export const BVLC_FUNCTION = {
  result: 0x00,
  writeBdt: 0x01,
  readBdt: 0x02,
  readBdtAck: 0x03,
  forwardedNpdu: 0x04,
  registerForeignDevice: 0x05,
  readFdt: 0x06,
  readFdtAck: 0x07,
  deleteFdtEntry: 0x08,
  distributeBroadcastToNetwork: 0x09,
  originalUnicast: 0x0a,
  originalBroadcast: 0x0b,
} as const;

/** BVLC-Result codes (J.2.1.1). */
export const BVLC_RESULT = {
  success: 0x0000,
  writeBdtNak: 0x0010,
  readBdtNak: 0x0020,
  registerForeignDeviceNak: 0x0030,
  readFdtNak: 0x0040,
  deleteFdtEntryNak: 0x0050,
  distributeBroadcastNak: 0x0060,
} as const;

export interface IpEndpoint {
  address: string;
  port: number;
}

/** One decoded BVLL message: which fields are set depends on the function. */
export interface Bvll {
  func: number;
  /** The NPDU carried (original unicast/broadcast, forwarded, distribute-broadcast) or the BDT/FDT body. */
  npdu?: Buffer;
  /** Forwarded-NPDU: the B/IP address of the device that sent the broadcast. */
  origin?: IpEndpoint;
  /** BVLC-Result code. */
  result?: number;
  /** Register-Foreign-Device: the time-to-live asked for, seconds. */
  ttlS?: number;
}

export type BvllProblem = "truncated" | "not-bvll" | "length-mismatch" | "unknown-function";

export function encodeBvll(func: number, payload: Buffer, origin?: IpEndpoint): Buffer {
  const head = origin ? 10 : 4;
  const out = Buffer.alloc(head + payload.length);
  out[0] = 0x81;
  out[1] = func;
  out.writeUInt16BE(out.length, 2);
  if (origin) writeEndpoint(out, 4, origin);
  payload.copy(out, head);
  return out;
}

export function encodeBvlcResult(code: number): Buffer {
  return Buffer.from([0x81, BVLC_FUNCTION.result, 0x00, 0x06, code >> 8, code & 0xff]);
}

export function encodeRegisterForeignDevice(ttlS: number): Buffer {
  return Buffer.from([0x81, BVLC_FUNCTION.registerForeignDevice, 0x00, 0x06, ttlS >> 8, ttlS & 0xff]);
}

/** The 6-octet B/IP address of BACnet (4 octets of IPv4, 2 of port), as used in SADR and Forwarded-NPDU. */
export function endpointToMac(endpoint: IpEndpoint): number[] {
  return [...endpoint.address.split(".").map(Number), endpoint.port >> 8, endpoint.port & 0xff];
}

export function macToEndpoint(mac: readonly number[]): IpEndpoint | undefined {
  if (mac.length !== 6) return undefined;
  return { address: mac.slice(0, 4).join("."), port: ((mac[4] ?? 0) << 8) | (mac[5] ?? 0) };
}

function writeEndpoint(out: Buffer, offset: number, endpoint: IpEndpoint): void {
  endpointToMac(endpoint).forEach((octet, i) => {
    out[offset + i] = octet;
  });
}

function readEndpoint(buf: Buffer, offset: number): IpEndpoint {
  return macToEndpoint([...buf.subarray(offset, offset + 6)]) as IpEndpoint;
}

export function decodeBvll(buf: Buffer): { ok: true; bvll: Bvll } | { ok: false; problem: BvllProblem } {
  if (buf.length < 4) return { ok: false, problem: "truncated" };
  if (buf[0] !== 0x81) return { ok: false, problem: "not-bvll" };
  if (buf.readUInt16BE(2) !== buf.length) return { ok: false, problem: "length-mismatch" };
  const func = buf[1] ?? -1;
  switch (func) {
    case BVLC_FUNCTION.result:
      if (buf.length !== 6) return { ok: false, problem: "truncated" };
      return { ok: true, bvll: { func, result: buf.readUInt16BE(4) } };
    case BVLC_FUNCTION.registerForeignDevice:
      if (buf.length !== 6) return { ok: false, problem: "truncated" };
      return { ok: true, bvll: { func, ttlS: buf.readUInt16BE(4) } };
    case BVLC_FUNCTION.forwardedNpdu:
      if (buf.length < 11) return { ok: false, problem: "truncated" };
      return { ok: true, bvll: { func, origin: readEndpoint(buf, 4), npdu: buf.subarray(10) } };
    case BVLC_FUNCTION.originalUnicast:
    case BVLC_FUNCTION.originalBroadcast:
    case BVLC_FUNCTION.distributeBroadcastToNetwork:
      if (buf.length < 5) return { ok: false, problem: "truncated" };
      return { ok: true, bvll: { func, npdu: buf.subarray(4) } };
    case BVLC_FUNCTION.writeBdt:
    case BVLC_FUNCTION.readBdt:
    case BVLC_FUNCTION.readFdt:
    case BVLC_FUNCTION.deleteFdtEntry:
    case BVLC_FUNCTION.readBdtAck:
    case BVLC_FUNCTION.readFdtAck:
      return { ok: true, bvll: { func, npdu: buf.subarray(4) } };
    default:
      return { ok: false, problem: "unknown-function" };
  }
}
