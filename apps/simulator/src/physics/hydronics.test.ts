import { describe, expect, it } from "vitest";
import { loopOperatingPoint, SHUTOFF_HEAD, systemCoefficient } from "./hydronics";

describe("loop operating point", () => {
  // head and flow as fractions of the design point (one pump at full speed, full load)
  it.each([
    { case: "no pump", speeds: [], load: 1, head: 0, flow: 0, running: 0 },
    { case: "pumps stopped", speeds: [0, 0], load: 1, head: 0, flow: 0, running: 0 },
    { case: "impeller barely turning", speeds: [0.03], load: 1, head: 0, flow: 0, running: 0 },
    { case: "design point", speeds: [1], load: 1, head: 1, flow: 1, running: 1 },
    {
      case: "lead at 50 %: a quarter of the head",
      speeds: [0.5],
      load: 1,
      head: 0.25,
      flow: 0.5,
      running: 1,
    },
    { case: "lead at 70 %", speeds: [0.7, 0], load: 1, head: 0.49, flow: 0.7, running: 1 },
    {
      case: "lead and lag at 100 %",
      speeds: [1, 1],
      load: 1,
      head: 4 / 3,
      flow: Math.sqrt(4 / 3),
      running: 2,
    },
    {
      case: "lead and lag at 50 %",
      speeds: [0.5, 0.5],
      load: 1,
      head: 1 / 3,
      flow: Math.sqrt(1 / 3),
      running: 2,
    },
  ])("$case", ({ speeds, load, head, flow, running }) => {
    const point = loopOperatingPoint(speeds, load);
    expect(point.head).toBeCloseTo(head, 6);
    expect(point.flow).toBeCloseTo(flow, 6);
    expect(point.pumpsRunning).toBe(running);
  });

  it("follows speed squared at any load", () => {
    for (const load of [0, 0.3, 0.7, 1]) {
      const full = loopOperatingPoint([1], load).head;
      for (const speed of [0.2, 0.4, 0.6, 0.8]) {
        expect(loopOperatingPoint([speed], load).head / full).toBeCloseTo(speed * speed, 6);
      }
    }
  });

  it("rises as the load valves close, but never above the pumps' shut-off head", () => {
    const heads = [1, 0.75, 0.5, 0.25, 0].map((load) => loopOperatingPoint([1], load).head);
    for (let i = 1; i < heads.length; i++) expect(heads[i]).toBeGreaterThan(heads[i - 1] ?? 0);
    expect(heads.at(-1)).toBeLessThan(SHUTOFF_HEAD);
    expect(loopOperatingPoint([1, 1], 0).head).toBeLessThan(SHUTOFF_HEAD);
    expect(systemCoefficient(1)).toBe(1);
    expect(systemCoefficient(2)).toBe(1); // load shares beyond full are clamped
  });
});
