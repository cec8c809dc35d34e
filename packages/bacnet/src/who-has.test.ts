import { IHave, WhoHas } from "@bacnet-js/client/dist/lib/services/index.js";
import { describe, expect, it } from "vitest";
import { decodeIHave, encodeWhoHas, isIHave } from "./who-has";

/** The library's I-Have encoder, as a device built on it would answer. */
function libraryIHave(device: number, object: { type: number; instance: number }, name: string): Buffer {
  const buf = { buffer: Buffer.alloc(1500), offset: 0 };
  buf.buffer[0] = 0x10;
  buf.buffer[1] = 0x01;
  buf.offset = 2;
  IHave.encode(buf, { type: 8, instance: device }, object, name);
  return Buffer.from(buf.buffer.subarray(0, buf.offset));
}

describe("Who-Has encoding", () => {
  it("encodes by name and by object id, with and without limits, as the library decodes them", () => {
    const byName = encodeWhoHas({ target: { objectName: "VAV-1 Zone Temp" } });
    expect(byName.subarray(0, 2)).toEqual(Buffer.from([0x10, 0x07]));
    expect(WhoHas.decode(byName, 2, byName.length - 2)).toMatchObject({ objectName: "VAV-1 Zone Temp" });

    const byId = encodeWhoHas({
      target: { objectId: { type: 0, instance: 1 } },
      lowLimit: 3001,
      highLimit: 300_000,
    });
    expect(WhoHas.decode(byId, 2, byId.length - 2)).toMatchObject({
      lowLimit: 3001,
      highLimit: 300_000,
      objectId: { type: 0, instance: 1 },
    });
    // Exact octets: [0] 3001, [1] 300000, [2] analog-input 1.
    expect(byId.toString("hex")).toBe("10070a0bb91b0493e02c00000001");
  });

  it("encodes a name longer than 253 octets with a two-octet length", () => {
    const name = "x".repeat(300);
    const apdu = encodeWhoHas({ target: { objectName: name } });
    expect(apdu.subarray(2, 6)).toEqual(Buffer.from([0x3d, 254, 0x01, 0x2d]));
    expect(WhoHas.decode(apdu, 2, apdu.length - 2)).toMatchObject({ objectName: name });
  });

  it("refuses requests no device could answer", () => {
    expect(() => encodeWhoHas({ target: { objectName: "" } })).toThrow(RangeError);
    expect(() => encodeWhoHas({ target: { objectName: "a" }, lowLimit: 5 })).toThrow(RangeError);
    expect(() => encodeWhoHas({ target: { objectName: "a" }, lowLimit: 9, highLimit: 5 })).toThrow(
      RangeError,
    );
    expect(() => encodeWhoHas({ target: { objectId: { type: 1024, instance: 1 } } })).toThrow(RangeError);
  });
});

describe("I-Have decoding", () => {
  it("decodes what the library encodes", () => {
    const apdu = libraryIHave(3001, { type: 0, instance: 1 }, "VAV-1 Zone Temp");
    expect(isIHave(apdu, 0)).toBe(true);
    expect(decodeIHave(apdu, 0)).toEqual({
      ok: true,
      iHave: { deviceInstance: 3001, object: { type: 0, instance: 1 }, objectName: "VAV-1 Zone Temp" },
    });
    const long = libraryIHave(7, { type: 2, instance: 9 }, "é".repeat(200));
    expect(decodeIHave(long, 0)).toMatchObject({ ok: true, iHave: { objectName: "é".repeat(200) } });
  });

  it("refuses malformed answers with a code", () => {
    const good = libraryIHave(3001, { type: 0, instance: 1 }, "Zone");
    const cases: [Buffer, string][] = [
      [Buffer.from([0x10, 0x00]), "not-i-have"],
      [good.subarray(0, 8), "truncated"],
      [good.subarray(0, good.length - 1), "truncated"],
      [Buffer.concat([good, Buffer.from([0])]), "trailing-octets"],
      [libraryIHave(3001, { type: 0, instance: 1 }, "").subarray(0), "bad-name"],
      [libraryIHave(3001, { type: 0, instance: 1 }, "a\nb"), "bad-name"],
      [libraryIHave(4_194_303, { type: 0, instance: 1 }, "Zone"), "bad-instance"],
    ];
    for (const [apdu, problem] of cases) expect(decodeIHave(apdu, 0)).toEqual({ ok: false, problem });

    const notDevice = Buffer.from(good);
    notDevice.writeUInt32BE((2 << 22) | 3001, 3);
    expect(decodeIHave(notDevice, 0)).toEqual({ ok: false, problem: "not-a-device" });
    const ucs2 = Buffer.from(good);
    ucs2[14] = 4;
    expect(decodeIHave(ucs2, 0)).toEqual({ ok: false, problem: "unsupported-charset" });
    const badUtf8 = Buffer.from(good);
    badUtf8[15] = 0xff;
    expect(decodeIHave(badUtf8, 0)).toEqual({ ok: false, problem: "bad-name" });
    const wrongTag = Buffer.from(good);
    wrongTag[7] = 0xc3;
    expect(decodeIHave(wrongTag, 0)).toEqual({ ok: false, problem: "bad-tag" });
  });
});
