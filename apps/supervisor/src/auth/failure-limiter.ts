/**
 * Throttles guessing: failed logins and bad tokens are counted per source address, and a source with
 * `maxFailures` failures within `windowMs` is locked out for `lockMs` (every credentialed request
 * answers 429 meanwhile, even with a good token, so a guesser learns nothing).
 *
 * A small in-memory map rather than @fastify/rate-limit: that plugin counts every request in a window,
 * while this counts only failures and needs a lockout state the audit log can report; keeping it in
 * memory means a restart forgives, which is acceptable for a throttle (the audit trail keeps the facts).
 * The map is capped so a flood of spoofed sources cannot grow memory.
 */
export interface FailureLimits {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

export const DEFAULT_FAILURE_LIMITS: FailureLimits = {
  maxFailures: 10,
  windowMs: 5 * 60_000,
  lockMs: 15 * 60_000,
};

const MAX_SOURCES = 10_000;

interface SourceState {
  failures: number[];
  lockedUntil: number;
}

export class FailureLimiter {
  private readonly sources = new Map<string, SourceState>();

  constructor(readonly limits: FailureLimits = DEFAULT_FAILURE_LIMITS) {}

  /** When the source's lockout ends (ms since epoch), or undefined when it is not locked out. */
  lockedUntil(source: string, now = Date.now()): number | undefined {
    const state = this.sources.get(source);
    return state && state.lockedUntil > now ? state.lockedUntil : undefined;
  }

  /** Counts one failure; `locked` is true when this failure started a lockout (report it once). */
  fail(source: string, now = Date.now()): { locked: boolean; failures: number } {
    let state = this.sources.get(source);
    if (!state) {
      if (this.sources.size >= MAX_SOURCES) this.evict(now);
      state = { failures: [], lockedUntil: 0 };
      this.sources.set(source, state);
    }
    state.failures = state.failures.filter((t) => now - t < this.limits.windowMs);
    state.failures.push(now);
    if (state.lockedUntil <= now && state.failures.length >= this.limits.maxFailures) {
      state.lockedUntil = now + this.limits.lockMs;
      state.failures = [];
      return { locked: true, failures: this.limits.maxFailures };
    }
    return { locked: false, failures: state.failures.length };
  }

  get size(): number {
    return this.sources.size;
  }

  private evict(now: number): void {
    for (const [source, state] of this.sources) {
      const recent = state.failures.some((t) => now - t < this.limits.windowMs);
      if (!recent && state.lockedUntil <= now) this.sources.delete(source);
    }
    // Still full: drop the oldest entries (Map keeps insertion order).
    for (const source of this.sources.keys()) {
      if (this.sources.size < MAX_SOURCES * 0.9) break;
      this.sources.delete(source);
    }
  }
}
