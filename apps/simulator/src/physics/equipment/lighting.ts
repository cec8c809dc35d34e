import type { SimDevice } from "../../device/sim-device";
import type { SimObject } from "../../objects/sim-object";
import type { Equipment } from "../../site/site-schema";
import { DelayedStatus } from "../actuator";
import { type Behavior, noise, quantize, type StepContext } from "../behavior";
import { hourOfDay } from "../sim-clock";
import type { ElectricalLoad, SiteModel } from "../site-model";
import { PointFactory } from "./point-factory";

type LightingSpec = Extract<Equipment, { model: "lighting" }>;

/** Scene multipliers on the dimming level: Off, Work, Presentation, Cleaning. */
const SCENES = ["Off", "Work", "Presentation", "Cleaning"];
const SCENE_LEVEL = [0, 1, 0.4, 0.6];

interface Zone {
  cmd: SimObject;
  level: SimObject;
  status: SimObject;
  lux: SimObject;
  relay: DelayedStatus;
}

/** Daylight at the work plane through the windows, lux: zero at night, ~300 at solar noon. */
function daylightLux(simTimeMs: number): number {
  const hour = hourOfDay(simTimeMs);
  if (hour < 6 || hour > 20) return 0;
  return 300 * Math.sin((Math.PI * (hour - 6)) / 14);
}

/**
 * Lighting zones: an on/off command with a relay status, a dimming level, and a light-level sensor
 * that sees daylight plus the luminaires (500 lx at full level).
 */
export class LightingModel implements Behavior, ElectricalLoad {
  readonly name: string;
  private readonly zones: Zone[] = [];
  private readonly scene: SimObject;

  constructor(
    readonly device: SimDevice,
    private readonly spec: LightingSpec,
    base: number,
    site: SiteModel,
  ) {
    this.name = spec.name;
    const f = new PointFactory(device, base, spec.name);
    this.scene = f.mso(1, "Scene", SCENES, 2);
    for (let z = 1; z <= spec.zones; z++) {
      this.zones.push({
        cmd: f.bo(z, `Zone ${z} Lights Cmd`, 0),
        level: f.ao(z, `Zone ${z} Dim Level`, "percent", 100),
        status: f.bi(z, `Zone ${z} Lights Status`),
        lux: f.ai(z, `Zone ${z} Light Level`, "luxes", { covIncrement: 10 }),
        relay: new DelayedStatus(false, 1, 1),
      });
    }
    site.electricalLoads.push(this);
  }

  /** Effective output of a zone, 0..100 %: its dimming level scaled by the scene; 0 when the relay is off. */
  private output(zone: Zone): number {
    if (!zone.relay.on) return 0;
    const factor = SCENE_LEVEL[this.scene.presentValue - 1] ?? 1;
    return Math.max(0, Math.min(100, zone.level.presentValue)) * factor;
  }

  kw(): number {
    // Drivers draw about 10 % even at the bottom of the dimming range.
    return this.zones.reduce(
      (a, z) => a + (z.relay.on ? (this.spec.kwPerZone * Math.max(10, this.output(z))) / 100 : 0),
      0,
    );
  }

  step(ctx: StepContext): void {
    const daylight = daylightLux(ctx.simTimeMs);
    for (const zone of this.zones) {
      const on = zone.relay.step(zone.cmd.presentValue === 1, ctx.elapsedS);
      zone.status.setProcessValue(on ? 1 : 0);
      const artificial = on ? 5 * this.output(zone) : 0;
      zone.lux.setProcessValue(quantize(Math.max(0, daylight + artificial + noise(ctx.random, 3)), 1));
    }
  }
}
