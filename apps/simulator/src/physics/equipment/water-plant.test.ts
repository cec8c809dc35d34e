import { describe, expect, it } from "vitest";
import { SimDevice } from "../../device/sim-device";
import { type Equipment, parseSite } from "../../site/site-schema";
import type { Environment, StepContext } from "../behavior";
import { SiteModel } from "../site-model";
import { VFD_MIN_SPEED_PCT } from "./vfd-pump";
import { chilledWaterPlant, hotWaterPlant, type WaterPlantModel } from "./water-plant";

/** A deterministic "random" so noise is repeatable. */
function seeded(seed = 7): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return (s - 1) / 2147483646;
  };
}

/** The equipment entry as the site file would give it, defaults applied by the schema. */
function spec(equipment: Record<string, unknown>): Equipment {
  const parsed = parseSite({ name: "t", devices: [{ instance: 1, name: "d", equipment: [equipment] }] });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const first = parsed.site.devices[0]?.equipment[0];
  if (!first) throw new Error("no equipment");
  return first;
}

function plant(kind: "chw" | "hw", env: Environment) {
  const site = new SiteModel();
  const device = new SimDevice({ instance: 5, name: kind, address: "127.0.0.9" });
  const equipment = spec(
    kind === "chw" ? { model: "chwPlant", name: "CHW" } : { model: "hwPlant", name: "HW" },
  );
  let model: WaterPlantModel;
  if (equipment.model === "chwPlant") model = chilledWaterPlant(device, equipment, 0, site);
  else if (equipment.model === "hwPlant") model = hotWaterPlant(device, equipment, 0, site);
  else throw new Error("unexpected model");
  let elapsedS = 0;
  const random = seeded();
  const run = (seconds: number, dtS = 1) => {
    for (let t = 0; t < seconds; t += dtS) {
      elapsedS += dtS;
      const ctx: StepContext = { dtS, elapsedS, simTimeMs: elapsedS * 1000, env, random };
      model.step(ctx);
    }
  };
  const point = (name: string) => {
    const o = device.findByName(name);
    if (!o) throw new Error(`no ${name}`);
    return o;
  };
  const pv = (name: string) => point(name).presentValue;
  const command = (name: string, value: number | null) => point(name).writePresentValue(value, 8);
  return { model, device, site, run, point, pv, command };
}

const SUMMER = { outdoorTempC: 28, occupancy: 1 };
const MILD = { outdoorTempC: 18, occupancy: 0.5 };
const WINTER = { outdoorTempC: 0, occupancy: 1 };

describe("chilled-water loop DP", () => {
  it("reads zero with every pump off, before and after running", () => {
    const p = plant("chw", MILD);
    p.run(60);
    expect(p.pv("CHW Loop DP")).toBe(0);
    expect(p.pv("CHW Loop Flow")).toBe(0);
    p.command("CHWP-1 Cmd", 1);
    p.run(60);
    expect(p.pv("CHW Loop DP")).toBeGreaterThan(10);
    p.command("CHWP-1 Cmd", 0);
    p.run(60);
    expect(p.pv("CHW Loop DP")).toBe(0);
    expect(p.pv("CHWP-1 Speed")).toBe(0);
  });

  // Steady DP at a constant load against the lead pump's speed command: DP / DP(100 %) ≈ speed².
  it.each([
    { speedPct: 100, share: 1 },
    { speedPct: 80, share: 0.64 },
    { speedPct: 60, share: 0.36 },
    { speedPct: 40, share: 0.16 },
    { speedPct: 10, share: (VFD_MIN_SPEED_PCT / 100) ** 2 }, // the drive holds its minimum speed
  ])(
    "follows the lead pump's speed squared: $speedPct % gives $share of full-speed DP",
    ({ speedPct, share }) => {
      const full = plant("chw", MILD);
      full.command("CHWP-1 Cmd", 1);
      full.command("CHWP-1 Speed Cmd", 100);
      full.run(120);
      const p = plant("chw", MILD);
      p.command("CHWP-1 Cmd", 1);
      p.command("CHWP-1 Speed Cmd", speedPct);
      p.run(120);
      expect(p.pv("CHWP-1 Speed")).toBeCloseTo(Math.max(speedPct, VFD_MIN_SPEED_PCT), 0);
      expect(p.pv("CHW Loop DP") / full.pv("CHW Loop DP")).toBeCloseTo(share, 1);
    },
  );

  it("rises with a second pump at the same speed and lags a speed step", () => {
    const p = plant("chw", MILD);
    p.command("CHWP-1 Cmd", 1);
    p.command("CHWP-1 Speed Cmd", 60);
    p.run(120);
    const one = p.pv("CHW Loop DP");
    p.command("CHWP-2 Cmd", 1);
    p.command("CHWP-2 Speed Cmd", 60);
    p.run(120);
    const two = p.pv("CHW Loop DP");
    expect(two).toBeGreaterThan(one * 1.1);
    // A step up to full speed (2.8 times the DP): the drives ramp and the transmitter lags, so one
    // second later the DP has only begun to rise.
    p.command("CHWP-1 Speed Cmd", 100);
    p.command("CHWP-2 Speed Cmd", 100);
    p.run(1);
    const afterOneSecond = p.pv("CHW Loop DP");
    expect(afterOneSecond).toBeGreaterThan(two);
    expect(afterOneSecond).toBeLessThan(two * 1.5);
    p.run(60);
    expect(p.pv("CHW Loop DP") / two).toBeCloseTo(1 / 0.36, 1);
  });

  it("is higher at light load than at full load for the same speed (valves close)", () => {
    const light = plant("chw", { outdoorTempC: 10, occupancy: 0 });
    const heavy = plant("chw", SUMMER);
    for (const p of [light, heavy]) {
      p.command("CHWP-1 Cmd", 1);
      p.command("CHWP-1 Speed Cmd", 80);
      p.run(120);
    }
    expect(light.pv("CHW Loop DP")).toBeGreaterThan(heavy.pv("CHW Loop DP") * 1.2);
    expect(light.pv("CHW Loop Flow")).toBeLessThan(heavy.pv("CHW Loop Flow"));
  });
});

