import { normalizeIpPort } from "./device-address";

/** APDU types (the high nibble of the first APDU octet) that answer one of our confirmed requests. */
const CONFIRMED_REQUEST = 0;
const REPLY_TYPES = new Set([2, 3, 4, 5, 6, 7]); // SimpleAck, ComplexAck, SegmentAck, Error, Reject, Abort

/** BVLC functions that carry an NPDU: forwarded (4), distribute-broadcast (9), unicast (10), broadcast (11). */
const FORWARDED_NPDU = 0x04;
const NPDU_FUNCTIONS = new Set([FORWARDED_NPDU, 0x09, 0x0a, 0x0b]);

export interface PeekedApdu {
  /** 0 confirmed request, 1 unconfirmed request, 2..7 the replies. */
  pduType: number;
  invokeId?: number;
  /** Forwarded-NPDU: the B/IP address the BBMD says the message came from. */
  originator?: string;
  /** NPDU DNET/DADR (where a routed request goes) and SNET/SADR (where a routed reply comes from). */
  destination?: string;
  source?: string;
}

/**
 * Reads just enough of a BACnet/IP datagram to know what it is: BVLC, then the NPDU's optional
 * destination and source, then the APDU type and invoke id. Undefined for anything that is not an
 * NPDU with an APDU (BVLC results, network-layer messages, truncated frames).
 */
export function peekApdu(datagram: Uint8Array): PeekedApdu | undefined {
  if (datagram.length < 6 || datagram[0] !== 0x81) return undefined;
  const fn = datagram[1]!;
  if (!NPDU_FUNCTIONS.has(fn)) return undefined;
  let offset = 4;
  let originator: string | undefined;
  if (fn === FORWARDED_NPDU) {
    if (datagram.length < 12) return undefined;
    const ip = `${datagram[4]}.${datagram[5]}.${datagram[6]}.${datagram[7]}`;
    originator = `${ip}:${(datagram[8]! << 8) | datagram[9]!}`;
    offset = 10;
  }
  if (datagram[offset] !== 0x01) return undefined; // NPDU version
  const control = datagram[offset + 1];
  if (control === undefined || control & 0x80) return undefined; // network-layer message: no APDU
  offset += 2;
  let destination: string | undefined;
  let source: string | undefined;
  if (control & 0x20) {
    const target = readTarget(datagram, offset);
    if (target === undefined) return undefined;
    destination = target.text;
    offset = target.next;
  }
  if (control & 0x08) {
    const target = readTarget(datagram, offset);
    if (target === undefined) return undefined;
    source = target.text;
    offset = target.next;
  }
  if (control & 0x20) offset++; // hop count
  const first = datagram[offset];
  if (first === undefined) return undefined;
  const pduType = first >> 4;
  const peeked: PeekedApdu = { pduType };
  if (originator) peeked.originator = originator;
  if (destination) peeked.destination = destination;
  if (source) peeked.source = source;
  const invokeAt = pduType === CONFIRMED_REQUEST ? offset + 2 : REPLY_TYPES.has(pduType) ? offset + 1 : -1;
  if (invokeAt >= 0) {
    const invokeId = datagram[invokeAt];
    if (invokeId === undefined) return undefined;
    peeked.invokeId = invokeId;
  }
  return peeked;
}

/**
 * An NPDU's DNET/DLEN/DADR (or SNET/SLEN/SADR) at `at`, as `net/aa:bb`, and where it ends. A function
 * of its own rather than a closure in peekApdu: that ran for every datagram, routed or not.
 */
function readTarget(datagram: Uint8Array, at: number): { text: string; next: number } | undefined {
  if (at + 3 > datagram.length) return undefined;
  const net = (datagram[at]! << 8) | datagram[at + 1]!;
  const len = datagram[at + 2]!;
  if (at + 3 + len > datagram.length) return undefined;
  const mac = Array.from(datagram.subarray(at + 3, at + 3 + len), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join(":");
  return { text: `${net}/${mac}`, next: at + 3 + len };
}

export type ReplyVerdict =
  /** Not a reply (a request, an I-Am, a COV notification...): other checks apply. */
  | "not-a-reply"
  /** A reply from the peer the request with that invoke id went to. */
  | "match"
  /** A reply whose invoke id we used, but from another peer: forged or misrouted. */
  | "foreign"
  /** A reply to an invoke id we never sent a request with. */
  | "unsolicited";

/**
 * The library matches replies by invoke id alone (one byte, easy to guess), so any host could answer
 * a read in the device's place. This remembers, per invoke id, the peer the confirmed request went to
 * (B/IP address plus DNET/DADR when routed), and accepts a reply only from that same peer. The entry
 * is replaced when the library reuses the id, so the table never holds more than 256 peers; a late
 * reply to a finished request still passes here and is dropped by the library's own table.
 */
export class ReplyMatcher {
  private readonly peers = new Map<number, string>();

  /** Call for every datagram sent, with the `ip:port` it goes to. */
  noteSent(datagram: Uint8Array, receiver: string | undefined): void {
    if (receiver === undefined) return;
    const apdu = peekApdu(datagram);
    if (apdu?.pduType !== CONFIRMED_REQUEST || apdu.invokeId === undefined) return;
    this.peers.set(apdu.invokeId, peerKey(receiver, apdu.destination));
  }

  /** Call for every datagram received, with the `ip:port` of the UDP sender. */
  check(datagram: Uint8Array, sender: string): ReplyVerdict {
    const apdu = peekApdu(datagram);
    if (!apdu || apdu.invokeId === undefined || !REPLY_TYPES.has(apdu.pduType)) return "not-a-reply";
    const expected = this.peers.get(apdu.invokeId);
    if (expected === undefined) return "unsolicited";
    // The UDP sender, never a Forwarded-NPDU's originator field: that is just bytes anyone can write.
    return peerKey(sender, apdu.source) === expected ? "match" : "foreign";
  }

  /** The peer a request with this invoke id went to, for the event that reports a foreign reply. */
  expectedPeer(invokeId: number): string | undefined {
    return this.peers.get(invokeId);
  }
}

/**
 * Addresses already normalised: every request and every reply of every scan names one of a site's few
 * device addresses, and parsing each (two regular expressions) was a visible share of a 2,000-point scan
 * (issue 15). Bounded, as senders come from the network: cleared when it holds too many.
 */
const normalized = new Map<string, string>();
const MAX_NORMALIZED = 4096;

function peerKey(address: string, route: string | undefined): string {
  let ipPort = normalized.get(address);
  if (ipPort === undefined) {
    ipPort = normalizeIpPort(address) ?? address;
    if (normalized.size >= MAX_NORMALIZED) normalized.clear();
    normalized.set(address, ipPort);
  }
  return route === undefined ? ipPort : `${ipPort} ${route}`;
}
