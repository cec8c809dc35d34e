import { ObjectType } from "@bacnet-js/client";
import { buildNameTable } from "./camel-case";

/** Object types the simulator serves and the supervisor reads most; typed so callers get autocomplete. */
export const OBJECT_TYPES = {
  analogInput: 0,
  analogOutput: 1,
  analogValue: 2,
  binaryInput: 3,
  binaryOutput: 4,
  binaryValue: 5,
  device: 8,
  multiStateInput: 13,
  multiStateOutput: 14,
  multiStateValue: 19,
} as const;

export type CoreObjectTypeName = keyof typeof OBJECT_TYPES;

const table = buildNameTable(ObjectType as unknown as Record<string, string | number>);

/** Numeric id of an object type name (`analogInput` -> 0), or undefined for an unknown name. */
export function objectTypeId(name: string): number | undefined {
  return table.byName.get(name);
}

/** Canonical camelCase name of an object type id (0 -> `analogInput`); unknown ids keep their number. */
export function objectTypeName(id: number): string {
  return table.byId.get(id) ?? String(id);
}

export function isCoreObjectType(name: string): name is CoreObjectTypeName {
  return Object.hasOwn(OBJECT_TYPES, name);
}

/** Objects whose presentValue is a REAL. */
export function isAnalogType(type: number): boolean {
  return (
    type === OBJECT_TYPES.analogInput ||
    type === OBJECT_TYPES.analogOutput ||
    type === OBJECT_TYPES.analogValue
  );
}

/** Objects whose presentValue is the BACnetBinaryPV enumeration (0 inactive, 1 active). */
export function isBinaryType(type: number): boolean {
  return (
    type === OBJECT_TYPES.binaryInput ||
    type === OBJECT_TYPES.binaryOutput ||
    type === OBJECT_TYPES.binaryValue
  );
}

/** Objects whose presentValue is an Unsigned state number 1..numberOfStates. */
export function isMultiStateType(type: number): boolean {
  return (
    type === OBJECT_TYPES.multiStateInput ||
    type === OBJECT_TYPES.multiStateOutput ||
    type === OBJECT_TYPES.multiStateValue
  );
}

/** Output objects are always commandable (they carry a priority array by definition). */
export function isOutputType(type: number): boolean {
  return (
    type === OBJECT_TYPES.analogOutput ||
    type === OBJECT_TYPES.binaryOutput ||
    type === OBJECT_TYPES.multiStateOutput
  );
}

export function isInputType(type: number): boolean {
  return (
    type === OBJECT_TYPES.analogInput ||
    type === OBJECT_TYPES.binaryInput ||
    type === OBJECT_TYPES.multiStateInput
  );
}
