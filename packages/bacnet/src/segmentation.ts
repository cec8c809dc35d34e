/**
 * Segmented Complex-ACKs (clause 5.2 and 5.4.4): the APDU headers, the Segment-ACK, and the receiving
 * side's window logic as a pure state machine with an injected clock, so the supervisor's transport and
 * the unit tests drive the same code. The sending side (the simulator) uses the header encoders.
 */

export const APDU_TYPE = {
  confirmedRequest: 0x0,
  complexAck: 0x3,
  segmentAck: 0x4,
  abort: 0x7,
} as const;

/** First-octet bits of a Complex-ACK / Confirmed-Request (clause 20.1.2, 20.1.5). */
export const SEGMENT_BITS = {
  segmented: 0x08,
  moreFollows: 0x04,
  /** Confirmed-Request only: the client accepts a segmented answer. */
  segmentedResponseAccepted: 0x02,
} as const;

/** Max-segments-accepted codes (clause 20.1.2.4) to their count; 0 means unspecified. */
const MAX_SEGMENTS = [0, 2, 4, 8, 16, 32, 64, 65] as const;

export function maxSegmentsFromCode(code: number): number {
  return MAX_SEGMENTS[code & 0x07] ?? 0;
}

export interface SegmentHeader {
  invokeId: number;
  sequence: number;
  proposedWindow: number;
  service: number;
  moreFollows: boolean;
  /** Offset of the segment's service data in the buffer it was decoded from. */
  dataOffset: number;
}

/** The header of one segment of a Complex-ACK; undefined when it is not one or is truncated. */
export function decodeSegmentedComplexAck(buf: Buffer, offset: number): SegmentHeader | undefined {
  const first = buf[offset] ?? 0;
  if (first >> 4 !== APDU_TYPE.complexAck || (first & SEGMENT_BITS.segmented) === 0) return undefined;
  if (buf.length < offset + 5) return undefined;
  return {
    invokeId: buf[offset + 1] ?? 0,
    sequence: buf[offset + 2] ?? 0,
    proposedWindow: buf[offset + 3] ?? 0,
    service: buf[offset + 4] ?? 0,
    moreFollows: (first & SEGMENT_BITS.moreFollows) !== 0,
    dataOffset: offset + 5,
  };
}

export function encodeSegmentedComplexAckHeader(segment: Omit<SegmentHeader, "dataOffset">): Buffer {
  return Buffer.from([
    (APDU_TYPE.complexAck << 4) |
      SEGMENT_BITS.segmented |
      (segment.moreFollows ? SEGMENT_BITS.moreFollows : 0),
    segment.invokeId,
    segment.sequence & 0xff,
    segment.proposedWindow,
    segment.service,
  ]);
}

export interface SegmentAck {
  negative: boolean;
  /** Set when the server (the side that sends segments of a reply) sends it. */
  server: boolean;
  invokeId: number;
  sequence: number;
  window: number;
}

export function encodeSegmentAck(ack: SegmentAck): Buffer {
  return Buffer.from([
    (APDU_TYPE.segmentAck << 4) | (ack.negative ? 0x02 : 0) | (ack.server ? 0x01 : 0),
    ack.invokeId,
    ack.sequence & 0xff,
    ack.window,
  ]);
}

export function decodeSegmentAck(buf: Buffer, offset: number): SegmentAck | undefined {
  const first = buf[offset] ?? 0;
  if (first >> 4 !== APDU_TYPE.segmentAck || buf.length < offset + 4) return undefined;
  return {
    negative: (first & 0x02) !== 0,
    server: (first & 0x01) !== 0,
    invokeId: buf[offset + 1] ?? 0,
    sequence: buf[offset + 2] ?? 0,
    window: buf[offset + 3] ?? 0,
  };
}

/** What the receiver of a segment must do: answer a Segment-ACK, deliver the whole APDU, or count a refusal. */
export interface SegmentOutcome {
  ack?: SegmentAck;
  /** The reassembled, unsegmented Complex-ACK APDU (type, invoke id, service, then all the data). */
  complete?: Buffer;
  refused?: "out-of-window" | "too-many-segments" | "service-changed";
  duplicate?: boolean;
}

