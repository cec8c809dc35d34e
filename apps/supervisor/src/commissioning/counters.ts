/**
 * Request counters of each protocol at one moment, so a check can take the difference over its window.
 * BACnet counts requests, timeouts and retries; other plugins report only errors (null: not counted).
 */
export interface ProtocolCounters {
  protocol: string;
  requests: number | null;
  errors: number;
  timeouts: number | null;
  retries: number | null;
}

const minus = (a: number | null, b: number | null) => (a === null || b === null ? null : Math.max(0, a - b));

export function counterDelta(
  before: readonly ProtocolCounters[],
  after: readonly ProtocolCounters[],
): ProtocolCounters[] {
  return after.map((a) => {
    const b = before.find((x) => x.protocol === a.protocol);
    if (!b) return a;
    return {
      protocol: a.protocol,
      requests: minus(a.requests, b.requests),
      errors: Math.max(0, a.errors - b.errors),
      timeouts: minus(a.timeouts, b.timeouts),
      retries: minus(a.retries, b.retries),
    };
  });
}
