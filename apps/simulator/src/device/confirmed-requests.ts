import type { Peer } from "./peer";

/** Confirmed requests we initiate (COV notifications): wait this long for an answer, then resend. */
export const CONFIRMED_TIMEOUT_MS = 3000;
export const CONFIRMED_RETRIES = 3;

interface Pending {
  frame: Buffer;
  peer: Peer;
  attempts: number;
  timer: NodeJS.Timeout;
}

/**
 * The client half of a device's transaction state machine, which the library does not give a
 * server: invoke ids, resends on timeout (apduTimeout / numberOfApduRetries as the device object
 * announces them), and the end of a transaction on any reply from the same peer.
 */
export class ConfirmedRequests {
  private nextInvokeId = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly resend: (frame: Buffer, peer: Peer) => void,
    private readonly stillWanted: () => boolean = () => true,
  ) {}

  nextId(): number {
    this.nextInvokeId = (this.nextInvokeId + 1) & 0xff;
    return this.nextInvokeId;
  }

  /** Starts waiting for the answer to a frame that has just been sent. */
  track(invokeId: number, frame: Buffer, peer: Peer): void {
    const previous = this.pending.get(invokeId);
    if (previous) clearTimeout(previous.timer); // the id wrapped: that transaction is long dead
    const entry: Pending = { frame, peer, attempts: 0, timer: this.arm(invokeId) };
    this.pending.set(invokeId, entry);
  }

  /** Any reply (SimpleACK, Error, Reject, Abort) from the same peer ends the transaction. */
  answered(invokeId: number, peer: Peer): void {
    const entry = this.pending.get(invokeId);
    if (!entry || entry.peer.address !== peer.address || entry.peer.port !== peer.port) return;
    clearTimeout(entry.timer);
    this.pending.delete(invokeId);
  }

  get size(): number {
    return this.pending.size;
  }

  clear(): void {
    for (const entry of this.pending.values()) clearTimeout(entry.timer);
    this.pending.clear();
  }

  private arm(invokeId: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.timeout(invokeId), CONFIRMED_TIMEOUT_MS);
    timer.unref();
    return timer;
  }

  private timeout(invokeId: number): void {
    const entry = this.pending.get(invokeId);
    if (!entry) return;
    if (entry.attempts >= CONFIRMED_RETRIES || !this.stillWanted()) {
      this.pending.delete(invokeId);
      return;
    }
    entry.attempts++;
    this.resend(entry.frame, entry.peer);
    entry.timer = this.arm(invokeId);
  }
}
