import type { SimDevice } from "../../device/sim-device";
import type { SimObject } from "../../objects/sim-object";
import type { Equipment } from "../../site/site-schema";
import { DelayedStatus } from "../actuator";
import { type Behavior, clamp, type Environment, lag, noise, quantize, type StepContext } from "../behavior";
import { loopOperatingPoint, SHUTOFF_HEAD, WATER_KJ_PER_L_K } from "../hydronics";
import type { ElectricalLoad, SiteModel } from "../site-model";
import { PointFactory } from "./point-factory";
import { VfdPump } from "./vfd-pump";

type ChwPlantSpec = Extract<Equipment, { model: "chwPlant" }>;
type HwPlantSpec = Extract<Equipment, { model: "hwPlant" }>;

/** What differs between a chilled-water and a hot-water plant; everything else is one model. */
interface PlantKind {
  machine: "Chiller" | "Boiler";
  /** +1: the machines take heat out of the water (chillers); -1: they put it in (boilers). */
  sign: 1 | -1;
  /** Supply-to-return difference at design load and flow, K; it sizes the design flow. */
  designDeltaK: number;
  /** Start delay until a machine proves running (compressor start, burner purge and ignition). */
  startDelayS: number;
  setpointLimitsC: [min: number, max: number];
  /** The loads' own temperature, which the return water cannot pass (room air at the coils). */
  loadSideC: number;
  /** Share of the design load now: 0..1. */
  loadFraction(env: Environment): number;
  /** Electrical input of one running machine delivering `kw` of heat transfer. */
  machineKw(kw: number): number;
  /** Name of the machine's loading point: % of its capacity. */
  loadingName: string;
}

const CHILLER_COP = 5;
const BOILER_FAN_KW = 0.4;

const CHILLED_WATER: PlantKind = {
  machine: "Chiller",
  sign: 1,
  designDeltaK: 5.5,
  startDelayS: 30,
  setpointLimitsC: [4, 15],
  loadSideC: 24,
  // Fan coils: a base load, people and equipment, and solar/outdoor gains above 12 °C outside.
  loadFraction: (env) =>
    clamp(0.15 + 0.45 * env.occupancy + 0.4 * clamp((env.outdoorTempC - 12) / 18, 0, 1), 0, 1),
  machineKw: (kw) => kw / CHILLER_COP,
  loadingName: "Load",
};

const HOT_WATER: PlantKind = {
  machine: "Boiler",
  sign: -1,
  designDeltaK: 11,
  startDelayS: 20,
  setpointLimitsC: [30, 90],
  loadSideC: 20,
  // Radiators: standby losses, then heat loss in proportion to how cold it is below 18 °C.
  loadFraction: (env) => clamp(0.1 + 0.9 * clamp((18 - env.outdoorTempC) / 28, 0, 1), 0, 1),
  machineKw: () => BOILER_FAN_KW,
  loadingName: "Firing Rate",
};

const PLANT_ROOM_C = 20;
/** Flow switch: a machine runs only with at least this share of design flow through it. */
const FLOW_SWITCH_SHARE = 0.1;
/** Time constants, s: DP transmitter and flow meter, supply through the loop, return from the loads. */
const SENSOR_TAU_S = 2;
const SUPPLY_TAU_S = 120;
const RETURN_TAU_S = 90;
const MACHINE_TAU_S = 30;
/** Standing water drifts to the plant room this slowly. */
const IDLE_TAU_S = 1800;

interface Machine {
  name: string;
  enable: SimObject;
  status: SimObject;
  fault: SimObject;
  leaving: SimObject;
  loading: SimObject;
  power: SimObject | undefined;
  proof: DelayedStatus;
  capacityKw: number;
  leavingC: number;
}

interface PlantSetup {
  kind: PlantKind;
  loopPrefix: string;
  machines: number;
  machinePrefix: string;
  machineCapacityKw: number;
  pumps: number;
  pumpPrefix: string;
  pumpKw: number;
  designLoadKw: number;
  supplySetpointC: number;
  designDpKpa: number;
  dpSetpointKpa: number;
}

