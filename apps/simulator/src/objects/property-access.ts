import type { AppValue, BacnetErrorValue } from "@bms/bacnet";
import { app, BACNET_ERRORS, PROPERTIES as P } from "@bms/bacnet";

/** BACnet's "no array index" marker (0xFFFFFFFF), as the library decodes it. */
export const ARRAY_ALL = 0xffffffff;

export type ReadResult = { ok: true; values: AppValue[] } | { ok: false; error: BacnetErrorValue };
export type WriteResult = { ok: true } | { ok: false; error: BacnetErrorValue };

export const readOk = (values: AppValue[]): ReadResult => ({ ok: true, values });
export const readError = (error: BacnetErrorValue): ReadResult => ({ ok: false, error });
export const writeOk: WriteResult = { ok: true };
export const writeError = (error: BacnetErrorValue): WriteResult => ({ ok: false, error });

/** One property of an object: how to read it and whether the standard calls it an array. */
export interface PropertyReader {
  read: () => AppValue | AppValue[];
  /** Arrays are readable by index: 0 is the length, 1..n the elements. */
  array?: boolean;
}

/**
 * Applies the array-index rules of ReadProperty (clause 15.5) to a property value:
 * no index -> whole value; index on a non-array -> property-is-not-an-array; 0 -> length;
 * 1..n -> that element; beyond -> invalid-array-index.
 */
export function readWithIndex(reader: PropertyReader, index: number): ReadResult {
  const raw = reader.read();
  const values = Array.isArray(raw) ? raw : [raw];
  if (index === ARRAY_ALL) return readOk(values);
  if (!reader.array) return readError(BACNET_ERRORS.propertyIsNotAnArray);
  if (index === 0) return readOk([{ type: 2, value: values.length }]);
  const element = values[index - 1];
  return element ? readOk([element]) : readError(BACNET_ERRORS.invalidArrayIndex);
}

/** Required properties that Property_List does not list (clause 12.1.1.4.1). */
export const NOT_IN_PROPERTY_LIST: ReadonlySet<number> = new Set<number>([
  P.objectIdentifier,
  P.objectName,
  P.objectType,
  P.propertyList,
]);

/** The Property_List of an object that has `all` these properties, read by the array-index rules. */
export function readPropertyList(all: readonly number[], index: number): ReadResult {
  const list = all.filter((p) => !NOT_IN_PROPERTY_LIST.has(p)).map((p) => app.enumerated(p));
  return readWithIndex({ read: () => list, array: true }, index);
}

/**
 * What every object answers the same way: Object_Identifier, Object_Name, Object_Type and Description
 * (the caller has checked the property is the object's and that no array index was given). Undefined for
 * the object's own properties.
 */
export function readIdentity(
  o: { type: number; instance: number; name: string; description: string },
  id: number,
): ReadResult | undefined {
  switch (id) {
    case P.objectIdentifier:
      return readOk([app.objectId(o.type, o.instance)]);
    case P.objectName:
      return readOk([app.string(o.name)]);
    case P.objectType:
      return readOk([app.enumerated(o.type)]);
    case P.description:
      return readOk([app.string(o.description)]);
    default:
      return undefined;
  }
}
