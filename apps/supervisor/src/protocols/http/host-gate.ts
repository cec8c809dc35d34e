/**
 * The per-host minimum interval: every request to a host takes the next free slot, at least
 * `minIntervalMs` after the previous one, however many endpoints share that host. A slot is reserved
 * before waiting, so concurrent callers line up instead of all passing at once.
 */
export class HostGate {
  private readonly next = new Map<string, number>();

  constructor(
    private readonly minIntervalMs: number,
    private readonly now: () => number,
  ) {}

  /** Resolves when the caller may send; the wait in ms it imposed. */
  async acquire(host: string): Promise<number> {
    const now = this.now();
    const at = Math.max(now, this.next.get(host) ?? 0);
    this.next.set(host, at + this.minIntervalMs);
    const wait = at - now;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    return wait;
  }
}
