import type { SimDevice } from "../../device/sim-device";
import type { SimObject } from "../../objects/sim-object";
import type { Equipment } from "../../site/site-schema";
import { type Behavior, noise, quantize, type StepContext } from "../behavior";
import type { SiteModel } from "../site-model";
import { PointFactory } from "./point-factory";

type MeterSpec = Extract<Equipment, { model: "meter" }>;

/**
 * The building's main electricity meter: demand is the base load plus every modelled load (fans,
 * chiller, pumps, lighting) plus small-power that follows occupancy; energy totalises demand.
 */
export class MeterModel implements Behavior {
  private readonly demand: SimObject;
  private readonly energy: SimObject;
  private readonly voltage: SimObject;
  private readonly powerFactor: SimObject;
  private kwh = 0;

  constructor(
    readonly device: SimDevice,
    private readonly spec: MeterSpec,
    base: number,
    private readonly site: SiteModel,
  ) {
    const f = new PointFactory(device, base, spec.name);
    this.demand = f.ai(1, "Demand", "kilowatts", { covIncrement: 0.5 });
    this.energy = f.ai(2, "Energy", "kilowattHours", { covIncrement: 1 });
    this.voltage = f.ai(3, "Voltage L-L", "volts", { covIncrement: 1 });
    this.powerFactor = f.ai(4, "Power Factor", "powerFactor", { covIncrement: 0.01 });
  }

  /** Energy so far in kWh (also what the totaliser object shows). */
  get totalKwh(): number {
    return this.kwh;
  }

  step(ctx: StepContext): void {
    const loads = this.site.electricalLoads.reduce((a, l) => a + l.kw(), 0);
    const smallPower = 12 * ctx.env.occupancy;
    const kw = Math.max(0, this.spec.baseLoadKw + loads + smallPower + noise(ctx.random, 0.2));
    this.kwh += (kw * ctx.dtS) / 3600;
    this.demand.setProcessValue(quantize(kw, 0.01));
    this.energy.setProcessValue(quantize(this.kwh, 0.01));
    this.voltage.setProcessValue(quantize(400 + noise(ctx.random, 1.5), 0.1));
    this.powerFactor.setProcessValue(quantize(0.93 + noise(ctx.random, 0.01), 0.001));
  }
}
