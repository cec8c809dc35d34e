import type { SimDevice } from "../../device/sim-device";
import type { SimObject } from "../../objects/sim-object";
import type { Equipment } from "../../site/site-schema";
import type { Behavior, StepContext } from "../behavior";
import { isWorkday } from "../environment";
import { hourOfDay } from "../sim-clock";
import type { SiteModel } from "../site-model";
import { PointFactory } from "./point-factory";

type ZoneOccupancySpec = Extract<Equipment, { model: "zoneOccupancy" }>;

/** Occupancy Mode states: Auto follows the schedule; the others force every zone's sensor. */
export const OCCUPANCY_MODES = ["Auto", "Occupied", "Unoccupied"] as const;

interface ZoneSensor {
  object: SimObject;
  /** Hours after the schedule start the first person arrives, and before its end the last leaves. */
  arrivalH: number;
  departureH: number;
}

/**
 * Spread of arrivals and departures over the zones: a fixed permutation of tenths, so zone 1 does not
 * always fill first and a test can still predict every zone.
 */
function staggerShare(zone: number, step: number): number {
  return ((zone * step) % 11) / 10;
}

/**
 * Zone occupancy sensors (ceiling PIRs) on a time-of-day schedule in simulated time: on workdays a
 * zone reads Occupied from its first arrival (up to `staggerMin` after the start hour) until its last
 * departure (up to `staggerMin` before the end hour), Unoccupied otherwise. A commandable Occupancy
 * Mode forces every sensor (an event, commissioning), and the simulator's override API forces one.
 *
 * Point instances (offset by instanceBase): MSV1 "<name> Mode"; BI z "<zone z> Occupancy".
 */
export class ZoneOccupancyModel implements Behavior {
  private readonly mode: SimObject;
  private readonly zones: ZoneSensor[] = [];
  private readonly startHour: number;
  private readonly endHour: number;

  constructor(
    readonly device: SimDevice,
    spec: ZoneOccupancySpec,
    base: number,
    site: SiteModel,
  ) {
    this.startHour = spec.startHour ?? site.schedule.startHour;
    this.endHour = spec.endHour ?? site.schedule.endHour;
    const f = new PointFactory(device, base, spec.name);
    this.mode = f.msv(1, "Mode", [...OCCUPANCY_MODES], 1, {
      description: "Auto: sensors follow the schedule; Occupied/Unoccupied force every zone",
    });
    spec.zones.forEach((zone, index) => {
      const z = index + 1;
      const sensor = new PointFactory(device, base, zone.name).bi(
        z,
        "Occupancy",
        ["Occupied", "Unoccupied"],
        {
          description: zone.description ?? `Occupancy sensor, ${zone.name}`,
        },
      );
      this.zones.push({
        object: sensor,
        arrivalH: (spec.staggerMin / 60) * staggerShare(z, 7),
        departureH: (spec.staggerMin / 60) * staggerShare(z, 3),
      });
    });
  }

  step(ctx: StepContext): void {
    const mode = this.mode.presentValue; // 1 Auto, 2 Occupied, 3 Unoccupied
    const hour = hourOfDay(ctx.simTimeMs);
    const workday = isWorkday(ctx.simTimeMs);
    for (const zone of this.zones) {
      const scheduled =
        workday && hour >= this.startHour + zone.arrivalH && hour < this.endHour - zone.departureH;
      const occupied = mode === 2 || (mode === 1 && scheduled);
      zone.object.setProcessValue(occupied ? 1 : 0);
    }
  }
}
