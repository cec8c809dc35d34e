import { describe, expect, it } from "vitest";
import { freshForMs, MAX_RETRY_AFTER_MS, retryAfterMs } from "./cache-headers";
import { HostGate } from "./host-gate";

describe("Cache-Control and Retry-After", () => {
  it.each([
    [{ "cache-control": "public, max-age=300" }, 300_000],
    [{ "cache-control": "max-age=300", age: "100" }, 200_000],
    [{ "cache-control": "max-age=10", age: "20" }, undefined],
    [{ "cache-control": "no-cache" }, undefined],
    // A server's answer cannot silence the feed for longer than a day.
    [{ "cache-control": "max-age=99999999999" }, 86_400_000],
    [{}, undefined],
  ])("%j is fresh for %s ms", (headers, expected) => {
    expect(freshForMs(new Headers(headers))).toBe(expected);
  });

  it("reads Retry-After as seconds or an HTTP date, capped at a day", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs(new Headers({ "retry-after": "120" }), now)).toBe(120_000);
    expect(retryAfterMs(new Headers({ "retry-after": "Thu, 01 Jan 2026 00:01:00 GMT" }), now)).toBe(60_000);
    expect(retryAfterMs(new Headers({ "retry-after": "99999999" }), now)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs(new Headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(
      retryAfterMs(new Headers({ "retry-after": "Wed, 31 Dec 2025 00:00:00 GMT" }), now),
    ).toBeUndefined();
  });
});

describe("per-host minimum interval", () => {
  it("lines concurrent requests to one host up, and leaves other hosts alone", async () => {
    let now = 0;
    const gate = new HostGate(40, () => now);
    const waits = await Promise.all([
      gate.acquire("a:80"),
      gate.acquire("a:80"),
      gate.acquire("a:80"),
      gate.acquire("b:80"),
    ]);
    expect(waits).toEqual([0, 40, 80, 0]);
    now = 1_000;
    expect(await gate.acquire("a:80")).toBe(0);
  });
});