/**
 * A primary-only variable-flow water plant: machines (chillers or boilers) in parallel, pumps
 * on VFDs (lead/lag, each sized for the design flow), and a loop of loads whose valves open with
 * the load.
 *
 * - The loop DP follows the pumps' speed squared and their number (see `hydronics.ts`), is zero with
 *   no pump turning, and lags through the transmitter.
 * - A machine proves running after its start delay when enabled, not faulted, and flow is proven.
 *   Running machines share the load equally and hold the supply setpoint while their capacity
 *   lasts; beyond it the supply drifts off setpoint, which is what staging a second machine fixes.
 * - With flow but no machine the loop drifts toward the loads' temperature; without flow, toward
 *   the plant room.
 *
 * Point instances (offset by instanceBase): loop AI1-5 and AV1-2; machine i in block 10·i (BO/BI/AI
 * +1 Enable/Status/Leaving Water Temp, BI +2 Fault, AI +2 loading, AI +3 power of a chiller); pump j
 * in block 40 + 10·j (see VfdPump).
 */
export class WaterPlantModel implements Behavior, ElectricalLoad {
  readonly name: string;
  private readonly kind: PlantKind;
  private readonly designLoadKw: number;
  private readonly designDpKpa: number;
  private readonly designFlowLps: number;
  private readonly machines: Machine[] = [];
  private readonly pumps: VfdPump[] = [];
  private readonly supply: SimObject;
  private readonly ret: SimObject;
  private readonly dp: SimObject;
  private readonly flow: SimObject;
  private readonly thermalLoad: SimObject;
  private readonly supplySp: SimObject;
  private supplyC = PLANT_ROOM_C;
  private returnC = PLANT_ROOM_C;
  private dpKpa = 0;
  private flowLps = 0;
  private deliveredKw = 0;

