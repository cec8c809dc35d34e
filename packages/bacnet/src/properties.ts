import { PropertyIdentifier } from "@bacnet-js/client";
import { buildNameTable } from "./camel-case";

/** The property ids used by name throughout the product; the full table is reachable via propertyId(). */
export const PROPERTIES = {
  all: 8,
  optional: 80,
  required: 105,
  activeText: 4,
  apduTimeout: 11,
  applicationSoftwareVersion: 12,
  covIncrement: 22,
  databaseRevision: 155,
  description: 28,
  deviceAddressBinding: 30,
  eventState: 36,
  firmwareRevision: 44,
  inactiveText: 46,
  localDate: 56,
  localTime: 57,
  location: 58,
  maxApduLengthAccepted: 62,
  maxPresValue: 65,
  minPresValue: 69,
  modelName: 70,
  numberOfApduRetries: 73,
  numberOfStates: 74,
  objectIdentifier: 75,
  objectList: 76,
  objectName: 77,
  objectType: 79,
  outOfService: 81,
  polarity: 84,
  presentValue: 85,
  priorityArray: 87,
  protocolObjectTypesSupported: 96,
  protocolServicesSupported: 97,
  protocolVersion: 98,
  relinquishDefault: 104,
  reliability: 103,
  segmentationSupported: 107,
  stateText: 110,
  statusFlags: 111,
  systemStatus: 112,
  units: 117,
  vendorIdentifier: 120,
  vendorName: 121,
  protocolRevision: 139,
  activeCovSubscriptions: 152,
  currentCommandPriority: 431,
  propertyList: 371,
} as const;

export type KnownPropertyName = keyof typeof PROPERTIES;

const table = buildNameTable(PropertyIdentifier as unknown as Record<string, string | number>);

/** Numeric id of a property name (`presentValue` -> 85), or undefined for an unknown name. */
export function propertyId(name: string): number | undefined {
  return table.byName.get(name);
}

/** Canonical camelCase name of a property id (85 -> `presentValue`); unknown ids keep their number. */
export function propertyName(id: number): string {
  return table.byId.get(id) ?? String(id);
}

/**
 * BACnetARRAY properties of the objects we serve and read: read without an index, their answer is the
 * whole array (16 slots for priorityArray), so a reader must keep every element, not the first.
 */
const ARRAY_PROPERTIES = new Set<number>([
  PROPERTIES.priorityArray,
  PROPERTIES.stateText,
  PROPERTIES.objectList,
  PROPERTIES.propertyList,
]);

export function isArrayProperty(id: number): boolean {
  return ARRAY_PROPERTIES.has(id);
}

/** BACnet priorities run 1 (manual life safety) to 16 (lowest); a priority array has one slot each. */
export const PRIORITY_LEVELS = 16;
