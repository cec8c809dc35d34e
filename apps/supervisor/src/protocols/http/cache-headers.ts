/**
 * What a server says about when to ask again: `Cache-Control: max-age` (minus `Age`) on a good answer,
 * `Retry-After` (seconds or an HTTP date) on 429/503. Both only ever lengthen our interval.
 */
export function freshForMs(headers: Headers): number | undefined {
  const cacheControl = headers.get("cache-control");
  if (!cacheControl) return undefined;
  const m = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl);
  if (!m) return undefined;
  const age = Number(headers.get("age") ?? "0");
  const seconds = Number(m[1]) - (Number.isFinite(age) && age > 0 ? age : 0);
  // Capped like Retry-After: one answer saying max-age=99999999999 stopped the polling for good.
  return seconds > 0 ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : undefined;
}

/** A day at most: a server's typo must not silence a feed for a year (Retry-After and max-age alike). */
export const MAX_RETRY_AFTER_MS = 86_400_000;

export function retryAfterMs(headers: Headers, now: number): number | undefined {
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  let ms: number;
  if (/^\d+$/.test(value)) ms = Number(value) * 1000;
  else {
    const at = Date.parse(value);
    if (!Number.isFinite(at)) return undefined;
    ms = at - now;
  }
  return ms > 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : undefined;
}
