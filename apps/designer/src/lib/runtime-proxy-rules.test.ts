import { describe, expect, it } from "vitest";
import { proxyRule } from "./runtime-proxy-rules";

describe("proxyRule", () => {
  it("matches a latch inside a sub-flow: its path (pumps/failed1) is one segment, as Next decodes %2F", () => {
    expect(proxyRule("POST", ["execution", "latches", "pumps/failed1", "reset"])).toMatchObject({
      role: "operator",
      audit: "runtime.latch.reset",
    });
    // Split into two segments it is no route at all: nothing is forwarded.
    expect(proxyRule("POST", ["execution", "latches", "pumps", "failed1", "reset"])).toBeNull();
  });

  it("reads HEAD as GET, refuses what is not listed, and asks an admin for a forced point write", () => {
    expect(proxyRule("HEAD", ["execution", "latches"])).toMatchObject({ role: "viewer" });
    expect(proxyRule("DELETE", ["execution", "latches"])).toBeNull();
    expect(proxyRule("POST", ["auth", "login"])).toBeNull();
    expect(proxyRule("POST", ["points", "write"], { point: "x", value: 1 })).toMatchObject({
      role: "operator",
    });
    expect(proxyRule("POST", ["points", "write"], { point: "x", value: 1, force: true })).toMatchObject({
      role: "admin",
    });
  });
});
