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

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
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

  /** Gives a slot back (after `tryEnter`, or at the end of `run`) and lets the next waiter in. */
  leave(): void {
    this.active--;
    this.waiting.shift()?.();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Rejects after `ms` whatever the wrapped promise does: the library's own timeouts can be lost. One
 * promise around it rather than a race and a `finally` (every request of every scan goes through here);
 * `message` may be a function, so a request that answers in time builds no text.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  message: string | (() => string),
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new BacnetTimeoutError(typeof message === "string" ? message : message())),
      ms,
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export class BacnetTimeoutError extends Error {
  override name = "BacnetTimeoutError";
}
