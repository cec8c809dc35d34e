import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildSite, SiteBuildError } from "./build-site";
import { BUILT_IN_SITES, resolveSiteSource } from "./load-site";
import { scaleSite } from "./scale-site";
import { parseSite } from "./site-schema";

const minimal = (objects: unknown[], extra: Record<string, unknown> = {}) => ({
  name: "t",
  devices: [{ instance: 1, name: "d", objects, ...extra }],
});

describe("site validation", () => {
  it("accepts the bundled sites", () => {
    for (const name of BUILT_IN_SITES) {
      const source = resolveSiteSource(name, "/");
      const parsed = parseSite(JSON.parse(readFileSync(source.file, "utf8")));
      expect(parsed.ok, name).toBe(true);
    }
  });

  it("names the path of a bad unit", () => {
    const parsed = parseSite(minimal([{ type: "analogInput", instance: 1, name: "t", units: "celsius" }]));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues[0]?.path).toBe("devices[0].objects[0].units");
    expect(parsed.issues[0]?.message).toMatch(/unknown engineering unit/);
  });

  it("names unknown keys, bad types and out-of-range instances", () => {
    const parsed = parseSite({
      name: "t",
      devices: [
        { instance: 4194303, name: "d", objects: [{ type: "analogInpt", instance: 1, name: "x" }] },
        { instance: 2, name: "e", objects: [], colour: "red" },
      ],
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const paths = parsed.issues.map((i) => i.path);
    expect(paths).toContain("devices[0].instance");
    expect(paths).toContain("devices[0].objects[0].type");
    expect(paths).toContain("devices[1]");
    expect(parsed.issues.find((i) => i.path === "devices[1]")?.message).toMatch(/colour/);
  });

  it("reports duplicate devices and objects with both places", () => {
    const parsed = parseSite({
      name: "t",
      devices: [
        {
          instance: 7,
          name: "a",
          objects: [
            { type: "binaryValue", instance: 1, name: "x" },
            { type: "binaryValue", instance: 1, name: "y" },
          ],
        },
        { instance: 7, name: "b" },
      ],
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues).toEqual(
      expect.arrayContaining([
        { path: "devices[1].instance", message: "device instance 7 is already used by devices[0]" },
        {
          path: "devices[0].objects[1].instance",
          message: "binaryValue:1 is already defined at devices[0].objects[0]",
        },
      ]),
    );
  });

  it("rejects units on binary objects and stateText on analog ones", () => {
    const parsed = parseSite(
      minimal([
        { type: "binaryInput", instance: 1, name: "a", units: "percent" },
        { type: "analogValue", instance: 1, name: "b", stateText: ["x", "y"] },
      ]),
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues.map((i) => i.path)).toEqual([
      "devices[0].objects[0].units",
      "devices[0].objects[1].stateText",
    ]);
  });
});

describe("site building", () => {
  it("gives devices consecutive addresses after --bind and equipment its own instance ranges", () => {
    const parsed = parseSite({
      name: "t",
      devices: [
        { instance: 1, name: "ahu", equipment: [{ model: "ahu", name: "AHU-1" }] },
        {
          instance: 2,
          name: "vavs",
          equipment: [
            { model: "vav", name: "VAV-1" },
            { model: "vav", name: "VAV-2" },
          ],
        },
      ],
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const built = buildSite(parsed.site, "127.0.0.254");
    expect(built.devices.map((d) => d.address)).toEqual(["127.0.0.254", "127.0.0.255"]);
    const vavs = built.devices[1];
    expect(vavs?.findByName("VAV-1 Zone Temp")?.instance).toBe(1);
    expect(vavs?.findByName("VAV-2 Zone Temp")?.instance).toBe(101);
    expect(built.behaviors).toHaveLength(3);
  });

  it("explains an equipment instance clash with the path", () => {
    const parsed = parseSite({
      name: "t",
      devices: [
        {
          instance: 1,
          name: "d",
          objects: [{ type: "analogInput", instance: 1, name: "mine" }],
          equipment: [{ model: "meter", name: "M" }],
        },
      ],
    });
    if (!parsed.ok) throw new Error("should parse");
    expect(() => buildSite(parsed.site, "127.0.0.2")).toThrow(SiteBuildError);
    expect(() => buildSite(parsed.site, "127.0.0.2")).toThrow(
      /devices\[0\]\.equipment\[0\]: device 1 already has analogInput:1/,
    );
  });

  it("explains a duplicate object name with the path (names are unique per device)", () => {
    const parsed = parseSite({
      name: "t",
      devices: [
        {
          instance: 1,
          name: "d",
          equipment: [
            { model: "chwPlant", name: "CHW" },
            { model: "chwPlant", name: "CHW B", instanceBase: 100 },
          ],
        },
      ],
    });
    if (!parsed.ok) throw new Error("should parse");
    expect(() => buildSite(parsed.site, "127.0.0.2")).toThrow(
      /devices\[0\]\.equipment\[1\]: device 1 already has an object named "CH-1 Enable"/,
    );
  });

  it("refuses a loop DP setpoint the pumps could never reach", () => {
    const parsed = parseSite({
      name: "t",
      devices: [
        {
          instance: 1,
          name: "d",
          equipment: [{ model: "hwPlant", name: "HW", designDpKpa: 80, dpSetpointKpa: 130 }],
        },
      ],
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues).toEqual([
      {
        path: "devices[0].equipment[0].dpSetpointKpa",
        message: "dpSetpointKpa must not exceed 1.5 x designDpKpa (the pumps' shut-off head)",
      },
    ]);
  });

  it("generates the scale site: N devices x 50 points", () => {
    const site = scaleSite(3);
    expect(parseSite(site).ok).toBe(true);
    const built = buildSite(site, "127.0.0.2");
    expect(built.devices).toHaveLength(3);
    expect(built.devices.every((d) => d.objects.length === 50)).toBe(true);
  });

  it("generates 250 points per device for the 50,000-point scale bench, each object once", () => {
    const site = scaleSite(2, 250);
    expect(parseSite(site).ok).toBe(true);
    const built = buildSite(site, "127.0.0.2");
    for (const device of built.devices) {
      expect(device.objects).toHaveLength(250);
      const ids = new Set(device.objects.map((o) => `${o.type}:${o.instance}`));
      expect(ids.size).toBe(250);
    }
  });
});
