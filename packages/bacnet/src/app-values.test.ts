import { describe, expect, it } from "vitest";
import {
  ApplicationTag,
  bitIsSet,
  bitString,
  decodeValue,
  encodePresentValue,
  encodeValue,
  maxApduFromCode,
  PROPERTIES as P,
  presentValueTag,
  presentValueToJs,
  statusFlagsBits,
  statusFlagsFromBits,
  OBJECT_TYPES as T,
} from "./index";

describe("presentValue datatypes", () => {
  it("follows the standard per object type", () => {
    expect(presentValueTag(T.analogInput)).toBe(ApplicationTag.REAL);
    expect(presentValueTag(T.binaryOutput)).toBe(ApplicationTag.ENUMERATED);
    expect(presentValueTag(T.multiStateValue)).toBe(ApplicationTag.UNSIGNED_INTEGER);
    expect(presentValueTag(T.device)).toBeUndefined();
  });
});

describe("encodeValue", () => {
  it("encodes analog writes as REAL, keeping floats", () => {
    expect(encodePresentValue(T.analogValue, 25.5)).toEqual({ type: ApplicationTag.REAL, value: 25.5 });
    expect(encodePresentValue(T.analogOutput, 40)).toEqual({ type: ApplicationTag.REAL, value: 40 });
  });

  it("encodes binary writes as BACnetBinaryPV", () => {
    expect(encodePresentValue(T.binaryOutput, true)).toEqual({ type: ApplicationTag.ENUMERATED, value: 1 });
    expect(encodePresentValue(T.binaryValue, 0)).toEqual({ type: ApplicationTag.ENUMERATED, value: 0 });
    expect(encodePresentValue(T.binaryOutput, "active")).toEqual({
      type: ApplicationTag.ENUMERATED,
      value: 1,
    });
    expect(() => encodePresentValue(T.binaryOutput, 2)).toThrow(TypeError);
  });

  it("encodes multi-state writes as Unsigned", () => {
    expect(encodePresentValue(T.multiStateOutput, 3)).toEqual({
      type: ApplicationTag.UNSIGNED_INTEGER,
      value: 3,
    });
    expect(() => encodePresentValue(T.multiStateValue, 1.5)).toThrow(TypeError);
  });

  it("encodes null as the NULL that relinquishes", () => {
    expect(encodePresentValue(T.analogOutput, null)).toEqual({ type: ApplicationTag.NULL, value: null });
  });

  it("encodes other properties by their own datatype", () => {
    expect(encodeValue(T.analogInput, P.outOfService, true)).toEqual({
      type: ApplicationTag.BOOLEAN,
      value: true,
    });
    expect(encodeValue(T.analogInput, P.covIncrement, 1)).toEqual({ type: ApplicationTag.REAL, value: 1 });
    expect(encodeValue(T.binaryValue, P.relinquishDefault, false)).toEqual({
      type: ApplicationTag.ENUMERATED,
      value: 0,
    });
    expect(encodeValue(T.analogInput, P.description, "x")).toEqual({
      type: ApplicationTag.CHARACTER_STRING,
      value: "x",
    });
    expect(() => encodeValue(T.analogInput, P.outOfService, 1)).toThrow(TypeError);
    expect(() => encodePresentValue(T.analogInput, Number.NaN)).toThrow(TypeError);
  });
});

describe("decodeValue", () => {
  it("turns application values into JS values", () => {
    expect(decodeValue({ type: ApplicationTag.REAL, value: 21.5 })).toBe(21.5);
    expect(decodeValue({ type: ApplicationTag.NULL, value: null })).toBeNull();
    expect(decodeValue({ type: ApplicationTag.BOOLEAN, value: true })).toBe(true);
    expect(decodeValue({ type: ApplicationTag.CHARACTER_STRING, value: "Zone Temp" })).toBe("Zone Temp");
    expect(
      decodeValue({ type: ApplicationTag.OBJECTIDENTIFIER, value: { type: 0, instance: 1 } }),
    ).toBeNull();
  });

  it("gives booleans for binary presentValues", () => {
    expect(presentValueToJs(T.binaryInput, { type: ApplicationTag.ENUMERATED, value: 1 })).toBe(true);
    expect(presentValueToJs(T.binaryOutput, { type: ApplicationTag.ENUMERATED, value: 0 })).toBe(false);
    expect(presentValueToJs(T.analogInput, { type: ApplicationTag.REAL, value: 3 })).toBe(3);
  });
});

describe("bit strings", () => {
  it("round-trips status flags", () => {
    const flags = { inAlarm: false, fault: true, overridden: false, outOfService: true };
    const bits = statusFlagsBits(flags);
    expect(bits.bitsUsed).toBe(4);
    expect(statusFlagsFromBits(bits)).toEqual(flags);
  });

  it("places bits across octets", () => {
    const bits = bitString(41, [0, 12, 40]);
    expect(bits.value).toHaveLength(6);
    expect(bitIsSet(bits, 12)).toBe(true);
    expect(bitIsSet(bits, 13)).toBe(false);
    expect(bitIsSet(bits, 40)).toBe(true);
    expect(() => bitString(4, [4])).toThrow(RangeError);
  });
});

describe("max APDU codes", () => {
  it("decodes the request header codes and clamps unknown ones to the B/IP maximum", () => {
    expect(maxApduFromCode(0)).toBe(50);
    expect(maxApduFromCode(3)).toBe(480);
    expect(maxApduFromCode(5)).toBe(1476);
    expect(maxApduFromCode(9)).toBe(1476);
  });
});

describe("REAL precision", () => {
  it("shows a float32 with the seven digits it has", async () => {
    const { decodeValue, ApplicationTag } = await import("./app-values");
    expect(decodeValue({ type: ApplicationTag.REAL, value: Math.fround(24.88) })).toBe(24.88);
    expect(decodeValue({ type: ApplicationTag.REAL, value: Math.fround(0.1) })).toBe(0.1);
    expect(decodeValue({ type: ApplicationTag.REAL, value: Math.fround(1234567.8) })).toBe(1234568);
    expect(decodeValue({ type: ApplicationTag.DOUBLE, value: 24.8799991607666 })).toBe(24.8799991607666);
  });
});
