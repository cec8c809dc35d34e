import { unitsName, unitsSymbol } from "@bms/bacnet";
import type { SimDevice } from "../device/sim-device";
import type { SimObject } from "../objects/sim-object";

export type JsonValue = number | boolean | null;

/** Binary values travel as booleans (active = true), as the supervisor's point values do. */
export function toJsonValue(object: SimObject, value: number | null): JsonValue {
  if (value === null) return null;
  return object.kind === "binary" ? value === 1 : value;
}

export interface FaultsView {
  offline: boolean;
  slow_ms: number;
  erroring: boolean;
  frozen: boolean;
}

export interface DeviceView {
  id: number;
  name: string;
  address: string;
  port: number;
  description: string;
  modelName: string;
  objectCount: number;
  covSubscriptions: number;
  faults: FaultsView;
  /** Behind the simulated router: its network number and MS/TP MAC; null on B/IP. */
  network: number | null;
  mac: number | null;
  maxApdu: number;
  segmentation: boolean;
}

export interface ObjectView {
  id: string;
  type: string;
  instance: number;
  name: string;
  description: string;
  presentValue: JsonValue;
  units: string | null;
  unitsSymbol: string;
  commandable: boolean;
  priorityArray: JsonValue[] | null;
  relinquishDefault: JsonValue;
  activePriority: number | null;
  outOfService: boolean;
  override: JsonValue;
  statusFlags: { inAlarm: boolean; fault: boolean; overridden: boolean; outOfService: boolean };
  stateText: string[] | null;
  activeText: string | null;
  inactiveText: string | null;
}

export function faultsView(device: SimDevice): FaultsView {
  const f = device.faults;
  return { offline: f.offline, slow_ms: f.slowMs, erroring: f.erroring, frozen: f.frozen };
}

export function deviceView(device: SimDevice, port: number): DeviceView {
  return {
    id: device.instance,
    name: device.name,
    address: device.address,
    port,
    description: device.description,
    modelName: device.modelName,
    objectCount: device.objects.length + 1,
    covSubscriptions: device.cov.size,
    faults: faultsView(device),
    network: device.link.network ?? null,
    mac: device.link.mac ?? null,
    maxApdu: device.link.maxApdu,
    segmentation: device.link.segmentation,
  };
}

export function objectView(o: SimObject): ObjectView {
  const round = (v: number) => (o.kind === "analog" ? Math.round(v * 1000) / 1000 : v);
  return {
    id: o.key,
    type: o.typeName,
    instance: o.instance,
    name: o.name,
    description: o.description,
    presentValue: toJsonValue(o, round(o.presentValue)),
    units: o.units === undefined ? null : unitsName(o.units),
    unitsSymbol: o.units === undefined ? "" : unitsSymbol(o.units),
    commandable: o.commandable,
    priorityArray: o.priorityArray ? o.priorityArray.snapshot().map((v) => toJsonValue(o, v)) : null,
    relinquishDefault: o.priorityArray ? toJsonValue(o, o.priorityArray.relinquishDefault) : null,
    activePriority: o.currentCommandPriority,
    outOfService: o.outOfServiceProperty,
    override: toJsonValue(o, o.override),
    statusFlags: o.statusFlags,
    stateText: o.kind === "multiState" ? [...o.stateText] : null,
    activeText: o.kind === "binary" ? o.activeText : null,
    inactiveText: o.kind === "binary" ? o.inactiveText : null,
  };
}
