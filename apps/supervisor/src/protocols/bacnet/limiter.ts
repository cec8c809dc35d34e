/** A counting semaphore: at most `limit` tasks run at once, the rest wait in arrival order. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private limit: number) {}

  get pending(): number {
    return this.waiting.length;
  }

  get running(): number {
    return this.active;
  }

  /**
   * A waiter wakes owning its slot: `leave` hands the slot over instead of giving it back, so nobody
   * (a `tryEnter`, a new `run`) can take it between the release and the waiter's turn, and arrival order
   * holds. Hence `if`, not a re-checking `while`; and no slot is ever free while someone waits (a caller
   * waits only when all are taken, and a slot is freed only when nobody waits), so one waiter a release
   * is all there is to wake.
   */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      this.leave();
    }
  }

  /**
   * Takes a slot now if one is free and nobody waits for one (arrival order holds), for a caller that
   * holds several limiters at once without a task queued on each; `leave` gives it back.
   */
  tryEnter(): boolean {
    if (this.active >= this.limit || this.waiting.length > 0) return false;
    this.active++;
    return true;
  }

  /** Gives a slot back (after `tryEnter`, or at the end of `run`): to the longest waiter if there is one. */
  leave(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
