import {
  isAnalogType,
  isBinaryType,
  isMultiStateType,
  type PointValue as JsValue,
  objectTypeId,
  PRIORITY_LEVELS,
  unitsName,
} from "@bms/bacnet";
import type { ValueLabels } from "@bms/bacnet/display";
import type { BacnetPointRef, Quality } from "@bms/schemas";
import type { BacnetService } from "./bacnet-service";

/** What the device says about one commandable object: its 16 slots, relinquish default, present value. */
export interface CommandPicture {
  quality: Quality;
  reason?: string;
  presentValue: JsValue;
  relinquishDefault: JsValue;
  /** Slot n-1 is priority n; null is an empty slot. Empty when the object has no priority array. */
  slots: JsValue[];
  /** The priority in force, or null when every slot is empty and the relinquish default applies. */
  winningPriority: number | null;
  labels: ValueLabels;
  timestamp: number;
}

/**
 * Reads an object's command picture in one ReadPropertyMultiple: presentValue, the whole priorityArray,
 * relinquishDefault, and how values read (units or state texts, fresh from the device). An object
 * without a priority array (an input, a non-commandable value) answers bad quality with the device's
 * reason, never an empty "good" picture.
 */
export async function readCommandPicture(
  bacnet: BacnetService,
  ref: BacnetPointRef,
): Promise<CommandPicture> {
  const type = objectTypeId(ref.objectType) ?? -1;
  const at = (property: string): BacnetPointRef => ({
    protocol: "bacnet",
    device: ref.device,
    objectType: ref.objectType,
    instance: ref.instance,
    property,
  });
  const labelProperties = isAnalogType(type)
    ? ["units"]
    : isBinaryType(type)
      ? ["activeText", "inactiveText"]
      : isMultiStateType(type)
        ? ["stateText"]
        : [];
  const [present, array, relinquish, ...labelReads] = await bacnet.readPoints([
    at("presentValue"),
    at("priorityArray"),
    at("relinquishDefault"),
    ...labelProperties.map(at),
  ]);

  const labels: ValueLabels = {};
  labelProperties.forEach((property, i) => {
    const read = labelReads[i];
    if (read?.quality !== "good") return;
    if (property === "units" && typeof read.value === "number") labels.units = unitsName(read.value);
    if (property === "activeText" && typeof read.value === "string") labels.active_text = read.value;
    if (property === "inactiveText" && typeof read.value === "string") labels.inactive_text = read.value;
    if (property === "stateText" && Array.isArray(read.value))
      labels.state_text = read.value.map((v) => String(v ?? ""));
  });

  const timestamp = Math.max(present!.timestamp, array!.timestamp);
  const presentValue = Array.isArray(present!.value) ? null : present!.value;
  const relinquishDefault = Array.isArray(relinquish!.value) ? null : relinquish!.value;
  const bad = [present!, array!].find((r) => r.quality !== "good");
  if (bad) {
    const reason =
      bad === array
        ? `no priority array: ${bad.reason ?? "the device refused"}`
        : (bad.reason ?? "read failed");
    return {
      quality: "bad",
      reason,
      presentValue,
      relinquishDefault,
      slots: [],
      winningPriority: null,
      labels,
      timestamp,
    };
  }
  const slots = Array.isArray(array!.value) ? array!.value : [];
  if (slots.length !== PRIORITY_LEVELS) {
    return {
      quality: "bad",
      reason: `the priority array has ${slots.length} slots, not ${PRIORITY_LEVELS}`,
      presentValue,
      relinquishDefault,
      slots,
      winningPriority: null,
      labels,
      timestamp,
    };
  }
  const winner = slots.findIndex((v) => v !== null);
  return {
    quality: relinquish!.quality === "good" ? "good" : "uncertain",
    ...(relinquish!.quality === "good" ? {} : { reason: `relinquishDefault: ${relinquish!.reason}` }),
    presentValue,
    relinquishDefault,
    slots,
    winningPriority: winner === -1 ? null : winner + 1,
    labels,
    timestamp,
  };
}
