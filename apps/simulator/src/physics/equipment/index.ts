import type { SimDevice } from "../../device/sim-device";
import type { Equipment } from "../../site/site-schema";
import type { Behavior } from "../behavior";
import type { SiteModel } from "../site-model";
import { AhuModel } from "./ahu";
import { LightingModel } from "./lighting";
import { MeterModel } from "./meter";
import { PlantModel } from "./plant";
import { VavModel } from "./vav";
import { chilledWaterPlant, hotWaterPlant } from "./water-plant";
import { ZoneOccupancyModel } from "./zone-occupancy";

/** Equipment kinds in the order they must be built: sources before the things that look them up. */
export const BUILD_ORDER: ReadonlyArray<Equipment["model"]> = [
  "plant",
  "chwPlant",
  "hwPlant",
  "ahu",
  "vav",
  "zoneOccupancy",
  "lighting",
  "meter",
];

/** Builds an equipment model's objects on the device and returns the behaviour that drives them. */
export function buildEquipment(
  equipment: Equipment,
  device: SimDevice,
  base: number,
  site: SiteModel,
  outdoorC: number,
): Behavior {
  switch (equipment.model) {
    case "ahu":
      return new AhuModel(device, equipment, base, site, outdoorC);
    case "vav":
      return new VavModel(device, equipment, base, site);
    case "plant":
      return new PlantModel(device, equipment, base, site);
    case "meter":
      return new MeterModel(device, equipment, base, site);
    case "lighting":
      return new LightingModel(device, equipment, base, site);
    case "chwPlant":
      return chilledWaterPlant(device, equipment, base, site);
    case "hwPlant":
      return hotWaterPlant(device, equipment, base, site);
    case "zoneOccupancy":
      return new ZoneOccupancyModel(device, equipment, base, site);
  }
}
