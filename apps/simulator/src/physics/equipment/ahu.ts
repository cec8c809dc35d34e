import type { SimDevice } from "../../device/sim-device";
import type { SimObject } from "../../objects/sim-object";
import type { Equipment } from "../../site/site-schema";
import { Actuator, DelayedStatus } from "../actuator";
import { type Behavior, clamp, lag, noise, quantize, type StepContext } from "../behavior";
import type { AirSource, AirZone, CoilLoad, ElectricalLoad, SiteModel } from "../site-model";
import { PointFactory } from "./point-factory";

type AhuSpec = Extract<Equipment, { model: "ahu" }>;

interface AhuPoints {
  sat: SimObject;
  rat: SimObject;
  mat: SimObject;
  oat: SimObject;
  static: SimObject;
  airflow: SimObject;
  oaPos: SimObject;
  fanCmd: SimObject;
  fanStatus: SimObject;
  oaCmd: SimObject;
  heatCmd: SimObject;
  coolCmd: SimObject;
  speedCmd: SimObject;
  satSp: SimObject;
  staticSp: SimObject;
  minOa: SimObject;
  economizer: SimObject;
  mode: SimObject;
}

/** Design fan power at 100 % speed, kW; fan laws make it cubic in speed. */
const FAN_DESIGN_KW = 7.5;
const STATIC_DESIGN_PA = 600;

/**
 * An air-handling unit: mixing box, cooling and heating coils, supply fan. Supply air temperature
 * reaches its coil target through two cascaded 30 s lags (coil and sensor), an S-shaped step response
 * like a real discharge-air loop, so a PID tuned on it behaves plausibly.
 */
export class AhuModel implements Behavior, AirSource, CoilLoad, ElectricalLoad {
  readonly name: string;
  private readonly zones: AirZone[] = [];
  private readonly p: AhuPoints;
  private readonly oaDamper: Actuator;
  private readonly coolValve = new Actuator(0, 60);
  private readonly heatValve = new Actuator(0, 60);
  private readonly fanStatus: DelayedStatus;
  private coilStageC: number;
  private satC: number;
  private staticPa = 0;
  private speedPct = 0;

  constructor(
    readonly device: SimDevice,
    spec: AhuSpec,
    base: number,
    private readonly site: SiteModel,
    initialOutdoorC: number,
  ) {
    this.name = spec.name;
    const f = new PointFactory(device, base, spec.name);
    this.p = {
      sat: f.ai(1, "Supply Air Temp", "degreesCelsius"),
      rat: f.ai(2, "Return Air Temp", "degreesCelsius"),
      mat: f.ai(3, "Mixed Air Temp", "degreesCelsius"),
      oat: f.ai(4, "Outdoor Air Temp", "degreesCelsius"),
      static: f.ai(5, "Duct Static Pressure", "pascals", { covIncrement: 5 }),
      airflow: f.ai(6, "Supply Airflow", "litersPerSecond", { covIncrement: 20 }),
      oaPos: f.ai(7, "Outdoor Air Damper Position", "percent", { covIncrement: 1 }),
      fanCmd: f.bo(1, "Supply Fan Cmd", 1),
      fanStatus: f.bi(1, "Supply Fan Status"),
      oaCmd: f.ao(1, "Outdoor Air Damper Cmd", "percent", spec.minOutdoorAirPct),
      heatCmd: f.ao(2, "Heating Valve Cmd", "percent", 0),
      coolCmd: f.ao(3, "Cooling Valve Cmd", "percent", 35),
      speedCmd: f.ao(4, "Supply Fan Speed Cmd", "percent", 70),
      satSp: f.av(1, "Supply Air Temp Setpoint", "degreesCelsius", spec.supplyAirSetpointC, {
        minPresValue: 8,
        maxPresValue: 30,
      }),
      staticSp: f.av(2, "Duct Static Setpoint", "pascals", spec.ductStaticSetpointPa, {
        minPresValue: 0,
        maxPresValue: 1500,
      }),
      minOa: f.av(3, "Min Outdoor Air", "percent", spec.minOutdoorAirPct, {
        minPresValue: 0,
        maxPresValue: 100,
      }),
      economizer: f.bv(1, "Economizer Enable", 1),
      mode: f.msi(1, "Operating Mode", ["Off", "Ventilation", "Cooling", "Heating", "Economizer"]),
    };
    this.oaDamper = new Actuator(spec.minOutdoorAirPct, 90);
    this.fanStatus = new DelayedStatus(true, 8, 4);
    this.p.fanStatus.setProcessValue(1);
    this.coilStageC = 16;
    this.satC = 16;
    this.p.oat.setProcessValue(quantize(initialOutdoorC));
    site.airSources.set(this.name, this);
    site.coilLoads.push(this);
    site.electricalLoads.push(this);
  }