  constructor(
    readonly device: SimDevice,
    setup: PlantSetup,
    base: number,
    site: SiteModel,
  ) {
    const { kind } = setup;
    this.kind = kind;
    this.name = setup.loopPrefix;
    this.designLoadKw = setup.designLoadKw;
    this.designDpKpa = setup.designDpKpa;
    this.designFlowLps = setup.designLoadKw / (WATER_KJ_PER_L_K * kind.designDeltaK);
    const loop = new PointFactory(device, base, setup.loopPrefix);
    const water = kind.sign > 0 ? "Chilled-water" : "Hot-water";
    this.supply = loop.ai(1, "Supply Temp", "degreesCelsius", {
      description: `${water} supply temperature leaving the plant (common header)`,
    });
    this.ret = loop.ai(2, "Return Temp", "degreesCelsius", {
      description: `${water} return temperature from the loads (common header)`,
    });
    this.dp = loop.ai(3, "Loop DP", "kilopascals", {
      description: `${water} loop differential pressure at the remote loads`,
      covIncrement: 1,
      minPresValue: 0,
      maxPresValue: quantize(setup.designDpKpa * SHUTOFF_HEAD * 1.2, 1),
    });
    this.flow = loop.ai(4, "Loop Flow", "litersPerSecond", {
      description: `${water} loop flow (magnetic flow meter)`,
      covIncrement: 0.5,
      minPresValue: 0,
    });
    this.thermalLoad = loop.ai(5, "Thermal Load", "kilowatts", {
      description: `Heat transferred to the loads: flow x supply/return difference (energy meter)`,
      covIncrement: 5,
    });
    this.supplySp = loop.av(1, "Supply Temp Setpoint", "degreesCelsius", setup.supplySetpointC, {
      description: `${kind.machine} leaving water setpoint; the running machines hold it while capacity lasts`,
      minPresValue: kind.setpointLimitsC[0],
      maxPresValue: kind.setpointLimitsC[1],
    });
    loop.av(2, "Loop DP Setpoint", "kilopascals", setup.dpSetpointKpa, {
      description:
        "Setpoint for the supervisor's pump speed (DP reset) loop; the plant itself does not use it",
      minPresValue: 0,
      maxPresValue: quantize(setup.designDpKpa * SHUTOFF_HEAD, 1),
      covIncrement: 1,
    });

    for (let i = 1; i <= setup.machines; i++) {
      const name = `${setup.machinePrefix}-${i}`;
      const f = new PointFactory(device, base + 10 * i, name);
      const chiller = kind.sign > 0;
      this.machines.push({
        name,
        enable: f.bo(1, "Enable", 0, ["Enabled", "Disabled"], {
          description: `${kind.machine} ${name} enable; it starts only with flow proven and no fault`,
        }),
        status: f.bi(1, "Status", ["Running", "Stopped"], {
          description: `${kind.machine} ${name} run status`,
        }),
        fault: f.bi(2, "Fault", ["Fault", "Normal"], {
          description: `${kind.machine} ${name} general alarm; a faulted machine stops until the fault clears`,
        }),
        leaving: f.ai(1, "Leaving Water Temp", "degreesCelsius", {
          description: `${kind.machine} ${name} leaving water temperature`,
        }),
        loading: f.ai(2, kind.loadingName, "percent", {
          description: `${kind.machine} ${name} ${kind.loadingName.toLowerCase()}, % of capacity`,
          covIncrement: 1,
          minPresValue: 0,
          maxPresValue: 100,
        }),
        power: chiller
          ? f.ai(3, "Power", "kilowatts", {
              description: `Chiller ${name} electrical input`,
              covIncrement: 1,
            })
          : undefined,
        proof: new DelayedStatus(false, kind.startDelayS, 5),
        capacityKw: setup.machineCapacityKw,
        leavingC: PLANT_ROOM_C,
      });
    }
    for (let j = 1; j <= setup.pumps; j++) {
      const name = `${setup.pumpPrefix}-${j}`;
      const serves = `${water.toLowerCase()} pump ${j} of ${setup.pumps}`;
      this.pumps.push(
        new VfdPump(new PointFactory(device, base, name), 40 + 10 * j, name, setup.pumpKw, serves),
      );
    }
    for (const m of this.machines) m.leaving.setProcessValue(PLANT_ROOM_C);
    this.supply.setProcessValue(PLANT_ROOM_C);
    this.ret.setProcessValue(PLANT_ROOM_C);
    site.electricalLoads.push(this);
  }

  kw(): number {
    const pumps = this.pumps.reduce((a, p) => a + p.kw(), 0);
    const running = this.machines.filter((m) => m.proof.on);
    const share = running.length > 0 ? this.deliveredKw / running.length : 0;
    return pumps + running.length * this.kind.machineKw(share);
  }

