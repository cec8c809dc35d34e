import { describe, expect, it } from "vitest";
import { SimDevice } from "../../device/sim-device";
import type { StepContext } from "../behavior";
import { SiteModel } from "../site-model";
import { AhuModel } from "./ahu";
import { PlantModel } from "./plant";
import { VavModel } from "./vav";

/** A textbook PI controller with output clamping and conditional integration (anti-windup). */
function pi(kp: number, tiS: number, reverse: boolean) {
  let integral = 0;
  return (setpoint: number, measured: number, dtS: number): number => {
    const error = reverse ? measured - setpoint : setpoint - measured;
    const unclamped = kp * (error + integral / tiS);
    if (unclamped > 0 && unclamped < 100) integral += error * dtS;
    return Math.max(0, Math.min(100, kp * (error + integral / tiS)));
  };
}

function plant() {
  const site = new SiteModel();
  const ahuDevice = new SimDevice({ instance: 1, name: "ahu", address: "127.0.0.2" });
  const vavDevice = new SimDevice({ instance: 2, name: "vav", address: "127.0.0.3" });
  const plantDevice = new SimDevice({ instance: 3, name: "plant", address: "127.0.0.4" });
  const models = [
    new PlantModel(
      plantDevice,
      { model: "plant", name: "P", chilledWaterSetpointC: 7, hotWaterSetpointC: 60 },
      0,
      site,
    ),
    new AhuModel(
      ahuDevice,
      { model: "ahu", name: "AHU", supplyAirSetpointC: 13, ductStaticSetpointPa: 250, minOutdoorAirPct: 20 },
      0,
      site,
      26,
    ),
    new VavModel(
      vavDevice,
      {
        model: "vav",
        name: "VAV",
        ahu: "AHU",
        zoneAreaM2: 60,
        maxAirflowLps: 400,
        minAirflowLps: 80,
        occupiedSetpointC: 22,
        unoccupiedSetpointC: 26,
        initialTempC: 25,
      },
      0,
      site,
    ),
  ];
  let elapsedS = 0;
  let seed = 3;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const step = (dtS: number) => {
    elapsedS += dtS;
    const ctx: StepContext = {
      dtS,
      elapsedS,
      simTimeMs: Date.UTC(2026, 10, 25, 11) + elapsedS * 1000,
      env: { outdoorTempC: 26, occupancy: 1 },
      random,
    };
    for (const m of models) m.step(ctx);
  };
  const point = (device: SimDevice, name: string) => {
    const o = device.findByName(name);
    if (!o) throw new Error(name);
    return o;
  };
  return { step, point, ahuDevice, vavDevice };
}

describe("PID plausibility (what a supervisor flow will see)", () => {
  it("a PI discharge-air loop on the cooling valve settles at setpoint without sustained oscillation", () => {
    const { step, point, ahuDevice } = plant();
    const sat = point(ahuDevice, "AHU Supply Air Temp");
    const valve = point(ahuDevice, "AHU Cooling Valve Cmd");
    const loop = pi(8, 90, true); // 8 %/K, Ti 90 s: ordinary DAT tuning
    const trace: number[] = [];
    for (let t = 0; t < 1800; t += 2) {
      valve.writePresentValue(loop(13, sat.presentValue, 2), 16);
      step(2);
      trace.push(sat.presentValue);
    }
    const last5min = trace.slice(-150);
    const min = Math.min(...trace);
    expect(Math.abs((last5min.at(-1) ?? 0) - 13)).toBeLessThan(0.3);
    expect(Math.max(...last5min) - Math.min(...last5min)).toBeLessThan(0.4); // settled, only sensor noise
    expect(min).toBeGreaterThan(13 - 2); // bounded overshoot
  });

  it("a PI zone loop on the VAV damper brings the zone to its setpoint in tens of minutes", () => {
    const { step, point, ahuDevice, vavDevice } = plant();
    point(ahuDevice, "AHU Cooling Valve Cmd").writePresentValue(90, 16); // supply air near 13 °C
    const zone = point(vavDevice, "VAV Zone Temp");
    const damper = point(vavDevice, "VAV Damper Cmd");
    const loop = pi(40, 600, true); // 40 %/K, Ti 10 min
    const trace: number[] = [];
    for (let t = 0; t < 3 * 3600; t += 10) {
      damper.writePresentValue(loop(22, zone.presentValue, 10), 16);
      step(10);
      trace.push(zone.presentValue);
    }
    const lastHour = trace.slice(-360);
    expect(Math.abs(lastHour.reduce((a, b) => a + b, 0) / lastHour.length - 22)).toBeLessThan(0.3);
    const reached = trace.findIndex((v) => v <= 22.3);
    expect(reached * 10).toBeGreaterThan(5 * 60); // not instant: a zone has thermal mass
    expect(reached * 10).toBeLessThan(90 * 60);
  });
});
