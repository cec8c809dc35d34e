import type { BACNetReadAccessSpecification } from "@bacnet-js/client";
import {
  ApplicationTag,
  decodeValue,
  isAnalogType,
  isBinaryType,
  isMultiStateType,
  objectTypeName,
  PROPERTIES,
  unitsName,
} from "@bms/bacnet";
import { type BacnetObjectType, COMMANDABLE_OBJECT_TYPES } from "@bms/schemas";
import type { BacnetService } from "./bacnet-service";
import { describeBacnetError } from "./errors";
import { checkPresentValue, isObjectId, MAX_TEXT_LENGTH } from "./wire-checks";

export interface BrowsedObject {
  device_id: number;
  object_type: BacnetObjectType;
  object_instance: number;
  object_name: string;
  description?: string;
  units?: string;
  state_text?: string[];
  active_text?: string;
  inactive_text?: string;
  present_value?: number | boolean | string | null;
  commandable: boolean;
}

export interface DeviceInfo {
  name: string | null;
  vendor_name: string | null;
  model_name: string | null;
}

type Spec = BACNetReadAccessSpecification;

const DEVICE_TYPE = 8;
const ALL_INDEXES = 0xffffffff;

function str(values: { type: number; value: unknown }[] | undefined): string | null {
  const first = values?.[0];
  if (!first) return null;
  if (typeof (first.value as { errorCode?: number })?.errorCode === "number") return null;
  const v = decodeValue(first);
  return typeof v === "string" ? v.slice(0, MAX_TEXT_LENGTH) : null;
}

type ObjectId = { type: number; instance: number };

/** One objectList element as the device sent it: an object identifier, or nothing usable. */
function objectIdOf(value: { type: number; value: unknown } | undefined): ObjectId | undefined {
  if (value?.type !== ApplicationTag.OBJECTIDENTIFIER || !isObjectId(value.value)) return undefined;
  return { type: value.value.type, instance: value.value.instance };
}

/** Keeps at most the configured number of entries, and says so in the event log when it cuts. */
function capList(bacnet: BacnetService, deviceId: number, reported: number): number {
  const max = bacnet.limits.maxListLength;
  if (reported <= max) return reported;
  bacnet.wire.lists_over_cap++;
  bacnet.report("warn", `device ${deviceId} reports more objects than the cap; only the first are read`, {
    device: deviceId,
    reported,
    cap: max,
    setting: "BMS_BACNET_MAX_LIST_LENGTH",
  });
  return max;
}

/** Reads a device's identity: objectName, vendorName and modelName in one RPM (RP fallback). */
export async function readDeviceInfo(bacnet: BacnetService, deviceId: number): Promise<DeviceInfo> {
  const props = [PROPERTIES.objectName, PROPERTIES.vendorName, PROPERTIES.modelName];
  try {
    const spec: Spec = {
      objectId: { type: DEVICE_TYPE, instance: deviceId } as Spec["objectId"],
      properties: props.map((id) => ({ id, index: ALL_INDEXES })) as Spec["properties"],
    };
    const answer = await bacnet.readPropertyMultiple(deviceId, [spec]);
    const values = answer.values[0]?.values ?? [];
    const byId = new Map(values.map((v) => [v.id, v.value]));
    return {
      name: str(byId.get(PROPERTIES.objectName)),
      vendor_name: str(byId.get(PROPERTIES.vendorName)),
      model_name: str(byId.get(PROPERTIES.modelName)),
    };
  } catch {
    const read = async (prop: number) => {
      try {
        return str((await bacnet.readProperty(deviceId, DEVICE_TYPE, deviceId, prop)).values);
      } catch {
        return null;
      }
    };
    return {
      name: await read(PROPERTIES.objectName),
      vendor_name: await read(PROPERTIES.vendorName),
      model_name: await read(PROPERTIES.modelName),
    };
  }
}

/**
 * The device's objectList. Whole first; when that fails (too big for an unsegmented answer, the
 * device aborts) element by element: index 0 is the length, then 1..n. That is how a 1,500-object
 * device is enumerated completely by a client that does not segment.
 */