  step(ctx: StepContext): void {
    const { dtS, elapsedS, env } = ctx;
    const { kind } = this;
    const speeds = this.pumps.map((p) => p.step(dtS, elapsedS));
    const loadFraction = kind.loadFraction(env);
    const loop = loopOperatingPoint(speeds, loadFraction);
    this.dpKpa = lag(this.dpKpa, loop.head * this.designDpKpa, SENSOR_TAU_S, dtS);
    this.flowLps = lag(this.flowLps, loop.flow * this.designFlowLps, SENSOR_TAU_S, dtS);
    if (loop.pumpsRunning === 0 && this.dpKpa < 0.05) this.dpKpa = 0;
    if (loop.pumpsRunning === 0 && this.flowLps < 0.05) this.flowLps = 0;

    const flowProven = this.flowLps >= FLOW_SWITCH_SHARE * this.designFlowLps;
    const running = this.machines.filter((m) => {
      const allowed = m.enable.presentValue === 1 && m.fault.presentValue !== 1 && flowProven;
      return m.proof.step(allowed, elapsedS);
    });
    const capacityKw = running.reduce((a, m) => a + m.capacityKw, 0);

    let leavingC = this.returnC;
    if (this.flowLps < 0.01 * this.designFlowLps) {
      // Standing water: no load reaches the plant and nothing it does reaches the loop.
      this.deliveredKw = 0;
      this.supplyC = lag(this.supplyC, PLANT_ROOM_C, IDLE_TAU_S, dtS);
      this.returnC = lag(this.returnC, PLANT_ROOM_C, IDLE_TAU_S, dtS);
    } else {
      const kwPerK = WATER_KJ_PER_L_K * this.flowLps;
      const loadKw = loadFraction * this.designLoadKw;
      // The loads warm chilled water (sign +1) and cool hot water (sign -1), never past their own air.
      const returnTarget =
        kind.sign > 0
          ? Math.min(this.supplyC + loadKw / kwPerK, kind.loadSideC)
          : Math.max(this.supplyC - loadKw / kwPerK, kind.loadSideC);
      this.returnC = lag(this.returnC, returnTarget, RETURN_TAU_S, dtS);
      const neededKw = kwPerK * kind.sign * (this.returnC - this.supplySp.presentValue);
      this.deliveredKw = clamp(neededKw, 0, capacityKw);
      leavingC = this.returnC - (kind.sign * this.deliveredKw) / kwPerK;
      this.supplyC = lag(this.supplyC, leavingC, SUPPLY_TAU_S, dtS);
    }

    const r = ctx.random;
    for (const m of this.machines) {
      const on = running.includes(m);
      m.leavingC = lag(m.leavingC, on ? leavingC : PLANT_ROOM_C, on ? MACHINE_TAU_S : IDLE_TAU_S, dtS);
      const shareKw = on ? this.deliveredKw / running.length : 0;
      m.status.setProcessValue(on ? 1 : 0);
      m.leaving.setProcessValue(quantize(m.leavingC + noise(r, 0.03)));
      m.loading.setProcessValue(quantize(on ? (100 * shareKw) / m.capacityKw : 0, 0.1));
      m.power?.setProcessValue(quantize(on ? kind.machineKw(shareKw) + noise(r, 0.2) : 0, 0.1));
    }
    const moving = loop.pumpsRunning > 0;
    this.supply.setProcessValue(quantize(this.supplyC + noise(r, 0.03)));
    this.ret.setProcessValue(quantize(this.returnC + noise(r, 0.03)));
    this.dp.setProcessValue(quantize(Math.max(0, this.dpKpa + (moving ? noise(r, 0.3) : 0)), 0.1));
    this.flow.setProcessValue(quantize(Math.max(0, this.flowLps + (moving ? noise(r, 0.1) : 0)), 0.1));
    const transferredKw = WATER_KJ_PER_L_K * this.flowLps * kind.sign * (this.returnC - this.supplyC);
    this.thermalLoad.setProcessValue(quantize(Math.max(0, transferredKw), 0.1));
  }
}

export function chilledWaterPlant(device: SimDevice, spec: ChwPlantSpec, base: number, site: SiteModel) {
  return new WaterPlantModel(
    device,
    {
      kind: CHILLED_WATER,
      loopPrefix: spec.name,
      machines: spec.chillers,
      machinePrefix: spec.chillerPrefix,
      machineCapacityKw: spec.chillerCapacityKw,
      pumps: spec.pumps,
      pumpPrefix: spec.pumpPrefix,
      pumpKw: spec.pumpKw,
      designLoadKw: spec.designLoadKw,
      supplySetpointC: spec.supplySetpointC,
      designDpKpa: spec.designDpKpa,
      dpSetpointKpa: spec.dpSetpointKpa,
    },
    base,
    site,
  );
}

export function hotWaterPlant(device: SimDevice, spec: HwPlantSpec, base: number, site: SiteModel) {
  return new WaterPlantModel(
    device,
    {
      kind: HOT_WATER,
      loopPrefix: spec.name,
      machines: spec.boilers,
      machinePrefix: spec.boilerPrefix,
      machineCapacityKw: spec.boilerCapacityKw,
      pumps: spec.pumps,
      pumpPrefix: spec.pumpPrefix,
      pumpKw: spec.pumpKw,
      designLoadKw: spec.designLoadKw,
      supplySetpointC: spec.supplySetpointC,
      designDpKpa: spec.designDpKpa,
      dpSetpointKpa: spec.dpSetpointKpa,
    },
    base,
    site,
  );
}
