import { describe, expect, it } from "vitest";
import { SimDevice } from "../../device/sim-device";
import { parseSite } from "../../site/site-schema";
import type { StepContext } from "../behavior";
import { SiteModel } from "../site-model";
import { ZoneOccupancyModel } from "./zone-occupancy";

const ZONES = 10;

function sensors(extra: Record<string, unknown> = {}, schedule = { startHour: 7, endHour: 19 }) {
  const parsed = parseSite({
    name: "t",
    devices: [
      {
        instance: 1,
        name: "d",
        equipment: [
          {
            model: "zoneOccupancy",
            name: "Occupancy",
            zones: Array.from({ length: ZONES }, (_, i) => ({ name: `Zone ${i + 1}` })),
            ...extra,
          },
        ],
      },
    ],
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const spec = parsed.site.devices[0]?.equipment[0];
  if (spec?.model !== "zoneOccupancy") throw new Error("unexpected model");
  const device = new SimDevice({ instance: 7, name: "occ", address: "127.0.0.9" });
  const model = new ZoneOccupancyModel(device, spec, 0, new SiteModel(schedule));
  const at = (simTimeMs: number) => {
    const ctx: StepContext = {
      dtS: 1,
      elapsedS: 1,
      simTimeMs,
      env: { outdoorTempC: 18, occupancy: 0 },
      random: () => 0.5,
    };
    model.step(ctx);
    return Array.from(
      { length: ZONES },
      (_, i) => device.findByName(`Zone ${i + 1} Occupancy`)?.presentValue,
    );
  };
  const occupied = (simTimeMs: number) => at(simTimeMs).flatMap((v, i) => (v === 1 ? [`Zone ${i + 1}`] : []));
  return { device, at, occupied };
}

// Local simulated time, as the schedule reads it. 25 Nov 2026 is a Wednesday, 28 Nov a Saturday.
const wed = (h: number, m = 0) => new Date(2026, 10, 25, h, m).getTime();
const sat = (h: number, m = 0) => new Date(2026, 10, 28, h, m).getTime();
const ALL = Array.from({ length: ZONES }, (_, i) => `Zone ${i + 1}`);

describe("zone occupancy sensors on the time-of-day schedule", () => {
  // Default schedule 07:00-19:00 on workdays; zones arrive 0-30 min late and leave 0-30 min early.
  it.each([
    { when: "Wednesday 03:00", t: wed(3), zones: [] },
    { when: "Wednesday 06:59", t: wed(6, 59), zones: [] },
    {
      when: "Wednesday 07:16: the early zones",
      t: wed(7, 16),
      zones: ["Zone 2", "Zone 5", "Zone 7", "Zone 8", "Zone 10"],
    },
    { when: "Wednesday 07:31: everyone", t: wed(7, 31), zones: ALL },
    { when: "Wednesday 12:00", t: wed(12), zones: ALL },
    { when: "Wednesday 18:50: the late leavers", t: wed(18, 50), zones: ["Zone 1", "Zone 4", "Zone 8"] },
    { when: "Wednesday 19:00", t: wed(19), zones: [] },
    { when: "Saturday 12:00", t: sat(12), zones: [] },
  ])("$when", ({ t, zones }) => {
    expect(sensors().occupied(t)).toEqual(zones);
  });

  it("follows the equipment's own hours over the site's, and the site's by default", () => {
    expect(sensors({}, { startHour: 9, endHour: 17 }).occupied(wed(8))).toEqual([]);
    expect(sensors({}, { startHour: 9, endHour: 17 }).occupied(wed(10))).toEqual(ALL);
    expect(sensors({ startHour: 6, endHour: 22, staggerMin: 0 }).occupied(wed(6))).toEqual(ALL);
    expect(sensors({ startHour: 6, endHour: 22, staggerMin: 0 }).occupied(wed(21, 59))).toEqual(ALL);
  });

  it("is forced by the Occupancy Mode and back on schedule when it is relinquished", () => {
    const s = sensors();
    const mode = s.device.findByName("Occupancy Mode");
    expect(mode?.stateText).toEqual(["Auto", "Occupied", "Unoccupied"]);
    mode?.writePresentValue(2, 8);
    expect(s.occupied(wed(3))).toEqual(ALL);
    mode?.writePresentValue(3, 8);
    expect(s.occupied(wed(12))).toEqual([]);
    mode?.writePresentValue(null, 8);
    expect(s.occupied(wed(12))).toEqual(ALL);
  });

  it("lets the override API force one zone", () => {
    const s = sensors();
    const zone3 = s.device.findByName("Zone 3 Occupancy");
    zone3?.setOverride(1);
    expect(s.occupied(wed(3))).toEqual(["Zone 3"]);
    expect(zone3?.outOfServiceProperty).toBe(true);
    zone3?.setOverride(null);
    expect(s.occupied(wed(3))).toEqual([]);
  });

  it("names its points with state texts for people", () => {
    const s = sensors();
    const zone1 = s.device.findByName("Zone 1 Occupancy");
    expect(zone1).toMatchObject({
      typeName: "binaryInput",
      instance: 1,
      activeText: "Occupied",
      inactiveText: "Unoccupied",
    });
    expect(s.device.findByName("Zone 10 Occupancy")?.instance).toBe(10);
    expect(s.device.findByName("Occupancy Mode")).toMatchObject({ typeName: "multiStateValue", instance: 1 });
  });
});
