import { describe, expect, it } from "vitest";
import { parseJsonPath } from "../json-path";
import { readUplink } from "./lorawan";
import { MqttConfigSchema, resolveBroker } from "./mqtt-config";
import { decodePayload, encodePayload } from "./payload-codec";
import { topicMatches } from "./topic-filter";

const path = (text: string) => {
  const parsed = parseJsonPath(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.segments;
};

describe("MQTT payloads", () => {
  it("refuses a payload nested deeper than 64 levels, with or without a path, rather than keeping its text", () => {
    const deep = Buffer.from(`{"t":1,"x":${"[".repeat(30_000)}${"]".repeat(30_000)}}`);
    expect(decodePayload(deep, path("t"))).toEqual({
      ok: false,
      reason: "payload nests deeper than 64 levels",
    });
    expect(decodePayload(deep, undefined)).toEqual({
      ok: false,
      reason: "payload nests deeper than 64 levels",
    });
    // Text that is not JSON is still a plain value.
    expect(decodePayload(Buffer.from("[[[ on"), undefined)).toEqual({ ok: true, value: "[[[ on" });
  });

  it.each([
    ["21.5", undefined, { ok: true, value: 21.5 }],
    [" -3 \n", undefined, { ok: true, value: -3 }],
    ["true", undefined, { ok: true, value: true }],
    ["occupied", undefined, { ok: true, value: "occupied" }],
    ['"quoted"', undefined, { ok: true, value: "quoted" }],
    ['{"t": 20.5}', "t", { ok: true, value: 20.5 }],
    ['{"a": [1, {"b": false}]}', "a[1].b", { ok: true, value: false }],
  ])("decodes %j at %s", (payload, p, expected) => {
    expect(decodePayload(Buffer.from(payload), p === undefined ? undefined : path(p))).toEqual(expected);
  });

  it.each([
    ["21,5 °C", "t", "not JSON"],
    ['{"t": 1}', "x", 'no "x"'],
    ['{"t": {"u": 1}}', "t", "object"],
    ['{"t": 1}', undefined, "mqtt:<topic>#<path>"],
    ["", undefined, "empty"],
  ])("refuses %j at %s with a reason", (payload, p, reason) => {
    const decoded = decodePayload(Buffer.from(payload), p === undefined ? undefined : path(p));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toContain(reason);
  });

  it("encodes writes as bare text or JSON under a path", () => {
    expect(encodePayload(22.5, undefined)).toBe("22.5");
    expect(encodePayload(true, undefined)).toBe("true");
    expect(encodePayload("auto", undefined)).toBe("auto");
    expect(encodePayload(19, path("value.sp"))).toBe('{"value":{"sp":19}}');
  });
});

describe("topic filters", () => {
  it.each([
    ["a/+/c", "a/b/c", true],
    ["a/#", "a/b/c", true],
    ["a/#", "a", true],
    ["a/+", "a/b/c", false],
    ["#", "$SYS/x", false],
    ["application/7/device/+/event/up", "application/7/device/0102030405060708/event/up", true],
  ])("%s matches %s: %s", (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});

describe("LoRaWAN uplinks", () => {
  it("reads ChirpStack's uplink JSON and ignores other topics", () => {
    const doc = { time: "2026-01-01T00:00:00Z", deviceInfo: { deviceName: "th-1" }, object: { t: 1 } };
    expect(readUplink("application/7/device/0102030405060708/event/up", doc)).toEqual({
      applicationId: "7",
      devEui: "0102030405060708",
      deviceName: "th-1",
      time: Date.parse("2026-01-01T00:00:00Z"),
      object: { t: 1 },
    });
    expect(readUplink("application/7/device/0102030405060708/event/join", doc)).toBeUndefined();
    expect(readUplink("application/7/device/0102030405060708/event/up", { object: 3 })).toBeUndefined();
  });
});

describe("broker configuration", () => {
  const config = (c: Record<string, unknown>) => MqttConfigSchema.parse(c);

  it("takes credentials out of the URL and shows it bare", () => {
    const r = resolveBroker(config({ url: "mqtts://u:p%40ss@broker.local" }), {});
    expect(r).toMatchObject({
      ok: true,
      target: { display: "mqtts://broker.local:8883", username: "u", password: "p@ss" },
    });
  });

  it("prefers the command line, then BMS_MQTT_URL, then the file", () => {
    const c = config({ url: "mqtt://file:1883" });
    expect(resolveBroker(c, { BMS_MQTT_URL: "mqtt://env:1883" }, "mqtt://cli:1883")).toMatchObject({
      target: { host: "cli" },
    });
    expect(resolveBroker(c, { BMS_MQTT_URL: "mqtt://env:1883" })).toMatchObject({ target: { host: "env" } });
    expect(resolveBroker(c, {})).toMatchObject({ target: { host: "file", port: 1883 } });
    expect(resolveBroker(config({}), {})).toBeUndefined();
  });

  it.each([
    [{ url: "http://x" }, "mqtt:// or mqtts://"],
    [{ url: "mqtt://x/path" }, "no path"],
    [{ url: "mqtt://x", password_env: "NOPE_UNSET" }, "NOPE_UNSET"],
    [{ url: "mqtts://x", tls: { ca_file: "/nonexistent/ca.pem" } }, "/nonexistent/ca.pem"],
  ])("refuses %j", (c, message) => {
    const r = resolveBroker(config(c), {});
    expect(r?.ok).toBe(false);
    if (r && !r.ok) expect(r.message).toContain(message);
  });

  it("names the path of a bad setting", () => {
    const r = MqttConfigSchema.safeParse({ points: [{ topic: "a/#" }] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["points", 0, "topic"]);
  });
});
