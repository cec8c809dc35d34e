import { describe, expect, it } from "vitest";
import { SimDevice } from "../../device/sim-device";
import type { StepContext } from "../behavior";
import { SiteModel } from "../site-model";
import { AhuModel } from "./ahu";
import { LightingModel } from "./lighting";
import { MeterModel } from "./meter";
import { PlantModel } from "./plant";
import { VavModel } from "./vav";

/** A deterministic "random" so noise is repeatable. */
function seeded(seed = 1): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return (s - 1) / 2147483646;
  };
}

function runner(models: Array<{ step(ctx: StepContext): void }>, env = { outdoorTempC: 28, occupancy: 1 }) {
  let elapsedS = 0;
  const random = seeded();
  return (seconds: number, dtS = 5) => {
    for (let t = 0; t < seconds; t += dtS) {
      elapsedS += dtS;
      const ctx: StepContext = {
        dtS,
        elapsedS,
        simTimeMs: Date.UTC(2026, 10, 25, 12) + elapsedS * 1000,
        env,
        random,
      };
      for (const m of models) m.step(ctx);
    }
  };
}

function building() {
  const site = new SiteModel();
  const plantDevice = new SimDevice({ instance: 2, name: "plant", address: "127.0.0.3" });
  const ahuDevice = new SimDevice({ instance: 1, name: "ahu", address: "127.0.0.2" });
  const vavDevice = new SimDevice({ instance: 3, name: "vav", address: "127.0.0.4" });
  const meterDevice = new SimDevice({ instance: 4, name: "meter", address: "127.0.0.5" });
  const plant = new PlantModel(
    plantDevice,
    { model: "plant", name: "P", chilledWaterSetpointC: 7, hotWaterSetpointC: 60 },
    0,
    site,
  );
  const ahu = new AhuModel(
    ahuDevice,
    { model: "ahu", name: "AHU", supplyAirSetpointC: 13, ductStaticSetpointPa: 250, minOutdoorAirPct: 20 },
    0,
    site,
    28,
  );
  const vav = new VavModel(
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
      initialTempC: 24,
    },
    0,
    site,
  );
  const meter = new MeterModel(meterDevice, { model: "meter", name: "M", baseLoadKw: 10 }, 0, site);
  const pv = (device: SimDevice, name: string) => {
    const o = device.findByName(name);
    if (!o) throw new Error(`no ${name}`);
    return o;
  };
  return { site, plant, ahu, vav, meter, plantDevice, ahuDevice, vavDevice, meterDevice, pv };
}

describe("AHU", () => {
  it("cools the supply air more as the cooling valve opens, with an S-shaped lag", () => {
    const b = building();
    const run = runner([b.plant, b.ahu, b.vav]);
    run(600);
    const sat = b.pv(b.ahuDevice, "AHU Supply Air Temp");
    const before = sat.presentValue;
    b.pv(b.ahuDevice, "AHU Cooling Valve Cmd").writePresentValue(100, 8);
    run(5);
    expect(Math.abs(sat.presentValue - before)).toBeLessThan(0.5); // no instant jump
    run(600);
    expect(sat.presentValue).toBeLessThan(before - 3);
    b.pv(b.ahuDevice, "AHU Cooling Valve Cmd").writePresentValue(0, 8);
    run(900);
    expect(sat.presentValue).toBeGreaterThan(before);
  });

  it("proves fan status after the start delay and loses airflow when stopped", () => {
    const b = building();
    const run = runner([b.plant, b.ahu, b.vav]);
    run(120);
    const status = b.pv(b.ahuDevice, "AHU Supply Fan Status");
    expect(status.presentValue).toBe(1);
    b.pv(b.ahuDevice, "AHU Supply Fan Cmd").writePresentValue(0, 8);
    run(1, 1);
    expect(status.presentValue).toBe(1);
    run(10, 1);
    expect(status.presentValue).toBe(0);
    run(60);
    expect(b.pv(b.vavDevice, "VAV Airflow").presentValue).toBeLessThan(5);
    expect(b.pv(b.ahuDevice, "AHU Duct Static Pressure").presentValue).toBeLessThan(10);
    b.pv(b.ahuDevice, "AHU Supply Fan Cmd").writePresentValue(1, 8);
    run(5, 1);
    expect(status.presentValue).toBe(0);
    run(10, 1);
    expect(status.presentValue).toBe(1);
  });
});