describe("lead/lag chilled-water pumps", () => {
  it("proves status after the start delay, and drops it after the stop delay", () => {
    const p = plant("chw", MILD);
    p.command("CHWP-1 Cmd", 1);
    p.run(3);
    expect(p.pv("CHWP-1 Status")).toBe(0);
    p.run(3);
    expect(p.pv("CHWP-1 Status")).toBe(1);
    p.command("CHWP-1 Cmd", 0);
    p.run(1);
    expect(p.pv("CHWP-1 Status")).toBe(1);
    p.run(2);
    expect(p.pv("CHWP-1 Status")).toBe(0);
  });

  it("fails over: the lead trips, the loop loses pressure, the commanded lag restores it", () => {
    const p = plant("chw", MILD);
    p.command("CHWP-1 Cmd", 1);
    p.run(60);
    const normal = p.pv("CHW Loop DP");
    expect(p.pv("CHWP-1 Fault")).toBe(0);

    p.point("CHWP-1 Fault").setOverride(1); // what POST .../binaryInput/52/override does
    p.run(30);
    expect(p.pv("CHWP-1 Cmd")).toBe(1); // still commanded...
    expect(p.pv("CHWP-1 Status")).toBe(0); // ...but tripped
    expect(p.pv("CHWP-1 Speed")).toBe(0);
    expect(p.pv("CHW Loop DP")).toBe(0);

    p.command("CHWP-2 Cmd", 1); // the lead/lag sequence starts the lag
    p.run(60);
    expect(p.pv("CHWP-2 Status")).toBe(1);
    expect(p.pv("CHW Loop DP")).toBeCloseTo(normal, -1);

    p.point("CHWP-1 Fault").setOverride(null); // reset: the still-commanded lead restarts
    p.run(60);
    expect(p.pv("CHWP-1 Status")).toBe(1);
    expect(p.pv("CHW Loop DP")).toBeGreaterThan(normal * 1.1);
  });

  it("never starts a faulted pump", () => {
    const p = plant("chw", MILD);
    p.point("CHWP-2 Fault").setOverride(1);
    p.command("CHWP-2 Cmd", 1);
    p.run(60);
    expect(p.pv("CHWP-2 Status")).toBe(0);
    expect(p.pv("CHW Loop DP")).toBe(0);
    expect(p.model.kw()).toBe(0);
  });
});

