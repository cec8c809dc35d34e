import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  decodeModbusValue,
  encodeModbusValue,
  formatModbusAddress,
  type ModbusType,
  modbusWords,
  RAW_REGISTER,
  type RegisterCodec,
  resolveModbusAddress,
  validateModbusProfile,
} from "./modbus-profile";
import { BUILTIN_MODBUS_PROFILES_DIR, loadModbusProfiles, ModbusProfileError } from "./modbus-profile-files";

function codec(type: ModbusType, more: Partial<RegisterCodec> = {}): RegisterCodec {
  return { ...RAW_REGISTER, type, ...more };
}

describe("Modbus register codec", () => {
  // Words as they travel on the wire, from worked examples in meter manuals and the IEEE-754 tables.
  const cases: Array<[string, RegisterCodec, number[], number | boolean]> = [
    ["uint16", codec("uint16"), [0xfffe], 65_534],
    ["int16 negative", codec("int16"), [0xfffe], -2],
    ["int16 byte-swapped", codec("int16", { byte_order: "little" }), [0xfeff], -2],
    ["uint32 high word first", codec("uint32"), [0x0001, 0x0002], 65_538],
    ["uint32 low word first", codec("uint32", { word_order: "little" }), [0x0002, 0x0001], 65_538],
    ["int32 negative", codec("int32"), [0xffff, 0xfffe], -2],
    ["float32 ABCD", codec("float32"), [0x4148, 0x0000], 12.5],
    ["float32 CDAB (word swap)", codec("float32", { word_order: "little" }), [0x0000, 0x4148], 12.5],
    ["float32 BADC (byte swap)", codec("float32", { byte_order: "little" }), [0x4841, 0x0000], 12.5],
    [
      "float32 DCBA (both)",
      codec("float32", { word_order: "little", byte_order: "little" }),
      [0x0000, 0x4841],
      12.5,
    ],
    ["float64", codec("float64"), [0x4029, 0x0000, 0x0000, 0x0000], 12.5],
    ["float64 word swap", codec("float64", { word_order: "little" }), [0, 0, 0, 0x4029], 12.5],
    ["bool register", codec("bool"), [7], true],
    ["bool register off", codec("bool"), [0], false],
    ["bitfield bit 3 set", codec("bitfield", { bit: 3 }), [0b1000], true],
    ["bitfield bit 0 clear", codec("bitfield", { bit: 0 }), [0b1000], false],
    ["scale", codec("uint16", { scale: 0.1 }), [755], 75.5],
    ["scale and offset", codec("int16", { scale: 0.5, offset: -40 }), [100], 10],
  ];

  it.each(cases)("decodes %s", (_name, c, words, expected) => {
    const value = decodeModbusValue(words, c);
    if (typeof expected === "number") expect(value).toBeCloseTo(expected, 9);
    else expect(value).toBe(expected);
  });

  it.each(cases.filter(([, c]) => c.type !== "bitfield" && c.type !== "bool"))(
    "encodes %s back to the same words",
    (_name, c, words, expected) => {
      const encoded = encodeModbusValue(expected, c);
      expect(encoded).toEqual({ ok: true, words });
    },
  );

  it("rounds integers and refuses values that do not fit, never wrapping them", () => {
    expect(encodeModbusValue(75.46, codec("uint16", { scale: 0.1 }))).toEqual({ ok: true, words: [755] });
    const over = encodeModbusValue(7000, codec("uint16", { scale: 0.1 }));
    expect(over.ok).toBe(false);
    if (!over.ok) expect(over.message).toMatch(/out of range for uint16/);
    expect(encodeModbusValue(-1, codec("uint32")).ok).toBe(false);
    expect(encodeModbusValue(Number.NaN, codec("float32")).ok).toBe(false);
    expect(encodeModbusValue(1e39, codec("float32")).ok).toBe(false);
  });

  it("writes booleans as 1/0 and refuses other numbers for bits and whole bitfields", () => {
    expect(encodeModbusValue(true, codec("bool"))).toEqual({ ok: true, words: [1] });
    expect(encodeModbusValue(0, codec("bool"))).toEqual({ ok: true, words: [0] });
    expect(encodeModbusValue(2, codec("bool")).ok).toBe(false);
    expect(encodeModbusValue(true, codec("bitfield", { bit: 1 })).ok).toBe(false);
  });

  it("knows how many registers each type spans", () => {
    expect((["int16", "uint16", "bool", "bitfield"] as const).map(modbusWords)).toEqual([1, 1, 1, 1]);
    expect((["int32", "uint32", "float32", "float64"] as const).map(modbusWords)).toEqual([2, 2, 2, 4]);
  });
});

