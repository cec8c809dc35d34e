/**
 * Failed sign-ins are counted per source address: after MAX_FAILURES inside WINDOW_MS the address is
 * locked out for LOCKOUT_MS (BMS_LOGIN_LOCKOUT_MINUTES), whatever name it tries. In memory on purpose: a
 * restart forgives, an attacker cannot fill the disk, and the audit trail keeps the durable record.
 */
export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60_000;
/** Addresses tracked at once; past it the oldest entry goes, so a spray of addresses cannot grow memory. */
const MAX_TRACKED = 10_000;

function lockoutMs(): number {
  const minutes = Number(process.env.BMS_LOGIN_LOCKOUT_MINUTES);
  return (Number.isFinite(minutes) && minutes > 0 ? minutes : 15) * 60_000;
}

interface Entry {
  failures: number[];
  lockedUntil: number;
}

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Milliseconds until `source` may try again, or 0. */
  lockedFor(source: string): number {
    const entry = this.entries.get(source);
    return entry ? Math.max(0, entry.lockedUntil - this.now()) : 0;
  }

  /** Records a failure; answers true when this failure starts a lockout. */
  fail(source: string): boolean {
    const now = this.now();
    const entry = this.entries.get(source) ?? { failures: [], lockedUntil: 0 };
    this.entries.delete(source);
    entry.failures = [...entry.failures.filter((t) => now - t < WINDOW_MS), now];
    let locked = false;
    if (entry.failures.length >= MAX_FAILURES) {
      entry.lockedUntil = now + lockoutMs();
      entry.failures = [];
      locked = true;
    }
    this.entries.set(source, entry);
    if (this.entries.size > MAX_TRACKED) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return locked;
  }

  succeed(source: string): void {
    this.entries.delete(source);
  }
}

const holder = globalThis as typeof globalThis & { __bmsLoginThrottle?: LoginThrottle };

/** One throttle per server process, shared by the login and setup routes. */
export function loginThrottle(): LoginThrottle {
  holder.__bmsLoginThrottle ??= new LoginThrottle();
  return holder.__bmsLoginThrottle;
}