  registerZone(zone: AirZone): void {
    this.zones.push(zone);
  }

  supplyTempC(): number {
    return this.satC;
  }

  staticRatio(): number {
    const sp = this.p.staticSp.presentValue;
    return sp > 0 ? this.staticPa / sp : 0;
  }

  fanRunning(): boolean {
    return this.fanStatus.on;
  }

  coolingDuty(): number {
    return this.fanStatus.on ? this.coolValve.position / 100 : 0;
  }

  heatingDuty(): number {
    return this.fanStatus.on ? this.heatValve.position / 100 : 0;
  }

  kw(): number {
    return this.fanStatus.on ? FAN_DESIGN_KW * (this.speedPct / 100) ** 3 : 0;
  }

  /** What the unit is doing, as its controller would report it (1-based state number). */
  private operatingMode(running: boolean, cool: number, heat: number, oaPos: number): number {
    if (!running) return 1;
    if (heat > 0.05) return 4;
    if (cool > 0.05) return 3;
    if (oaPos > this.p.minOa.presentValue + 5) return 5;
    return 2;
  }

  step(ctx: StepContext): void {
    const { dtS, env } = ctx;
    const running = this.fanStatus.step(this.p.fanCmd.presentValue === 1, ctx.elapsedS);
    this.p.fanStatus.setProcessValue(running ? 1 : 0);

    const oat = env.outdoorTempC;
    const zoneTemps = this.zones.map((z) => z.temperatureC());
    // Return air picks up about half a kelvin from lights and the plenum.
    const rat = (zoneTemps.length ? zoneTemps.reduce((a, b) => a + b, 0) / zoneTemps.length : 23) + 0.5;
    // With the economizer disabled the damper cannot open beyond the minimum outdoor air.
    const oaLimit = this.p.economizer.presentValue === 1 ? 100 : this.p.minOa.presentValue;
    const oaPos = this.oaDamper.step(running ? Math.min(this.p.oaCmd.presentValue, oaLimit) : 0, dtS);
    const oaFraction = clamp(oaPos / 100, 0, 1);
    const mat = oaFraction * oat + (1 - oaFraction) * rat;
    const cool = this.coolValve.step(this.p.coolCmd.presentValue, dtS) / 100;
    const heat = this.heatValve.step(this.p.heatCmd.presentValue, dtS) / 100;

    const water = this.site.water;
    const chw = water?.chilledWaterC() ?? 7;
    const hw = water?.hotWaterC() ?? 60;
    // Coil effectiveness: a fully open valve takes the air most of the way to the water temperature.
    const coolDrop = cool * Math.max(0, mat - (chw + 2)) * 0.85;
    const heatRise = heat * Math.max(0, hw - 5 - mat) * 0.6;
    // With the fan off the coil section drifts toward the mixed-air temperature, slowly.
    const target = running ? mat - coolDrop + heatRise + 0.8 /* fan heat */ : mat;
    this.coilStageC = lag(this.coilStageC, target, running ? 30 : 300, dtS);
    this.satC = lag(this.satC, this.coilStageC, running ? 30 : 300, dtS);

    this.speedPct = running ? clamp(this.p.speedCmd.presentValue, 0, 100) : 0;
    const openness = this.zones.length
      ? this.zones.reduce((a, z) => a + z.damperPct(), 0) / (100 * this.zones.length)
      : 0.5;
    // Fan law: pressure goes with speed squared; open boxes relieve the duct.
    const staticTarget = STATIC_DESIGN_PA * (this.speedPct / 100) ** 2 * (1.3 - 0.6 * openness);
    this.staticPa = lag(this.staticPa, staticTarget, 5, dtS);
    const airflow = this.zones.reduce((a, z) => a + z.airflowLps(), 0);

    const r = ctx.random;
    this.p.oat.setProcessValue(quantize(oat + noise(r, 0.05)));
    this.p.rat.setProcessValue(quantize(rat + noise(r, 0.03)));
    this.p.mat.setProcessValue(quantize(mat + noise(r, 0.05)));
    this.p.sat.setProcessValue(quantize(this.satC + noise(r, 0.03)));
    this.p.static.setProcessValue(quantize(Math.max(0, this.staticPa + noise(r, 1.5)), 0.1));
    this.p.airflow.setProcessValue(quantize(airflow, 1));
    this.p.oaPos.setProcessValue(quantize(oaPos, 0.1));
    this.p.mode.setProcessValue(this.operatingMode(running, cool, heat, oaPos));
  }
}
