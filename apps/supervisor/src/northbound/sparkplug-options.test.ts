import { describe, expect, it } from "vitest";
import { type SparkplugFlags, sparkplugOptions } from "./sparkplug-options";

const flags = (over: Partial<SparkplugFlags> = {}): SparkplugFlags => ({
  sparkplugUrl: "mqtt://127.0.0.1:1883",
  sparkplugGroup: "bms",
  name: "ahu-1",
  sparkplugBuffer: "1000",
  ...over,
});

describe("Sparkplug options", () => {
  it("is off without a broker URL", () => {
    expect(sparkplugOptions(flags({ sparkplugUrl: undefined }))).toBeUndefined();
  });

  it("resolves a plain configuration with defaults", () => {
    expect(sparkplugOptions(flags())).toMatchObject({
      broker: { url: "mqtt://127.0.0.1:1883" },
      group: "bms",
      nodeId: "ahu-1",
      commands: false,
      hostRole: "operator",
      bufferMaxRows: 1000,
    });
  });

  it.each([
    [{ sparkplugUrl: "mqtt://user:secret@broker:1883" }, /credentials do not belong in the URL/],
    [{ sparkplugUrl: "http://broker" }, /scheme must be mqtt or mqtts/],
    [{ sparkplugGroup: "a/b" }, /must not contain/],
    [{ name: "node+1" }, /must not contain/],
    [{ sparkplugCommands: true }, /needs --sparkplug-host-id/],
    [{ sparkplugBuffer: "0" }, /positive whole number/],
    [{ sparkplugCa: "/nonexistent.pem" }, /mqtts/],
    [
      { sparkplugUrl: "mqtts://broker:8883", sparkplugCa: "/nonexistent.pem" },
      /--sparkplug-ca \/nonexistent.pem: ENOENT/,
    ],
    [{ sparkplugCert: "/x.pem" }, /go together/],
  ])("refuses %o with a clear message", (over, message) => {
    expect(() => sparkplugOptions(flags(over))).toThrow(message);
  });

  it("never echoes a password from the URL in its error", () => {
    expect(() => sparkplugOptions(flags({ sparkplugUrl: "mqtt://u:hunter2-secret@broker" }))).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("hunter2") }),
    );
  });
});