describe("Modbus addresses in point refs", () => {
  it("reads Modicon numbering for the tables that have a prefix, else the protocol address", () => {
    expect(resolveModbusAddress("holding_register", 40001)).toBe(0);
    expect(resolveModbusAddress("holding_register", 400001)).toBe(0);
    expect(resolveModbusAddress("holding_register", 465536)).toBe(65_535);
    expect(resolveModbusAddress("input_register", 30005)).toBe(4);
    expect(resolveModbusAddress("discrete_input", 10002)).toBe(1);
    expect(resolveModbusAddress("holding_register", 3000)).toBe(3000);
    expect(resolveModbusAddress("coil", 40001)).toBe(40001);
    expect(resolveModbusAddress("input_register", 40001)).toBe(40001);
    expect(resolveModbusAddress("coil", 70000)).toBeUndefined();
  });

  it("formats an address that would read as Modicon in the six-digit form", () => {
    expect(formatModbusAddress("holding_register", 12)).toBe(12);
    expect(formatModbusAddress("holding_register", 40001)).toBe(440002);
    expect(resolveModbusAddress("holding_register", formatModbusAddress("holding_register", 40001))).toBe(
      40001,
    );
    expect(formatModbusAddress("coil", 40001)).toBe(40001);
  });
});

describe("Modbus profiles", () => {
  it("loads and validates every shipped profile", () => {
    const profiles = loadModbusProfiles([BUILTIN_MODBUS_PROFILES_DIR]);
    expect([...profiles.keys()].sort()).toEqual(["bms-sim-meter", "bms-sim-vfd", "generic-energy-meter"]);
    const vfd = profiles.get("bms-sim-vfd");
    expect(vfd?.registers.find((r) => r.name === "run_cmd")?.type).toBe("bool");
    expect(vfd?.registers.find((r) => r.name === "speed_cmd")).toMatchObject({ scale: 0.1, writable: true });
  });

  it("names the path of every problem in a malformed profile", () => {
    const result = validateModbusProfile({
      id: "Bad Id",
      device: "x",
      registers: [
        { name: "a", table: "coil", address: 0, type: "float32" },
        { name: "b", table: "input_register", address: 0, writable: true },
        { name: "c", table: "holding_register", address: 10, type: "float32" },
        { name: "d", table: "holding_register", address: 11 },
        { name: "c", table: "holding_register", address: 20, type: "bitfield" },
        { name: "e", table: "holding_register", address: 65_535, type: "uint32" },
        { name: "f", table: "holding_register", address: 30, scale: 0 },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "id",
        "registers[0].type",
        "registers[1].writable",
        "registers[4].bit",
        "registers[5].address",
        "registers[6].scale",
      ]),
    );
    // The refinements that need the whole profile run only once every register parses.
    const second = validateModbusProfile({
      id: "ok",
      device: "x",
      registers: [
        { name: "c", table: "holding_register", address: 10, type: "float32" },
        { name: "d", table: "holding_register", address: 11 },
        { name: "c", table: "holding_register", address: 20 },
      ],
    });
    expect(second.ok).toBe(false);
    if (second.ok) return;
    expect(second.errors).toEqual([
      expect.objectContaining({
        path: "registers[2].name",
        message: expect.stringMatching(/registers\[0\]/),
      }),
      expect.objectContaining({ path: "registers[1].address", message: expect.stringMatching(/"c"/) }),
    ]);
  });

  it("reports a broken file with its name and the problem paths, and loads nothing from it", () => {
    const dir = mkdtempSync(join(tmpdir(), "bms-modbus-profiles-"));
    writeFileSync(
      join(dir, "site-meter.json"),
      JSON.stringify({
        id: "site-meter",
        device: "x",
        registers: [{ name: "a", table: "coil", address: 0, type: "int16" }],
      }),
    );
    let caught: unknown;
    try {
      loadModbusProfiles([BUILTIN_MODBUS_PROFILES_DIR, dir]);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ModbusProfileError);
    const error = caught as ModbusProfileError;
    expect(error.code).toBe("invalid_profile");
    expect(error.file).toMatch(/site-meter\.json$/);
    expect(error.problems).toEqual([expect.objectContaining({ path: "registers[0].type" })]);
    writeFileSync(join(dir, "site-meter.json"), "{ not json");
    expect(() => loadModbusProfiles([dir])).toThrow(/site-meter\.json: \(root\): not readable JSON/);
  });
});
