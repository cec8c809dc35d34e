import { decodeModbusValue } from "@bms/schemas";
import { describe, expect, it } from "vitest";
import { buildSite, SiteBuildError } from "../site/build-site";
import { loadSiteFile, resolveSiteSource } from "../site/load-site";
import type { SiteSpec } from "../site/site-schema";
import { handlePdu } from "./modbus-pdu";
import { buildModbusUnits } from "./modbus-units";
import { MODBUS_WRITE_PRIORITY, type RegisterBank } from "./register-bank";

function demo() {
  const spec = loadSiteFile(resolveSiteSource("demo", process.cwd()));
  const built = buildSite(spec, "127.0.0.2");
  return { spec, built, units: buildModbusUnits(spec, built.devices) };
}

function object(built: ReturnType<typeof demo>["built"], device: number, key: string) {
  const found = built.devices.find((d) => d.instance === device)?.objects.find((o) => o.key === key);
  if (!found) throw new Error(`no ${key} on ${device}`);
  return found;
}

function pdu(...bytes: number[]): Buffer {
  return Buffer.from(bytes);
}

function registersOf(response: Buffer): number[] {
  const out: number[] = [];
  for (let i = 2; i < response.length; i += 2) out.push(response.readUInt16BE(i));
  return out;
}

function unit(units: Map<number, RegisterBank>, id: number): RegisterBank {
  const bank = units.get(id);
  if (!bank) throw new Error(`no unit ${id}`);
  return bank;
}

describe("the simulator's Modbus face", () => {
  it("serves the meter and both CHW pump VFDs of the demo site", () => {
    const { units } = demo();
    expect([...units.keys()].sort((a, b) => a - b)).toEqual([1, 11, 12]);
    expect(unit(units, 1).profile.id).toBe("bms-sim-meter");
    expect(unit(units, 12).profile.id).toBe("bms-sim-vfd");
  });

  it("encodes the same objects BACnet reads, in the profile's types and orders", () => {
    const { built, units } = demo();
    object(built, 2003, "analogInput:1").setProcessValue(123.25);
    object(built, 2003, "analogInput:2").setProcessValue(4567.89);
    object(built, 2003, "analogInput:4").setProcessValue(0.934);
    const meter = unit(units, 1);
    const words = registersOf(handlePdu(pdu(4, 0, 0, 0, 8), meter));
    const profile = meter.profile.registers;
    const reg = (name: string) => {
      const r = profile.find((p) => p.name === name);
      if (!r) throw new Error(name);
      return r;
    };
    expect(decodeModbusValue(words.slice(0, 2), reg("demand_kw"))).toBeCloseTo(123.25, 4);
    expect(decodeModbusValue(words.slice(2, 4), reg("energy_kwh"))).toBeCloseTo(4567.89, 6);
    expect(decodeModbusValue(words.slice(5, 6), reg("power_factor"))).toBeCloseTo(0.934, 6);
    // The swapped copy carries the same float with its words the other way round.
    expect(words.slice(6, 8)).toEqual([words[1], words[0]]);
  });

  it("packs bits and status words, and answers an address it lacks with illegal data address", () => {
    const { built, units } = demo();
    object(built, 2005, "binaryInput:61").setProcessValue(1); // CHWP-2 status
    object(built, 2005, "binaryInput:62").setProcessValue(1); // CHWP-2 fault
    const vfd = unit(units, 12);
    expect([...handlePdu(pdu(2, 0, 0, 0, 2), vfd)]).toEqual([2, 1, 0b11]);
    expect(registersOf(handlePdu(pdu(4, 0, 1, 0, 1), vfd))).toEqual([0b1001]);
    expect([...handlePdu(pdu(4, 0, 1, 0, 5), vfd)]).toEqual([0x84, 2]);
    expect([...handlePdu(pdu(3, 0, 0, 0, 126), vfd)]).toEqual([0x83, 3]);
    expect([...handlePdu(pdu(8, 0, 0, 0, 0), vfd)]).toEqual([0x88, 1]);
    expect([...handlePdu(pdu(3, 0), vfd)]).toEqual([0x83, 3]);
  });

  it("commands the drive's objects by FC 5, 6, 15 and 16, refusing read-only and out-of-range values", () => {
    const { built, units } = demo();
    const vfd = unit(units, 11);
    const speedCmd = object(built, 2005, "analogOutput:51");
    const runCmd = object(built, 2005, "binaryOutput:51");
    expect([...handlePdu(pdu(6, 0, 0, 0x02, 0x6c), vfd)]).toEqual([6, 0, 0, 0x02, 0x6c]); // 620 = 62.0 %
    expect(speedCmd.presentValue).toBeCloseTo(62, 6);
    expect(speedCmd.currentCommandPriority).toBe(MODBUS_WRITE_PRIORITY);
    expect([...handlePdu(pdu(16, 0, 0, 0, 1, 2, 0x01, 0xf4), vfd)]).toEqual([16, 0, 0, 0, 1]);
    expect(speedCmd.presentValue).toBeCloseTo(50, 6);
    expect([...handlePdu(pdu(5, 0, 0, 0xff, 0), vfd)]).toEqual([5, 0, 0, 0xff, 0]);
    expect(runCmd.presentValue).toBe(1);
    expect([...handlePdu(pdu(15, 0, 0, 0, 1, 1, 0), vfd)]).toEqual([15, 0, 0, 0, 1]);
    expect(runCmd.presentValue).toBe(0);
    expect([...handlePdu(pdu(5, 0, 0, 0x12, 0x34), vfd)]).toEqual([0x85, 3]);
    // 1001 = 100.1 %: past the speed command's maximum.
    expect([...handlePdu(pdu(6, 0, 0, 0x03, 0xe9), vfd)]).toEqual([0x86, 3]);
    // The speed feedback is an input register: not writable through any function.
    expect([...handlePdu(pdu(6, 0, 5, 0, 1), vfd)]).toEqual([0x86, 2]);
    expect(speedCmd.presentValue).toBeCloseTo(50, 6);
  });

  it("names the binding at fault in a site that binds what does not exist", () => {
    const { spec, built } = demo();
    const broken: SiteSpec = structuredClone(spec);
    const meter = broken.devices.find((d) => d.instance === 2003);
    if (!meter?.modbus?.[0]) throw new Error("demo meter has no Modbus unit");
    meter.modbus[0].bind.demand_kw = "analogInput:99";
    expect(() => buildModbusUnits(broken, built.devices)).toThrow(SiteBuildError);
    expect(() => buildModbusUnits(broken, built.devices)).toThrow(
      /devices\[2\]\.modbus\[0\]\.bind\.demand_kw: analogInput:99 does not exist/,
    );
    meter.modbus[0].profile = "nope";
    expect(() => buildModbusUnits(broken, built.devices)).toThrow(
      /modbus\[0\]\.profile: no Modbus profile "nope"/,
    );
  });
});
