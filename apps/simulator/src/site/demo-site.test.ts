import { unitsName } from "@bms/bacnet";
import { describe, expect, it } from "vitest";
import { buildSite } from "./build-site";
import { loadSiteFile, resolveSiteSource } from "./load-site";

const demo = () => buildSite(loadSiteFile(resolveSiteSource("demo", process.cwd())), "127.0.0.2");

/**
 * The Designer's seeded project, the starter flows and the tests address the demo building by device
 * and object instance, and by address order: those must never move when the building grows.
 */
describe("demo building", () => {
  it("keeps the original devices, their addresses and object counts, and adds the new ones after them", () => {
    const built = demo();
    expect(built.devices.map((d) => [d.instance, d.address, d.objects.length])).toEqual([
      [2001, "127.0.0.2", 18],
      [2002, "127.0.0.3", 16],
      [2003, "127.0.0.4", 4],
      [2004, "127.0.0.5", 17],
      ...Array.from({ length: 10 }, (_, i) => [3001 + i, `127.0.0.${6 + i}`, 10]),
      [2005, "127.0.0.16", 29],
      [2006, "127.0.0.17", 27],
      [2007, "127.0.0.18", 11],
    ]);
    // The ten VAV boxes sit behind the router on network 2001 (MS/TP MACs 1..10), as a real building's.
    expect(
      built.devices
        .filter((d) => d.link.network !== undefined)
        .map((d) => [d.instance, d.link.network, d.link.mac]),
    ).toEqual(Array.from({ length: 10 }, (_, i) => [3001 + i, 2001, 1 + i]));
    const vav1 = built.devices.find((d) => d.instance === 3001);
    expect(vav1?.objects.map((o) => `${o.key} ${o.name}`)).toEqual(
      expect.arrayContaining([
        "analogInput:1 VAV-1 Zone Temp",
        "analogValue:1 VAV-1 Occupied Setpoint",
        "analogOutput:2 VAV-1 Reheat Valve Cmd",
      ]),
    );
  });

  it("names no object with its equipment's word twice (the Central Plant's mode is 'Plant Mode')", () => {
    const names = demo().devices.flatMap((d) => d.objects.map((o) => o.name));
    expect(names).toContain("Plant Mode");
    expect(names.filter((n) => /^(\S+) \1\b/.test(n))).toEqual([]);
  });

  it.each([
    [2005, ["CHW Loop DP", "CHW Supply Temp", "CH-1 Enable", "CH-2 Status", "CHWP-1 Status", "CHWP-2 Fault"]],
    [2006, ["HW Loop DP", "HW Supply Temp", "B-1 Enable", "B-2 Firing Rate", "HWP-1 Cmd", "HWP-2 Speed"]],
    [2007, ["Occupancy Mode", "Zone 1 Occupancy", "Zone 10 Occupancy"]],
  ])(
    "device %i presents every point for people: names, descriptions, units, state texts",
    (instance, names) => {
      const device = demo().devices.find((d) => d.instance === instance);
      if (!device) throw new Error(`no device ${instance}`);
      expect(device.objects.map((o) => o.name)).toEqual(expect.arrayContaining(names));
      for (const o of device.objects) {
        expect(o.description, o.name).not.toBe("");
        if (o.kind === "analog") {
          expect(unitsName(o.units ?? 95), o.name).not.toBe("noUnits");
          expect(o.covIncrement, o.name).toBeGreaterThan(0);
        }
        if (o.kind === "binary") expect([o.activeText, o.inactiveText], o.name).not.toEqual(["On", "Off"]);
        if (o.kind === "multiState") expect(o.stateText, o.name).not.toContain("State 1");
      }
    },
  );

  it("serves the loop DP in kilopascals and the pump speeds in percent", () => {
    const chw = demo().devices.find((d) => d.instance === 2005);
    const units = (name: string) => unitsName(chw?.findByName(name)?.units ?? 95);
    expect(units("CHW Loop DP")).toBe("kilopascals");
    expect(units("CHW Loop DP Setpoint")).toBe("kilopascals");
    expect(units("CHWP-1 Speed Cmd")).toBe("percent");
    expect(units("CHWP-1 Speed")).toBe("percent");
    expect(units("CHW Loop Flow")).toBe("litersPerSecond");
  });
});