describe("VAV zone", () => {
  it("opens the damper: more airflow and a cooler zone; reheat warms it", () => {
    const b = building();
    const run = runner([b.plant, b.ahu, b.vav]);
    b.pv(b.ahuDevice, "AHU Cooling Valve Cmd").writePresentValue(80, 8);
    b.pv(b.vavDevice, "VAV Damper Cmd").writePresentValue(20, 8);
    run(3600);
    const zone = b.pv(b.vavDevice, "VAV Zone Temp");
    const airflow = b.pv(b.vavDevice, "VAV Airflow");
    const lowFlow = airflow.presentValue;
    const warm = zone.presentValue;
    b.pv(b.vavDevice, "VAV Damper Cmd").writePresentValue(100, 8);
    run(3600);
    expect(airflow.presentValue).toBeGreaterThan(lowFlow * 2);
    expect(zone.presentValue).toBeLessThan(warm - 1);
    const cool = zone.presentValue;
    b.pv(b.vavDevice, "VAV Reheat Valve Cmd").writePresentValue(100, 8);
    run(3600);
    expect(zone.presentValue).toBeGreaterThan(cool + 1);
    expect(b.pv(b.vavDevice, "VAV Discharge Air Temp").presentValue).toBeGreaterThan(25);
  });

  it("feeds its temperature back to the AHU's return air", () => {
    const b = building();
    const run = runner([b.plant, b.ahu, b.vav]);
    run(300);
    const rat = b.pv(b.ahuDevice, "AHU Return Air Temp").presentValue;
    expect(Math.abs(rat - (b.vav.temperatureC() + 0.5))).toBeLessThan(0.3);
  });
});

describe("plant", () => {
  it("holds chilled water at setpoint and drifts warm when the chiller is disabled", () => {
    const b = building();
    const run = runner([b.plant, b.ahu, b.vav]);
    run(600);
    const chw = b.pv(b.plantDevice, "P CHW Supply Temp");
    expect(chw.presentValue).toBeCloseTo(7, 0);
    b.pv(b.plantDevice, "P Chiller Enable").writePresentValue(0, 8);
    run(1800);
    expect(b.pv(b.plantDevice, "P Chiller Status").presentValue).toBe(0);
    expect(chw.presentValue).toBeGreaterThan(10);
  });

  it("interlocks the chiller with its pump", () => {
    const b = building();
    const run = runner([b.plant]);
    b.pv(b.plantDevice, "P CHW Pump Cmd").writePresentValue(0, 8);
    run(60);
    expect(b.pv(b.plantDevice, "P CHW Pump Status").presentValue).toBe(0);
    expect(b.pv(b.plantDevice, "P Chiller Status").presentValue).toBe(0);
  });
});

describe("meter", () => {
  it("totalises demand into kWh", () => {
    const b = building();
    const run = runner([b.plant, b.ahu, b.vav, b.meter]);
    run(3600, 10);
    const kw = b.pv(b.meterDevice, "M Demand").presentValue;
    const kwh = b.pv(b.meterDevice, "M Energy").presentValue;
    expect(kw).toBeGreaterThan(10); // base load plus fan, chiller, pumps
    expect(kwh).toBeGreaterThan(kw * 0.8);
    expect(kwh).toBeLessThan(kw * 1.2);
  });
});

describe("AHU modes and economizer", () => {
  it("reports its operating mode and limits outdoor air when the economizer is disabled", () => {
    const b = building();
    const run = runner([b.plant, b.ahu, b.vav]);
    run(120);
    expect(b.pv(b.ahuDevice, "AHU Operating Mode").presentValue).toBe(3); // cooling valve at its default 35 %
    b.pv(b.ahuDevice, "AHU Cooling Valve Cmd").writePresentValue(0, 8);
    b.pv(b.ahuDevice, "AHU Outdoor Air Damper Cmd").writePresentValue(100, 8);
    run(300);
    expect(b.pv(b.ahuDevice, "AHU Operating Mode").presentValue).toBe(5); // economizer
    b.pv(b.ahuDevice, "AHU Economizer Enable").writePresentValue(0, 8);
    run(300);
    expect(b.pv(b.ahuDevice, "AHU Outdoor Air Damper Position").presentValue).toBeCloseTo(20, 0);
    expect(b.pv(b.ahuDevice, "AHU Operating Mode").presentValue).toBe(2); // ventilation
  });
});

describe("lighting", () => {
  it("switches with a relay status, dims by level and scene, and draws power accordingly", () => {
    const site = new SiteModel();
    const device = new SimDevice({ instance: 9, name: "lights", address: "127.0.0.9" });
    const lights = new LightingModel(
      device,
      { model: "lighting", name: "L", zones: 2, kwPerZone: 2 },
      0,
      site,
    );
    const run = runner([lights], { outdoorTempC: 20, occupancy: 1 });
    const pv = (name: string) => {
      const o = device.findByName(name);
      if (!o) throw new Error(name);
      return o;
    };
    run(5, 1);
    expect(lights.kw()).toBe(0);
    pv("L Zone 1 Lights Cmd").writePresentValue(1, 8);
    run(3, 1);
    expect(pv("L Zone 1 Lights Status").presentValue).toBe(1);
    expect(lights.kw()).toBeCloseTo(2);
    const fullLux = pv("L Zone 1 Light Level").presentValue;
    pv("L Scene").writePresentValue(3, 8); // Presentation: 40 %
    run(2, 1);
    expect(lights.kw()).toBeCloseTo(0.8);
    expect(pv("L Zone 1 Light Level").presentValue).toBeLessThan(fullLux - 200);
  });
});
