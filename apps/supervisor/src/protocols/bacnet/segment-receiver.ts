import {
  BVLC_FUNCTION,
  decodeBvll,
  decodeNpdu,
  decodeSegmentedComplexAck,
  encodeBvll,
  encodeNpdu,
  encodeSegmentAck,
  SegmentReassembly,
} from "@bms/bacnet";

/** Window we accept (actual-window-size); servers propose up to 127, 16 keeps acks frequent. */
const MAX_WINDOW = 16;
/** A reassembled reply is handed to the library in one BVLC frame, whose length field is 16 bits. */
const MAX_REPLY_OCTETS = 60_000;
const MAX_SEGMENTS = 128;
/** Reassemblies in progress at once (one per outstanding request at most; the pipeline caps those). */
const MAX_OPEN = 256;

export interface SegmentStats {
  segmented_replies: number;
  segments: number;
  duplicates: number;
  negative_acks: number;
  /** Refused: a segment beyond the window, without a first segment, too many or too large. */
  refused: number;
  /** Reassemblies abandoned when segments stopped coming; the request's own retry asks again. */
  timeouts: number;
  /** Segments of a transaction already complete or abandoned (a server's late resend): dropped. */
  late: number;
}

interface Open {
  reassembly: SegmentReassembly;
  octets: number;
}

/**
 * Receives segmented Complex-ACKs for the library, which cannot (its segment state is global, it acks
 * the wrong sequence numbers and never times out): keeps one SegmentReassembly per sender and invoke
 * id, answers Segment-ACKs (routed back through the sender's SNET/SADR), and returns the whole reply as
 * one unsegmented frame. Only replies the ReplyMatcher accepted (from the peer the request went to)
 * reach it.
 */
export class SegmentReceiver {
  readonly stats: SegmentStats = {
    segmented_replies: 0,
    segments: 0,
    duplicates: 0,
    negative_acks: 0,
    refused: 0,
    timeouts: 0,
    late: 0,
  };
  private readonly open = new Map<string, Open>();

  constructor(
    private readonly sendAck: (frame: Buffer, to: string) => void,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * `undefined` when the datagram is not a segment (the caller passes it on); `null` when it was a
   * segment and was consumed; a Buffer holding the complete, unsegmented frame otherwise.
   */
  handle(datagram: Buffer, sender: string): Buffer | null | undefined {
    const bvll = decodeBvll(datagram);
    if (!bvll.ok || bvll.bvll.func !== BVLC_FUNCTION.originalUnicast || !bvll.bvll.npdu) return undefined;
    const npdu = bvll.bvll.npdu;
    const decoded = decodeNpdu(npdu, 0);
    if (!decoded.ok || decoded.npdu.messageType !== undefined) return undefined;
    const header = decodeSegmentedComplexAck(npdu, decoded.offset);
    if (!header) return undefined;
    this.stats.segments++;
    const source = decoded.npdu.source;
    const key = `${sender}/${source ? `${source.net}:${source.adr.join(".")}` : ""}#${header.invokeId}`;
    const data = npdu.subarray(header.dataOffset);
    const now = this.now();
    const current = this.open.get(key);
    let outcome: ReturnType<SegmentReassembly["receive"]>;
    if (current) {
      current.octets += data.length;
      if (current.octets > MAX_REPLY_OCTETS) {
        this.open.delete(key);
        this.stats.refused++;
        return null;
      }
      outcome = current.reassembly.receive(header, data, now);
    } else if (header.sequence !== 0) {
      this.stats.late++;
      return null;
    } else {
      if (this.open.size >= MAX_OPEN) {
        this.stats.refused++;
        return null;
      }
      const started = SegmentReassembly.start(
        header,
        data,
        { maxWindow: MAX_WINDOW, maxSegments: MAX_SEGMENTS },
        now,
      );
      if (started.reassembly) this.open.set(key, { reassembly: started.reassembly, octets: data.length });
      outcome = started.outcome;
      if (!outcome.refused) this.stats.segmented_replies++;
    }
    if (outcome.refused) this.stats.refused++;
    if (outcome.duplicate) this.stats.duplicates++;
    if (outcome.ack) {
      if (outcome.ack.negative) this.stats.negative_acks++;
      const route = source ? { destination: source } : {};
      this.sendAck(
        encodeBvll(
          BVLC_FUNCTION.originalUnicast,
          Buffer.concat([encodeNpdu(route), encodeSegmentAck(outcome.ack)]),
        ),
        sender,
      );
    }
    if (!outcome.complete) return null;
    this.open.delete(key);
    // The frame as if the device had answered unsegmented: same BVLC and NPDU (SNET/SADR kept).
    return encodeBvll(
      BVLC_FUNCTION.originalUnicast,
      Buffer.concat([npdu.subarray(0, decoded.offset), outcome.complete]),
    );
  }

  /** Drops reassemblies that stalled; called from the transport's timer. */
  sweep(): void {
    const now = this.now();
    for (const [key, open] of this.open) {
      if (open.reassembly.expired(now, this.timeoutMs)) {
        this.open.delete(key);
        this.stats.timeouts++;
      }
    }
  }
}
