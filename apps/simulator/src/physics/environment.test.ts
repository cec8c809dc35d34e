import { describe, expect, it } from "vitest";
import { occupancy, outdoorTemp } from "./environment";

describe("outdoor temperature", () => {
  const weather = { outdoorMeanC: 18, outdoorSwingC: 6 };
  it("is warmest mid-afternoon and coldest before dawn", () => {
    expect(outdoorTemp(weather, 15)).toBeCloseTo(24);
    expect(outdoorTemp(weather, 3)).toBeCloseTo(12);
    expect(outdoorTemp(weather, 9)).toBeCloseTo(18);
  });
});

describe("occupancy profile", () => {
  const spec = { startHour: 7, endHour: 19 };
  const at = (iso: string) => new Date(iso).getTime();
  it("ramps in after the start hour and is empty at night and on weekends", () => {
    expect(occupancy(spec, at("2026-11-25T03:00:00"))).toBe(0); // Wednesday night
    expect(occupancy(spec, at("2026-11-25T07:30:00"))).toBeCloseTo(0.5);
    expect(occupancy(spec, at("2026-11-25T12:00:00"))).toBe(1);
    expect(occupancy(spec, at("2026-11-25T18:30:00"))).toBeCloseTo(0.5);
    expect(occupancy(spec, at("2026-11-28T12:00:00"))).toBe(0); // Saturday
  });
});
