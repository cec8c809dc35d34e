import type { TimedObject } from "../../objects/schedule-objects";
import type { ServiceObject } from "../../objects/service-object";
import type { SimObject } from "../../objects/sim-object";
import type { SimDevice } from "../sim-device";

/** The device instance 4194303 is the "this device" wildcard of clause 15.5.1.1.1. */
export const WILDCARD_INSTANCE = 4194303;
const DEVICE_TYPE = 8;

export type ObjectTarget =
  | { kind: "device" }
  | { kind: "point"; object: SimObject }
  | { kind: "timed"; object: TimedObject }
  | { kind: "service"; object: ServiceObject }
  | { kind: "unknown" };

export function lookupObject(device: SimDevice, id: { type: number; instance: number }): ObjectTarget {
  if (id.type === DEVICE_TYPE) {
    return id.instance === device.instance || id.instance === WILDCARD_INSTANCE
      ? { kind: "device" }
      : { kind: "unknown" };
  }
  const object = device.find(id.type, id.instance);
  if (object) return { kind: "point", object };
  const timed = device.findTimed(id.type, id.instance);
  if (timed) return { kind: "timed", object: timed };
  const service = device.findServiceObject(id.type, id.instance);
  return service ? { kind: "service", object: service } : { kind: "unknown" };
}
