import { describe, expect, it } from "vitest";
import { QUALITY_CODE, qualityFromCode } from "./conventions";
import { decodePayload, encodePayload } from "./payload";
import { deviceTopic, idProblem, nodeTopic, parseTopic, safeId, stateTopic } from "./topics";

describe("Sparkplug topics", () => {
  it.each([
    [nodeTopic("bms", "NBIRTH", "ahu-1"), { kind: "node", group: "bms", type: "NBIRTH", node: "ahu-1" }],
    [
      deviceTopic("bms", "DDATA", "ahu-1", "bacnet:1001"),
      { kind: "device", group: "bms", type: "DDATA", node: "ahu-1", device: "bacnet:1001" },
    ],
    [stateTopic("fleet"), { kind: "state", host: "fleet" }],
    ["spBv1.0/bms/NDATA/a/b", undefined],
    ["spBv1.0/bms/DDATA/a", undefined],
    ["spBv1.0/bms/XBIRTH/a", undefined],
    ["spAv1.0/bms/NBIRTH/a", undefined],
  ])("parses %s", (topic, expected) => {
    expect(parseTopic(topic)).toEqual(expected);
  });

  it("refuses ids that would be several topic levels, and makes ref-derived ids safe", () => {
    expect(idProblem("a/b", "group")).toMatch(/must not contain/);
    expect(idProblem("", "group")).toMatch(/empty/);
    expect(idProblem("site-1", "group")).toBeUndefined();
    expect(safeId("modbus:10.0.0.5:1/x+#")).toBe("modbus:10.0.0.5:1_x__");
  });
});

describe("Sparkplug payloads", () => {
  it.each([
    [{ name: "a\u0000b", type: "Double", value: 1 }],
    [{ name: "text", type: "String", value: "on\u0000" }],
    [{ name: "x", type: "Double", value: 1, properties: { "Eng\u0000": { type: "String", value: "degC" } } }],
    [
      {
        name: "x",
        type: "Double",
        value: 1,
        properties: { engUnit: { type: "String", value: "deg\u0000C" } },
      },
    ],
  ])("refuses a payload whose names or texts hold U+0000 (%#)", (m) => {
    const decoded = decodePayload(encodePayload({ timestamp: 1, metrics: [m as never] }));
    expect(decoded).toEqual({ ok: false, message: "a metric's name or text holds U+0000" });
  });

  it("round-trips metrics with quality, units, nulls and historical flags as plain numbers", () => {
    const ts = 1_790_000_000_123;
    const bytes = encodePayload({
      timestamp: ts,
      seq: 255,
      metrics: [
        { name: "bdSeq", type: "Int64", value: 7 },
        {
          alias: 12,
          timestamp: ts,
          type: "Double",
          value: null,
          isNull: true,
          isHistorical: true,
          properties: {
            Quality: { type: "Int32", value: QUALITY_CODE.bad },
            engUnit: { type: "String", value: "degreesCelsius" },
          },
        },
      ],
    });
    const decoded = decodePayload(bytes);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.payload.seq).toBe(255);
    expect(decoded.payload.timestamp).toBe(ts);
    expect(decoded.payload.metrics[0]).toMatchObject({ name: "bdSeq", value: 7 });
    expect(decoded.payload.metrics[1]).toMatchObject({
      alias: 12,
      value: null,
      isNull: true,
      isHistorical: true,
    });
    expect(qualityFromCode(decoded.payload.metrics[1]!.properties.Quality)).toBe("bad");
    expect(decoded.payload.metrics[1]!.properties.engUnit).toBe("degreesCelsius");
  });

  it("returns an error value for bytes that are not a payload, never throws", () => {
    for (const bytes of [
      Buffer.from("garbage-not-proto"),
      Buffer.from([0xff, 0xff, 0xff]),
      Buffer.from("{}"),
    ]) {
      const decoded = decodePayload(bytes);
      if (!decoded.ok) expect(decoded.message).toMatch(/not a Sparkplug B payload/);
    }
    expect(decodePayload(Buffer.from("garbage-not-proto")).ok).toBe(false);
  });
});
