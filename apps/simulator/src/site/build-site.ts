import { objectTypeId, unitsId } from "@bms/bacnet";
import { SimDevice } from "../device/sim-device";
import { offsetAddress } from "../device/udp-endpoints";
import { SimObject } from "../objects/sim-object";
import type { Behavior } from "../physics/behavior";
import { buildEquipment } from "../physics/equipment";
import { FollowSignal, RandomWalkSignal, SineSignal } from "../physics/signals";
import type { ObjectSpec, SiteSpec } from "./site-schema";

export interface BuiltSite {
  name: string;
  devices: SimDevice[];
  behaviors: Behavior[];
}

const toNumber = (v: number | boolean | undefined): number | undefined =>
  typeof v === "boolean" ? (v ? 1 : 0) : v;

export function createObject(spec: ObjectSpec): SimObject {
  const type = objectTypeId(spec.type);
  if (type === undefined) throw new Error(`unknown object type ${spec.type}`);
  return new SimObject({
    type,
    instance: spec.instance,
    name: spec.name,
    description: spec.description,
    units: spec.units ? unitsId(spec.units) : undefined,
    commandable: spec.commandable,
    relinquishDefault: toNumber(spec.relinquishDefault),
    initialValue: toNumber(spec.initial),
    covIncrement: spec.covIncrement,
    minPresValue: spec.min,
    maxPresValue: spec.max,
    stateText: spec.stateText,
    activeText: spec.activeText,
    inactiveText: spec.inactiveText,
  });
}

/**
 * Turns a validated site into devices and behaviours. Device N takes the Nth address after --bind,
 * in file order, so a site file never needs to know which loopback range a test uses.
 */
export function buildSite(site: SiteSpec, bind: string): BuiltSite {
  const devices: SimDevice[] = [];
  const behaviors: Behavior[] = [];
  const equipmentQueue: Array<() => void> = [];
  const ahuRegistry = new Map<string, unknown>();
  site.devices.forEach((spec, index) => {
    const device = new SimDevice({
      instance: spec.instance,
      name: spec.name,
      address: offsetAddress(bind, index),
      description: spec.description,
      location: spec.location,
      modelName: spec.modelName,
    });
    for (const objectSpec of spec.objects) device.addObject(createObject(objectSpec));
    for (const objectSpec of spec.objects) {
      const signal = objectSpec.signal;
      if (!signal) continue;
      const object = device.find(objectTypeId(objectSpec.type) ?? -1, objectSpec.instance);
      if (!object) continue;
      if (signal.kind === "sine") behaviors.push(new SineSignal(device, object, signal));
      else if (signal.kind === "randomWalk") behaviors.push(new RandomWalkSignal(device, object, signal));
      else {
        const [typeName = "", instanceText = ""] = signal.source.split(":");
        const source = device.find(objectTypeId(typeName) ?? -1, Number(instanceText));
        if (!source) {
          throw new Error(
            `${spec.name}: ${objectSpec.type}:${objectSpec.instance} follows ${signal.source}, which does not exist`,
          );
        }
        behaviors.push(new FollowSignal(device, object, source, signal.delayS));
      }
    }
    for (const equipment of spec.equipment) {
      // Equipment is built after all devices exist, so a VAV can find its AHU on another device.
      equipmentQueue.push(() => behaviors.push(...buildEquipment(equipment, device, ahuRegistry)));
    }
    devices.push(device);
  });
  for (const build of equipmentQueue) build();
  return { name: site.name, devices, behaviors };
}