export async function readObjectList(bacnet: BacnetService, deviceId: number): Promise<ObjectId[]> {
  try {
    const whole = await bacnet.readProperty(deviceId, DEVICE_TYPE, deviceId, PROPERTIES.objectList);
    const values = Array.isArray(whole.values) ? whole.values : [];
    const kept = values.slice(0, capList(bacnet, deviceId, values.length));
    return kept.map(objectIdOf).filter((id): id is ObjectId => id !== undefined);
  } catch (error) {
    const { kind } = describeBacnetError(error);
    if (kind === "timeout") throw error;
  }
  const length = await bacnet.readProperty(deviceId, DEVICE_TYPE, deviceId, PROPERTIES.objectList, 0);
  const first = length.values?.[0];
  // Index 0 is the length, an Unsigned: anything else, or a huge number, must not size an array.
  const reported =
    first?.type === ApplicationTag.UNSIGNED_INTEGER &&
    Number.isInteger(first.value) &&
    (first.value as number) >= 0
      ? (first.value as number)
      : 0;
  const count = capList(bacnet, deviceId, reported);
  const ids: (ObjectId | undefined)[] = new Array(count);
  const indexes = Array.from({ length: count }, (_, i) => i + 1);
  // RPM with array indexes, 20 at a time: far fewer round trips than one ReadProperty per element.
  for (let i = 0; i < indexes.length; i += 20) {
    const slice = indexes.slice(i, i + 20);
    try {
      const answer = await bacnet.readPropertyMultiple(deviceId, [
        {
          objectId: { type: DEVICE_TYPE, instance: deviceId } as Spec["objectId"],
          properties: slice.map((index) => ({ id: PROPERTIES.objectList, index })) as Spec["properties"],
        },
      ]);
      const values = answer.values?.[0]?.values ?? [];
      slice.forEach((index, n) => {
        const element = values[n];
        ids[index - 1] =
          element?.id === PROPERTIES.objectList && element.index === index
            ? objectIdOf(element.value?.[0])
            : undefined;
      });
    } catch {
      for (const index of slice) {
        const one = await bacnet.readProperty(deviceId, DEVICE_TYPE, deviceId, PROPERTIES.objectList, index);
        ids[index - 1] = objectIdOf(one.values?.[0]);
      }
    }
  }
  return ids.filter((id): id is ObjectId => id !== undefined);
}

/**
 * The properties that tell how an object's value reads: units for analog objects, Active_Text and
 * Inactive_Text for binary ones, State_Text for multi-state ones.
 */
function browseProperties(type: number): number[] {
  const props: number[] = [PROPERTIES.objectName, PROPERTIES.description, PROPERTIES.presentValue];
  if (isAnalogType(type)) props.push(PROPERTIES.units);
  if (isBinaryType(type)) props.push(PROPERTIES.activeText, PROPERTIES.inactiveText);
  if (isMultiStateType(type)) props.push(PROPERTIES.stateText);
  return props;
}

type Answer = { type: number; value: unknown }[];

function isError(values: Answer | undefined): boolean {
  return typeof (values?.[0]?.value as { errorCode?: number } | undefined)?.errorCode === "number";
}

/** Every element of a BACnetARRAY of CharacterString (State_Text), or undefined when absent. */
function strings(values: Answer | undefined): string[] | undefined {
  if (!values || values.length === 0 || isError(values)) return undefined;
  const out = values.map((v) => decodeValue(v));
  return out.every((v): v is string => typeof v === "string") ? out : undefined;
}

/**
 * objectName, description, presentValue, and how values read (units, state texts) of every object, in
 * RPM batches. Eight objects a request keeps an answer with State_Text arrays inside an unsegmented
 * 1476-byte APDU; a device that still refuses gets one ReadProperty per property.
 */
export async function browseObjects(bacnet: BacnetService, deviceId: number): Promise<BrowsedObject[]> {
  const ids = (await readObjectList(bacnet, deviceId)).filter((id) => id.type !== DEVICE_TYPE);
  const out: BrowsedObject[] = [];
  for (let i = 0; i < ids.length; i += 8) {
    const batch = ids.slice(i, i + 8);
    const specs: Spec[] = batch.map((id) => ({
      objectId: id as Spec["objectId"],
      properties: browseProperties(id.type).map((p) => ({ id: p, index: ALL_INDEXES })) as Spec["properties"],
    }));
    let answers: { id: number; value: Answer }[][];
    try {
      const response = await bacnet.readPropertyMultiple(deviceId, specs);
      answers = response.values.map((v) => v.values);
    } catch {
      answers = await Promise.all(
        batch.map(async (id) => {
          const row: { id: number; value: Answer }[] = [];
          for (const p of browseProperties(id.type)) {
            try {
              row.push({
                id: p,
                value: (await bacnet.readProperty(deviceId, id.type, id.instance, p)).values,
              });
            } catch {
              // optional property missing on this object
            }
          }
          return row;
        }),
      );
    }
    batch.forEach((id, n) => {
      const byId = new Map((answers[n] ?? []).map((v) => [v.id, v.value]));
      const typeName = objectTypeName(id.type) as BacnetObjectType;
      const unitsValue = byId.get(PROPERTIES.units)?.[0];
      const pv = byId.get(PROPERTIES.presentValue);
      const object: BrowsedObject = {
        device_id: deviceId,
        object_type: typeName,
        object_instance: id.instance,
        object_name: str(byId.get(PROPERTIES.objectName)) ?? `${typeName}:${id.instance}`,
        commandable: COMMANDABLE_OBJECT_TYPES.includes(typeName),
      };
      const description = str(byId.get(PROPERTIES.description));
      if (description) object.description = description;
      if (unitsValue?.type === ApplicationTag.ENUMERATED && Number.isInteger(unitsValue.value)) {
        object.units = unitsName(unitsValue.value as number);
      }
      const stateText = strings(byId.get(PROPERTIES.stateText));
      if (stateText) object.state_text = stateText;
      const active = str(byId.get(PROPERTIES.activeText));
      if (active !== null) object.active_text = active;
      const inactive = str(byId.get(PROPERTIES.inactiveText));
      if (inactive !== null) object.inactive_text = inactive;
      const checked = pv?.[0] && !isError(pv) ? checkPresentValue(id.type, pv[0]) : undefined;
      if (checked?.ok) object.present_value = checked.value;
      out.push(object);
    });
  }
  return out;
}
