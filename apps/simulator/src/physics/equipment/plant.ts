import type { SimDevice } from "../../device/sim-device";
import type { SimObject } from "../../objects/sim-object";
import type { Equipment } from "../../site/site-schema";
import { DelayedStatus } from "../actuator";
import { type Behavior, lag, noise, quantize, type StepContext } from "../behavior";
import type { ElectricalLoad, SiteModel, WaterSource } from "../site-model";
import { PointFactory } from "./point-factory";

type PlantSpec = Extract<Equipment, { model: "plant" }>;

interface PlantPoints {
  chwSupply: SimObject;
  chwReturn: SimObject;
  hwSupply: SimObject;
  hwReturn: SimObject;
  chillerKw: SimObject;
  chillerEnable: SimObject;
  chillerStatus: SimObject;
  boilerEnable: SimObject;
  boilerStatus: SimObject;
  chwPumpCmd: SimObject;
  chwPumpStatus: SimObject;
  hwPumpCmd: SimObject;
  hwPumpStatus: SimObject;
  chwSp: SimObject;
  hwSp: SimObject;
  mode: SimObject;
}

const CHILLER_CAPACITY_KW = 350;
const CHILLER_COP = 4.5;
const PLANT_ROOM_C = 20;

/**
 * A chiller and a boiler with their pumps. Each machine proves running after a start delay
 * (compressor 30 s, burner 20 s) and only with its pump running; the water then moves toward its
 * setpoint over minutes, and drifts back to the plant room when off.
 */
export class PlantModel implements Behavior, WaterSource, ElectricalLoad {
  readonly name: string;
  private readonly p: PlantPoints;
  private readonly chiller = new DelayedStatus(true, 30, 5);
  private readonly boiler = new DelayedStatus(true, 20, 5);
  private readonly chwPump = new DelayedStatus(true, 5, 3);
  private readonly hwPump = new DelayedStatus(true, 5, 3);
  private chwC: number;
  private hwC: number;
  private chillerLoadKw = 0;

  constructor(
    readonly device: SimDevice,
    spec: PlantSpec,
    base: number,
    private readonly site: SiteModel,
  ) {
    this.name = spec.name;
    const f = new PointFactory(device, base, spec.name);
    this.p = {
      chwSupply: f.ai(1, "CHW Supply Temp", "degreesCelsius"),
      chwReturn: f.ai(2, "CHW Return Temp", "degreesCelsius"),
      hwSupply: f.ai(3, "HW Supply Temp", "degreesCelsius"),
      hwReturn: f.ai(4, "HW Return Temp", "degreesCelsius"),
      chillerKw: f.ai(5, "Chiller Power", "kilowatts", { covIncrement: 1 }),
      chillerEnable: f.bo(1, "Chiller Enable", 1),
      chillerStatus: f.bi(1, "Chiller Status"),
      boilerEnable: f.bo(2, "Boiler Enable", 1),
      boilerStatus: f.bi(2, "Boiler Status"),
      chwPumpCmd: f.bo(3, "CHW Pump Cmd", 1),
      chwPumpStatus: f.bi(3, "CHW Pump Status"),
      hwPumpCmd: f.bo(4, "HW Pump Cmd", 1),
      hwPumpStatus: f.bi(4, "HW Pump Status"),
      chwSp: f.av(1, "CHW Setpoint", "degreesCelsius", spec.chilledWaterSetpointC, {
        minPresValue: 4,
        maxPresValue: 15,
      }),
      hwSp: f.av(2, "HW Setpoint", "degreesCelsius", spec.hotWaterSetpointC, {
        minPresValue: 30,
        maxPresValue: 90,
      }),
      mode: f.msv(1, "Mode", ["Off", "Cooling", "Heating", "Auto"], 4),
    };
    this.chwC = spec.chilledWaterSetpointC;
    this.hwC = spec.hotWaterSetpointC;
    for (const status of [
      this.p.chillerStatus,
      this.p.boilerStatus,
      this.p.chwPumpStatus,
      this.p.hwPumpStatus,
    ]) {
      status.setProcessValue(1);
    }
    site.water = this;
    site.electricalLoads.push(this);
  }

  chilledWaterC(): number {
    return this.chwC;
  }

  hotWaterC(): number {
    return this.hwC;
  }

  kw(): number {
    const pumps = (this.chwPump.on ? 3 : 0) + (this.hwPump.on ? 2.2 : 0);
    return this.chillerLoadKw / CHILLER_COP + pumps + (this.boiler.on ? 0.8 : 0);
  }

  step(ctx: StepContext): void {
    const { dtS, elapsedS } = ctx;
    const mode = this.p.mode.presentValue; // 1 off, 2 cooling, 3 heating, 4 auto
    const coolingAllowed = mode === 2 || mode === 4;
    const heatingAllowed = mode === 3 || mode === 4;
    const chwPump = this.chwPump.step(this.p.chwPumpCmd.presentValue === 1, elapsedS);
    const hwPump = this.hwPump.step(this.p.hwPumpCmd.presentValue === 1, elapsedS);
    // Flow switches interlock the machines: no pump, no run.
    const chiller = this.chiller.step(
      this.p.chillerEnable.presentValue === 1 && coolingAllowed && chwPump,
      elapsedS,
    );
    const boiler = this.boiler.step(
      this.p.boilerEnable.presentValue === 1 && heatingAllowed && hwPump,
      elapsedS,
    );

    const coolDuty = this.site.coilLoads.reduce((a, c) => a + c.coolingDuty(), 0);
    const heatDuty = this.site.coilLoads.reduce((a, c) => a + c.heatingDuty(), 0);
    this.chwC = lag(this.chwC, chiller ? this.p.chwSp.presentValue : PLANT_ROOM_C, chiller ? 240 : 1800, dtS);
    this.hwC = lag(this.hwC, boiler ? this.hwSp() : PLANT_ROOM_C, boiler ? 300 : 2400, dtS);
    this.chillerLoadKw = chiller ? Math.min(CHILLER_CAPACITY_KW, 40 + coolDuty * 120) : 0;
    const chwDelta = chwPump ? Math.min(7, 1 + coolDuty * 4) : 0;
    const hwDelta = hwPump ? Math.min(15, 2 + heatDuty * 8) : 0;

    const r = ctx.random;
    this.p.chillerStatus.setProcessValue(chiller ? 1 : 0);
    this.p.boilerStatus.setProcessValue(boiler ? 1 : 0);
    this.p.chwPumpStatus.setProcessValue(chwPump ? 1 : 0);
    this.p.hwPumpStatus.setProcessValue(hwPump ? 1 : 0);
    this.p.chwSupply.setProcessValue(quantize(this.chwC + noise(r, 0.03)));
    this.p.chwReturn.setProcessValue(quantize(this.chwC + chwDelta + noise(r, 0.03)));
    this.p.hwSupply.setProcessValue(quantize(this.hwC + noise(r, 0.05)));
    this.p.hwReturn.setProcessValue(quantize(this.hwC - hwDelta + noise(r, 0.05)));
    this.p.chillerKw.setProcessValue(
      quantize(this.chillerLoadKw / CHILLER_COP + (chiller ? noise(r, 0.3) : 0), 0.1),
    );
  }

  private hwSp(): number {
    return this.p.hwSp.presentValue;
  }
}
