import type { SimDevice } from "../../device/sim-device";
import type { SimObject } from "../../objects/sim-object";
import type { Equipment } from "../../site/site-schema";
import { Actuator } from "../actuator";
import { type Behavior, clamp, lag, noise, quantize, type StepContext } from "../behavior";
import type { AirZone, SiteModel } from "../site-model";
import { ZoneThermal } from "../zone-model";
import { PointFactory } from "./point-factory";

type VavSpec = Extract<Equipment, { model: "vav" }>;

interface VavPoints {
  zoneTemp: SimObject;
  airflow: SimObject;
  damperPos: SimObject;
  dischargeTemp: SimObject;
  damperCmd: SimObject;
  reheatCmd: SimObject;
  occSp: SimObject;
  unoccSp: SimObject;
  airflowSp: SimObject;
  occupancy: SimObject;
}

/** Reheat coil: a fully open valve lifts the discharge air this much above the supply air. */
const MAX_REHEAT_RISE_K = 18;

/**
 * A pressure-dependent VAV box with hot-water reheat serving one zone. Airflow follows the damper
 * position (90 s actuator) and the square root of the duct static pressure; the zone integrates
 * envelope, internal gains from occupancy and the discharge air.
 */
export class VavModel implements Behavior, AirZone {
  readonly name: string;
  private readonly p: VavPoints;
  private readonly zone: ZoneThermal;
  private readonly damper: Actuator;
  private readonly reheat = new Actuator(0, 60);
  private flowLps = 0;
  private dischargeC: number;
  private occupiedSensor = false;

  constructor(
    readonly device: SimDevice,
    private readonly spec: VavSpec,
    base: number,
    private readonly site: SiteModel,
  ) {
    this.name = spec.name;
    const f = new PointFactory(device, base, spec.name);
    const initial = spec.initialTempC ?? 22.5;
    const minDamper = Math.round((spec.minAirflowLps / spec.maxAirflowLps) * 100);
    this.p = {
      zoneTemp: f.ai(1, "Zone Temp", "degreesCelsius", { minPresValue: -10, maxPresValue: 50 }),
      airflow: f.ai(2, "Airflow", "litersPerSecond", { covIncrement: 5 }),
      damperPos: f.ai(3, "Damper Position", "percent", { covIncrement: 1 }),
      dischargeTemp: f.ai(4, "Discharge Air Temp", "degreesCelsius"),
      damperCmd: f.ao(1, "Damper Cmd", "percent", Math.max(minDamper, 40)),
      reheatCmd: f.ao(2, "Reheat Valve Cmd", "percent", 0),
      occSp: f.av(1, "Occupied Setpoint", "degreesCelsius", spec.occupiedSetpointC, {
        minPresValue: 10,
        maxPresValue: 35,
      }),
      unoccSp: f.av(2, "Unoccupied Setpoint", "degreesCelsius", spec.unoccupiedSetpointC, {
        minPresValue: 10,
        maxPresValue: 35,
      }),
      airflowSp: f.av(3, "Airflow Setpoint", "litersPerSecond", spec.minAirflowLps, {
        minPresValue: 0,
        maxPresValue: spec.maxAirflowLps,
        covIncrement: 5,
      }),
      occupancy: f.bi(1, "Occupancy", ["Occupied", "Unoccupied"]),
    };
    this.p.zoneTemp.setProcessValue(quantize(initial));
    this.zone = new ZoneThermal({ areaM2: spec.zoneAreaM2 }, initial);
    this.damper = new Actuator(this.p.damperCmd.presentValue, 90);
    this.dischargeC = initial;
    site.airSource(spec.ahu)?.registerZone(this);
  }

  temperatureC(): number {
    return this.zone.temperatureC;
  }

  airflowLps(): number {
    return this.flowLps;
  }

  damperPct(): number {
    return this.damper.position;
  }

  step(ctx: StepContext): void {
    const { dtS, env } = ctx;
    const source = this.site.airSource(this.spec.ahu);
    const running = source ? source.fanRunning() : true;
    const staticRatio = source ? source.staticRatio() : 1;
    const supplyC = source ? source.supplyTempC() : 14;

    const position = this.damper.step(this.p.damperCmd.presentValue, dtS);
    const design = this.spec.maxAirflowLps * (position / 100) * Math.sqrt(clamp(staticRatio, 0, 1.6));
    this.flowLps = lag(this.flowLps, running ? design : 0, 4, dtS);
    const valve = this.reheat.step(this.p.reheatCmd.presentValue, dtS) / 100;
    // Without airflow the coil cannot deliver heat; discharge air then drifts to the zone.
    const targetDischarge = this.flowLps > 5 ? supplyC + valve * MAX_REHEAT_RISE_K : this.zone.temperatureC;
    this.dischargeC = lag(this.dischargeC, targetDischarge, 20, dtS);

    this.zone.step(
      {
        outdoorTempC: env.outdoorTempC,
        occupancy: env.occupancy,
        dischargeTempC: this.dischargeC,
        airflowLps: this.flowLps,
      },
      dtS,
    );

    // The occupancy sensor mostly follows the profile, with the odd empty room during the day.
    if (ctx.random() < Math.min(1, dtS / 120)) this.occupiedSensor = ctx.random() < env.occupancy * 0.95;
    const r = ctx.random;
    this.p.zoneTemp.setProcessValue(quantize(this.zone.temperatureC + noise(r, 0.03)));
    this.p.airflow.setProcessValue(quantize(Math.max(0, this.flowLps + noise(r, 2)), 0.1));
    this.p.damperPos.setProcessValue(quantize(position, 0.1));
    this.p.dischargeTemp.setProcessValue(quantize(this.dischargeC + noise(r, 0.05)));
    this.p.occupancy.setProcessValue(this.occupiedSensor ? 1 : 0);
  }
}