export interface ReassemblyLimits {
  /** The window we accept at most (the Segment-ACK's actual-window-size). */
  maxWindow: number;
  /** As announced in our request's max-segments-accepted; more is refused (memory bound). */
  maxSegments: number;
}

/** Distance from a to b in the 8-bit sequence space (clause 5.4: sequence numbers wrap at 256). */
const ahead = (from: number, to: number): number => (to - from + 256) % 256;

/**
 * One segmented Complex-ACK being received. In-order segments are kept; each full window, and the last
 * segment, is acknowledged; a gap inside the window is answered by a negative Segment-ACK naming the last
 * in-order segment, so the server resends from there; a segment already received is a duplicate (the
 * server missed our ack: ack again); one beyond the window is refused and counted.
 */
export class SegmentReassembly {
  private readonly parts: Buffer[] = [];
  private last = 0;
  private windowStart = 0;
  private window = 1;
  private count = 0;
  /** The last in-order segment we already sent a negative ack for: one NAK per gap, not one per segment. */
  private nakFor: number | undefined;
  lastActivity: number;

  constructor(
    private readonly first: SegmentHeader,
    private readonly limits: ReassemblyLimits,
    now: number,
  ) {
    this.lastActivity = now;
  }

  /** The first segment (sequence 0) opens the transaction; anything else cannot start one. */
  static start(
    header: SegmentHeader,
    data: Buffer,
    limits: ReassemblyLimits,
    now: number,
  ): { reassembly?: SegmentReassembly; outcome: SegmentOutcome } {
    if (header.sequence !== 0) return { outcome: { refused: "out-of-window" } };
    const reassembly = new SegmentReassembly(header, limits, now);
    reassembly.window = Math.max(1, Math.min(header.proposedWindow || 1, limits.maxWindow));
    reassembly.parts.push(Buffer.from(data));
    reassembly.count = 1;
    const ack = reassembly.ackFor(0, false);
    if (!header.moreFollows) return { outcome: { ack, complete: reassembly.assemble() } };
    reassembly.windowStart = 1;
    return { reassembly, outcome: { ack } };
  }

  receive(header: SegmentHeader, data: Buffer, now: number): SegmentOutcome {
    this.lastActivity = now;
    if (header.service !== this.first.service) return { refused: "service-changed" };
    const expected = (this.last + 1) % 256;
    const distance = ahead(expected, header.sequence);
    if (distance !== 0) {
      // Behind us: a duplicate of a segment we hold (the window of 127 at most keeps this unambiguous).
      if (ahead(header.sequence, this.last) < 128) {
        return { duplicate: true, ack: this.ackFor(this.last, false) };
      }
      if (ahead(this.windowStart, header.sequence) >= this.window) return { refused: "out-of-window" };
      if (this.nakFor === this.last) return {};
      this.nakFor = this.last;
      return { ack: this.ackFor(this.last, true) };
    }
    if (this.count >= this.limits.maxSegments) return { refused: "too-many-segments" };
    this.parts.push(Buffer.from(data));
    this.count++;
    this.last = header.sequence;
    this.nakFor = undefined;
    if (!header.moreFollows) return { ack: this.ackFor(this.last, false), complete: this.assemble() };
    if (ahead(this.windowStart, header.sequence) + 1 >= this.window) {
      this.windowStart = (header.sequence + 1) % 256;
      return { ack: this.ackFor(this.last, false) };
    }
    return {};
  }

  expired(now: number, timeoutMs: number): boolean {
    return now - this.lastActivity > timeoutMs;
  }

  private ackFor(sequence: number, negative: boolean): SegmentAck {
    return { negative, server: false, invokeId: this.first.invokeId, sequence, window: this.window };
  }

  private assemble(): Buffer {
    const header = Buffer.from([APDU_TYPE.complexAck << 4, this.first.invokeId, this.first.service]);
    return Buffer.concat([header, ...this.parts]);
  }
}