describe("chillers", () => {
  it("need proven flow: an enabled chiller with no pump stays off", () => {
    const p = plant("chw", SUMMER);
    p.command("CH-1 Enable", 1);
    p.run(120);
    expect(p.pv("CH-1 Status")).toBe(0);
    p.command("CHWP-1 Cmd", 1);
    p.run(20);
    expect(p.pv("CH-1 Status")).toBe(0); // 30 s compressor start delay
    p.run(30);
    expect(p.pv("CH-1 Status")).toBe(1);
    p.command("CHWP-1 Cmd", 0); // loss of flow trips it
    p.run(30);
    expect(p.pv("CH-1 Status")).toBe(0);
  });

  it("pull the supply down to setpoint; disabled, the supply drifts up again", () => {
    const p = plant("chw", MILD);
    p.command("CHWP-1 Cmd", 1);
    p.command("CH-1 Enable", 1);
    p.command("CH-2 Enable", 1);
    p.run(7200, 5);
    expect(p.pv("CHW Supply Temp")).toBeCloseTo(6.7, 0);
    expect(p.pv("CHW Return Temp")).toBeGreaterThan(p.pv("CHW Supply Temp") + 2);
    expect(p.pv("CH-1 Leaving Water Temp")).toBeCloseTo(6.7, 0);
    expect(p.pv("CH-1 Power")).toBeGreaterThan(5);
    expect(p.pv("CHW Thermal Load")).toBeGreaterThan(100);
    p.command("CHW Supply Temp Setpoint", 9);
    p.run(1800, 5);
    expect(p.pv("CHW Supply Temp")).toBeCloseTo(9, 0);
    p.command("CH-1 Enable", 0);
    p.command("CH-2 Enable", 0);
    p.run(1800, 5);
    expect(p.pv("CH-1 Status")).toBe(0);
    expect(p.pv("CHW Supply Temp")).toBeGreaterThan(14);
  });

  it("need two machines at summer peak: one alone cannot hold setpoint", () => {
    const p = plant("chw", SUMMER);
    p.command("CHWP-1 Cmd", 1);
    p.command("CHWP-1 Speed Cmd", 100);
    p.command("CH-1 Enable", 1);
    p.run(7200, 5);
    expect(p.pv("CH-1 Load")).toBeCloseTo(100, 0);
    expect(p.pv("CHW Supply Temp")).toBeGreaterThan(8);
    p.command("CH-2 Enable", 1);
    p.run(7200, 5);
    expect(p.pv("CHW Supply Temp")).toBeCloseTo(6.7, 0);
    expect(p.pv("CH-1 Load")).toBeLessThan(100);
    expect(p.pv("CH-1 Load")).toBeCloseTo(p.pv("CH-2 Load"), 0);
  });

  it("trip on a fault and the other machine carries on", () => {
    const p = plant("chw", MILD);
    p.command("CHWP-1 Cmd", 1);
    p.command("CH-1 Enable", 1);
    p.command("CH-2 Enable", 1);
    p.run(600, 5);
    p.point("CH-2 Fault").setOverride(1);
    p.run(30);
    expect(p.pv("CH-2 Status")).toBe(0);
    expect(p.pv("CH-2 Power")).toBe(0);
    expect(p.pv("CH-1 Status")).toBe(1);
  });
});

describe("hot-water plant", () => {
  it("heats the loop to setpoint with a boiler enabled, and cools off when disabled", () => {
    const p = plant("hw", WINTER);
    p.command("HWP-1 Cmd", 1);
    p.run(60);
    expect(p.pv("HW Loop DP")).toBeGreaterThan(10);
    p.command("B-1 Enable", 1);
    p.command("B-2 Enable", 1);
    p.run(19, 1);
    expect(p.pv("B-1 Status")).toBe(0); // 20 s purge and ignition
    p.run(2, 1);
    expect(p.pv("B-1 Status")).toBe(1);
    p.run(7200, 5);
    expect(p.pv("HW Supply Temp")).toBeCloseTo(60, 0);
    expect(p.pv("HW Return Temp")).toBeLessThan(p.pv("HW Supply Temp") - 3);
    expect(p.pv("B-1 Firing Rate")).toBeGreaterThan(10);
    p.command("B-1 Enable", 0);
    p.command("B-2 Enable", 0);
    p.run(1800, 5);
    expect(p.pv("HW Supply Temp")).toBeLessThan(45);
  });

  it("cannot hold setpoint on a design day with one boiler; the second one can", () => {
    const p = plant("hw", { outdoorTempC: -10, occupancy: 1 });
    p.command("HWP-1 Cmd", 1);
    p.command("HWP-1 Speed Cmd", 100);
    p.command("B-1 Enable", 1);
    p.run(7200, 5);
    expect(p.pv("B-1 Firing Rate")).toBeCloseTo(100, 0);
    expect(p.pv("HW Supply Temp")).toBeLessThan(57);
    p.command("B-2 Enable", 1);
    p.run(7200, 5);
    expect(p.pv("HW Supply Temp")).toBeCloseTo(60, 0);
    expect(p.pv("B-2 Firing Rate")).toBeGreaterThan(50);
  });

  it("needs more firing on a colder day", () => {
    const rate = (env: Environment) => {
      const p = plant("hw", env);
      p.command("HWP-1 Cmd", 1);
      p.command("B-1 Enable", 1);
      p.command("B-2 Enable", 1);
      p.run(7200, 5);
      return p.pv("B-1 Firing Rate");
    };
    expect(rate(WINTER)).toBeGreaterThan(rate({ outdoorTempC: 14, occupancy: 1 }) + 10);
  });
});

describe("water plants on the electricity meter", () => {
  it("draw pump power by speed cubed and chiller power by load", () => {
    const p = plant("chw", SUMMER);
    expect(p.site.electricalLoads).toContain(p.model);
    p.command("CHWP-1 Cmd", 1);
    p.command("CHWP-1 Speed Cmd", 100);
    p.run(60);
    const full = p.model.kw();
    expect(full).toBeCloseTo(7.5, 1);
    p.command("CHWP-1 Speed Cmd", 50);
    p.run(60);
    expect(p.model.kw()).toBeCloseTo(7.5 / 8, 1);
    p.command("CH-1 Enable", 1);
    p.run(600, 5);
    expect(p.model.kw()).toBeGreaterThan(30);
  });
});
