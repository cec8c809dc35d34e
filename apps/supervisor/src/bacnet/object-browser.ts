import type { BACNetReadAccessSpecification } from "@bacnet-js/client";
import {
  decodeValue,
  isAnalogType,
  isBinaryType,
  isMultiStateType,
  objectTypeName,
  PROPERTIES,
  presentValueToJs,
  unitsName,
} from "@bms/bacnet";
import { type BacnetObjectType, COMMANDABLE_OBJECT_TYPES } from "@bms/schemas";
import type { BacnetService } from "./bacnet-service";
import { describeBacnetError } from "./errors";

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
  return typeof v === "string" ? v : null;
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
export async function readObjectList(
  bacnet: BacnetService,
  deviceId: number,
): Promise<{ type: number; instance: number }[]> {
  try {
    const whole = await bacnet.readProperty(deviceId, DEVICE_TYPE, deviceId, PROPERTIES.objectList);
    return whole.values.map((v) => v.value as { type: number; instance: number });
  } catch (error) {
    const { kind } = describeBacnetError(error);
    if (kind === "timeout") throw error;
  }
  const length = await bacnet.readProperty(deviceId, DEVICE_TYPE, deviceId, PROPERTIES.objectList, 0);
  const count = Number(length.values[0]?.value ?? 0);
  const ids: { type: number; instance: number }[] = new Array(count);
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
      const values = answer.values[0]?.values ?? [];
      slice.forEach((index, n) => {
        ids[index - 1] = values[n]?.value[0]?.value as { type: number; instance: number };
      });
    } catch {
      for (const index of slice) {
        const one = await bacnet.readProperty(deviceId, DEVICE_TYPE, deviceId, PROPERTIES.objectList, index);
        ids[index - 1] = one.values[0]?.value as { type: number; instance: number };
      }
    }
  }
  return ids.filter(Boolean);
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
      if (unitsValue && typeof unitsValue.value === "number") object.units = unitsName(unitsValue.value);
      const stateText = strings(byId.get(PROPERTIES.stateText));
      if (stateText) object.state_text = stateText;
      const active = str(byId.get(PROPERTIES.activeText));
      if (active !== null) object.active_text = active;
      const inactive = str(byId.get(PROPERTIES.inactiveText));
      if (inactive !== null) object.inactive_text = inactive;
      if (pv?.[0] && !isError(pv)) object.present_value = presentValueToJs(id.type, pv[0]);
      out.push(object);
    });
  }
  return out;
}
