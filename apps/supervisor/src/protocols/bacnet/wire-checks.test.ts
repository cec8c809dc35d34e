import { describe, expect, it } from "vitest";
import { checkIAm, checkPresentValue, isObjectId } from "./wire-checks";

const REAL = 4;
const UNSIGNED = 2;
const ENUMERATED = 9;
const STRING = 7;
const NULL = 0;

describe("checkIAm", () => {
  const good = { deviceId: 1001, maxApdu: 1476, segmentation: 3, vendorId: 999 };
  it("accepts a standard I-Am and caps max APDU at what B/IP carries", () => {
    expect(checkIAm(good)).toEqual({ ok: true, value: good });
    expect(checkIAm({ ...good, maxApdu: 1482 })).toEqual({ ok: true, value: good });
  });
  it.each([
    [{ ...good, deviceId: 4_194_303 }, "device instance"],
    [{ ...good, deviceId: -1 }, "device instance"],
    [{ ...good, deviceId: 1.5 }, "device instance"],
    [{ ...good, deviceId: "1001" }, "device instance"],
    [{ ...good, maxApdu: 49 }, "max APDU"],
    [{ ...good, segmentation: 4 }, "segmentation"],
    [{ ...good, vendorId: 65_536 }, "vendor id"],
    [null, "empty"],
  ])("refuses %j", (payload, problem) => {
    const checked = checkIAm(payload);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.problem).toContain(problem);
  });
});

describe("isObjectId", () => {
  it.each([
    [{ type: 0, instance: 1 }, true],
    [{ type: 1023, instance: 4_194_303 }, true],
    [{ type: 1024, instance: 1 }, false],
    [{ type: 0, instance: 4_194_304 }, false],
    [{ type: 0 }, false],
    [1, false],
  ])("%j -> %s", (value, expected) => {
    expect(isObjectId(value)).toBe(expected);
  });
});

describe("checkPresentValue", () => {
  it.each([
    // analogInput: a finite REAL (or another number tag)
    [0, { type: REAL, value: 21.5 }, true, 21.5],
    [0, { type: UNSIGNED, value: 3 }, true, 3],
    [0, { type: REAL, value: Number.NaN }, false, undefined],
    [0, { type: STRING, value: "21.5" }, false, undefined],
    // binaryOutput: BinaryPV active/inactive only
    [4, { type: ENUMERATED, value: 1 }, true, true],
    [4, { type: ENUMERATED, value: 0 }, true, false],
    [4, { type: ENUMERATED, value: 5 }, false, undefined],
    [4, { type: REAL, value: 1 }, false, undefined],
    // multiStateValue: a state number from 1
    [19, { type: UNSIGNED, value: 2 }, true, 2],
    [19, { type: UNSIGNED, value: 0 }, false, undefined],
    // an empty priority slot
    [1, { type: NULL, value: null }, true, null],
  ])("type %i %j -> %s", (objectType, data, ok, value) => {
    const checked = checkPresentValue(objectType, data);
    expect(checked.ok).toBe(ok);
    if (checked.ok) expect(checked.value).toBe(value);
  });
});
