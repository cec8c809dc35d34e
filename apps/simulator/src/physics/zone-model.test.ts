import { describe, expect, it } from "vitest";
import { ZoneThermal } from "./zone-model";

const inputs = { outdoorTempC: 30, occupancy: 1, dischargeTempC: 14, airflowLps: 300 };

describe("ZoneThermal", () => {
  it("cools toward its steady state when cold air is supplied", () => {
    const zone = new ZoneThermal({ areaM2: 60 }, 26);
    const steady = zone.steadyStateC(inputs);
    expect(steady).toBeLessThan(26);
    expect(steady).toBeGreaterThan(14);
    for (let i = 0; i < 24 * 60; i++) zone.step(inputs, 60);
    expect(zone.temperatureC).toBeCloseTo(steady, 1);
  });

  it("responds like a first-order system with a time constant of tens of minutes", () => {
    const zone = new ZoneThermal({ areaM2: 60 }, 26);
    const steady = zone.steadyStateC(inputs);
    zone.step(inputs, 60);
    const afterOneMinute = zone.temperatureC;
    expect(afterOneMinute).toBeLessThan(26);
    expect(26 - afterOneMinute).toBeLessThan(0.2 * (26 - steady)); // slow: no jump
    // After roughly one time constant, about 63 % of the way.
    let minutes = 1;
    while (zone.temperatureC > 26 - 0.632 * (26 - steady) && minutes < 600) {
      zone.step(inputs, 60);
      minutes++;
    }
    expect(minutes).toBeGreaterThan(10);
    expect(minutes).toBeLessThan(120);
  });

  it("warms with occupancy and more with less airflow (what a PID acts on)", () => {
    const base = { outdoorTempC: 20, occupancy: 0, dischargeTempC: 14, airflowLps: 200 };
    const zone = new ZoneThermal({ areaM2: 60 }, 22);
    const empty = zone.steadyStateC(base);
    const occupied = zone.steadyStateC({ ...base, occupancy: 1 });
    const lessAir = zone.steadyStateC({ ...base, occupancy: 1, airflowLps: 100 });
    expect(occupied).toBeGreaterThan(empty);
    expect(lessAir).toBeGreaterThan(occupied);
  });

  it("stays stable with large time steps (high --speed)", () => {
    const zone = new ZoneThermal({ areaM2: 20 }, 22);
    for (let i = 0; i < 100; i++) zone.step({ ...inputs, airflowLps: 2000 }, 900);
    expect(zone.temperatureC).toBeGreaterThan(13);
    expect(zone.temperatureC).toBeLessThan(31);
  });
});
