import { describe, expect, it } from "vitest";
import {
  formatDeviceAddress,
  normalizeIpPort,
  parseDeviceAddress,
  parsePins,
  sameAddress,
  toDeviceAddress,
} from "./device-address";

describe("normalizeIpPort", () => {
  it.each([
    ["10.0.0.5", "10.0.0.5:47808"],
    ["10.0.0.5:47808", "10.0.0.5:47808"],
    [" 127.0.9.2:47861 ", "127.0.9.2:47861"],
    ["10.0.0.5:0", undefined],
    ["10.0.0.5:65536", undefined],
    ["10.0.0.256:47808", undefined],
    ["10.0.0:47808", undefined],
    ["010.0.0.5:47808", undefined],
    ["host.example:47808", undefined],
    ["10.0.0.5:47808:1", undefined],
    ["", undefined],
  ])("%j -> %j", (input, expected) => {
    expect(normalizeIpPort(input)).toBe(expected);
  });
});

describe("sameAddress", () => {
  const direct = { address: "10.0.0.5:47808" };
  const routed = { address: "10.0.0.5:47808", net: 7, adr: [10] };
  it.each([
    [direct, { address: "10.0.0.5:47808" }, true],
    [direct, { address: "10.0.0.6:47808" }, false],
    [direct, { address: "10.0.0.5:47809" }, false],
    [direct, routed, false],
    [routed, { address: "10.0.0.5:47808", net: 7, adr: [10] }, true],
    [routed, { address: "10.0.0.5:47808", net: 8, adr: [10] }, false],
    [routed, { address: "10.0.0.5:47808", net: 7, adr: [11] }, false],
    [routed, { address: "10.0.0.5:47808", net: 7, adr: [10, 0] }, false],
  ])("%j vs %j: %s", (a, b, expected) => {
    expect(sameAddress(a, b)).toBe(expected);
    expect(sameAddress(b, a)).toBe(expected);
  });
});

describe("toDeviceAddress", () => {
  it("normalizes the port and rejects what is not an address", () => {
    expect(toDeviceAddress({ address: "10.0.0.5" })).toEqual({ address: "10.0.0.5:47808" });
    expect(toDeviceAddress({ address: 42 })).toBeUndefined();
    expect(toDeviceAddress({ address: "10.0.0.5", net: 65535, adr: [1] })).toBeUndefined();
    expect(toDeviceAddress({ address: "10.0.0.5", net: 7, adr: [] })).toBeUndefined();
    expect(toDeviceAddress({ address: "10.0.0.5", net: 7, adr: [256] })).toBeUndefined();
    expect(toDeviceAddress({ address: "10.0.0.5", net: 7, adr: [1, 2] })).toEqual({
      address: "10.0.0.5:47808",
      net: 7,
      adr: [1, 2],
    });
  });
});

describe("formatDeviceAddress / parseDeviceAddress", () => {
  it.each([{ address: "10.0.0.5:47808" }, { address: "10.0.0.5:47809", net: 7, adr: [0x0a, 0xff] }])(
    "round-trips %j",
    (address) => {
      expect(parseDeviceAddress(formatDeviceAddress(address))).toEqual(address);
    },
  );
  it("shows a routed address readably", () => {
    expect(formatDeviceAddress({ address: "10.0.0.5:47808", net: 7, adr: [10, 255] })).toBe(
      "10.0.0.5:47808 net 7 mac 0a:ff",
    );
  });
  it("rejects a stored address that no longer parses", () => {
    expect(parseDeviceAddress("not an address")).toBeUndefined();
  });
});

describe("parsePins", () => {
  it("reads repeated flags and comma-separated env values", () => {
    const parsed = parsePins(["1001=10.0.0.5:47808", "1002=10.0.0.6,1003=10.0.0.7:47809"]);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect([...parsed.pins]).toEqual([
      [1001, { address: "10.0.0.5:47808" }],
      [1002, { address: "10.0.0.6:47808" }],
      [1003, { address: "10.0.0.7:47809" }],
    ]);
  });

  it("reports every bad entry", () => {
    const parsed = parsePins([
      "x=10.0.0.5",
      "4194303=10.0.0.5",
      "1001",
      "1002=10.0.0.300",
      "5=1.2.3.4,5=1.2.3.5",
    ]);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toHaveLength(5);
    expect(parsed.problems[4]).toContain("pinned twice");
  });
});
