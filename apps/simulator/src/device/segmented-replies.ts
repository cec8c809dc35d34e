import { encodeSegmentedComplexAckHeader } from "@bms/bacnet";
import type { SegmentAckFrame } from "./frame-decoder";
import { type Peer, peerKey } from "./peer";

/** Segments we send per window unless the client asks for fewer (its Segment-ACK's actual window). */
export const PROPOSED_WINDOW = 4;
/** APDU_Segment_Timeout: resend the unacknowledged window after this long without a Segment-ACK. */
export const SEGMENT_TIMEOUT_MS = 400;
export const SEGMENT_RETRIES = 3;

export interface SegmentStats {
  /** Segmented replies started and completed (the last segment acknowledged). */
  started: number;
  completed: number;
  abandoned: number;
  segmentsSent: number;
  resent: number;
  /** Segments withheld on purpose by the drop-segment fault, so that recovery is exercised. */
  droppedOnPurpose: number;
  negativeAcks: number;
}

interface Transaction {
  peer: Peer;
  invokeId: number;
  service: number;
  segments: Buffer[];
  /** Absolute index of the last segment the client acknowledged (-1: none yet). */
  acked: number;
  window: number;
  attempts: number;
  timer: NodeJS.Timeout | undefined;
  withheld: boolean;
}

/**
 * The sending half of segmentation (clause 5.4.5): segment 0 alone, then windows of the size the client
 * acknowledged; a negative Segment-ACK or a timeout resends from the last acknowledged segment. With
 * `dropSequence` set, that segment's first transmission is withheld, as a lossy link would.
 */
export class SegmentedReplies {
  private readonly open = new Map<string, Transaction>();
  readonly stats: SegmentStats = {
    started: 0,
    completed: 0,
    abandoned: 0,
    segmentsSent: 0,
    resent: 0,
    droppedOnPurpose: 0,
    negativeAcks: 0,
  };

  constructor(
    private readonly send: (peer: Peer, header: Buffer, data: Buffer) => void,
    private readonly dropSequence: () => number | undefined = () => undefined,
  ) {}

  start(peer: Peer, invokeId: number, service: number, data: Buffer, segmentSize: number): void {
    const segments: Buffer[] = [];
    for (let at = 0; at < data.length; at += segmentSize) segments.push(data.subarray(at, at + segmentSize));
    const key = `${peerKey(peer)}#${invokeId}`;
    const previous = this.open.get(key);
    if (previous?.timer) clearTimeout(previous.timer);
    const tx: Transaction = {
      peer,
      invokeId,
      service,
      segments,
      acked: -1,
      window: 1,
      attempts: 0,
      timer: undefined,
      withheld: false,
    };
    this.open.set(key, tx);
    this.stats.started++;
    this.transmit(key, tx, false);
  }

  /** Segments needed for `length` octets of service data; the caller checks the client's max-segments. */
  static count(length: number, segmentSize: number): number {
    return Math.ceil(length / segmentSize);
  }

  ack(frame: SegmentAckFrame): void {
    const key = `${peerKey(frame.peer)}#${frame.invokeId}`;
    const tx = this.open.get(key);
    if (!tx) return;
    // The 8-bit sequence names one of the segments sent since the last ack.
    let index = -1;
    const sentUpTo = Math.min(tx.acked + tx.window, tx.segments.length - 1);
    for (let i = Math.max(tx.acked, 0); i <= sentUpTo; i++) if ((i & 0xff) === frame.sequence) index = i;
    // A positive ack we already acted on (the client re-acks a duplicate) must not resend the window.
    if (index < 0 || (index === tx.acked && !frame.negative)) return;
    if (frame.negative) this.stats.negativeAcks++;
    tx.acked = index;
    tx.window = Math.max(1, Math.min(frame.window, 127));
    tx.attempts = 0;
    if (tx.acked >= tx.segments.length - 1) {
      this.finish(key, tx);
      this.stats.completed++;
      return;
    }
    this.transmit(key, tx, false);
  }

  private transmit(key: string, tx: Transaction, resend: boolean): void {
    if (tx.timer) clearTimeout(tx.timer);
    const first = tx.acked + 1;
    const last = Math.min(tx.acked + tx.window, tx.segments.length - 1);
    for (let i = first; i <= last; i++) {
      const data = tx.segments[i] as Buffer;
      if (!tx.withheld && i > 0 && (i & 0xff) === this.dropSequence()) {
        tx.withheld = true;
        this.stats.droppedOnPurpose++;
        continue;
      }
      const header = encodeSegmentedComplexAckHeader({
        invokeId: tx.invokeId,
        sequence: i & 0xff,
        proposedWindow: PROPOSED_WINDOW,
        service: tx.service,
        moreFollows: i < tx.segments.length - 1,
      });
      this.send(tx.peer, header, data);
      this.stats.segmentsSent++;
      if (resend) this.stats.resent++;
    }
    tx.timer = setTimeout(() => {
      tx.attempts++;
      if (tx.attempts > SEGMENT_RETRIES) {
        this.finish(key, tx);
        this.stats.abandoned++;
        return;
      }
      this.transmit(key, tx, true);
    }, SEGMENT_TIMEOUT_MS);
    tx.timer.unref();
  }

  private finish(key: string, tx: Transaction): void {
    if (tx.timer) clearTimeout(tx.timer);
    this.open.delete(key);
  }

  clear(): void {
    for (const tx of this.open.values()) if (tx.timer) clearTimeout(tx.timer);
    this.open.clear();
  }
}
