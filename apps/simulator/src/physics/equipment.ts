import type { SimDevice } from "../device/sim-device";
import type { Equipment } from "../site/site-schema";
import type { Behavior } from "./behavior";

/** Builds an equipment model's objects on the device and returns the behaviours that drive them. */
export function buildEquipment(
  equipment: Equipment,
  _device: SimDevice,
  _registry: Map<string, unknown>,
): Behavior[] {
  throw new Error(`equipment model "${equipment.model}" is not available in this build yet`);
}
