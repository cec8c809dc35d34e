import { ApplicationTag } from "@bacnet-js/client";
import {
  type AppValue,
  app,
  BACNET_ERRORS,
  bitString,
  type DecodedAppValue,
  PROPERTIES as P,
  presentValueTag,
  statusFlagsBits,
} from "@bms/bacnet";
import { isValidPriority } from "./priority-array";
import {
  ARRAY_ALL,
  NOT_IN_PROPERTY_LIST,
  type PropertyReader,
  type ReadResult,
  readError,
  readWithIndex,
  type WriteResult,
  writeError,
  writeOk,
} from "./property-access";
import type { SimObject } from "./sim-object";

export interface PropertySets {
  required: number[];
  optional: number[];
}

/** The intrinsic-reporting properties of an analog object with limits (clause 12.2, 13.3.6). */
const ALARM_PROPERTIES = {
  ackedTransitions: 0,
  deadband: 25,
  eventEnable: 35,
  highLimit: 45,
  limitEnable: 52,
  lowLimit: 59,
  notificationClass: 17,
  notifyType: 72,
  timeDelay: 113,
} as const;

function alarmReader(o: SimObject, id: number): PropertyReader | undefined {
  const alarm = o.alarm;
  if (!alarm) return undefined;
  const c = alarm.config;
  const A = ALARM_PROPERTIES;
  const flags = (on: readonly boolean[]) =>
    app.bits(
      bitString(
        on.length,
        on.flatMap((v, i) => (v ? [i] : [])),
      ),
    );
  switch (id) {
    case A.ackedTransitions:
      return { read: () => flags(alarm.acked) };
    case A.deadband:
      return { read: () => app.real(c.deadband) };
    case A.eventEnable:
      return { read: () => flags(c.eventEnable) };
    case A.highLimit:
      return { read: () => app.real(c.highLimit) };
    case A.limitEnable:
      return { read: () => flags([true, true]) }; // low-limit-enable, high-limit-enable
    case A.lowLimit:
      return { read: () => app.real(c.lowLimit) };
    case A.notificationClass:
      return { read: () => app.unsigned(c.notificationClass) };
    case A.notifyType:
      return { read: () => app.enumerated(0) }; // alarm
    case A.timeDelay:
      return { read: () => app.unsigned(c.timeDelayS) };
    default:
      return undefined;
  }
}

/** Which properties an object has, split as the standard's tables split them (for RPM REQUIRED/OPTIONAL). */
export function pointPropertySets(o: SimObject): PropertySets {
  const required: number[] = [
    P.objectIdentifier,
    P.objectName,
    P.objectType,
    P.presentValue,
    P.statusFlags,
    P.eventState,
    P.outOfService,
    P.propertyList,
  ];
  const optional: number[] = [P.description, P.reliability];
  if (o.kind === "analog") {
    required.push(P.units);
    optional.push(P.covIncrement);
    if (o.minPresValue !== undefined) optional.push(P.minPresValue);
    if (o.maxPresValue !== undefined) optional.push(P.maxPresValue);
  }
  if (o.kind === "binary") {
    if (o.isInput || o.typeName === "binaryOutput") required.push(P.polarity);
    optional.push(P.activeText, P.inactiveText);
  }
  if (o.kind === "multiState") {
    required.push(P.numberOfStates);
    optional.push(P.stateText);
  }
  if (o.alarm) optional.push(...Object.values(ALARM_PROPERTIES));
  if (o.commandable) {
    // Required for outputs, and for commandable values (clause 12.x "footnote: required if commandable").
    required.push(P.priorityArray, P.relinquishDefault);
    // currentCommandPriority arrived in revision 17; we announce 14, so it is an optional extra here.
    optional.push(P.currentCommandPriority);
  }
  return { required, optional };
}

export function pointPropertyList(o: SimObject): number[] {
  const { required, optional } = pointPropertySets(o);
  return [...required, ...optional].filter((id) => !NOT_IN_PROPERTY_LIST.has(id));
}

function valueApp(o: SimObject, value: number): AppValue {
  if (o.kind === "analog") return app.real(value);
  if (o.kind === "binary") return app.enumerated(value);
  return app.unsigned(value);
}

function reader(o: SimObject, id: number): PropertyReader | undefined {
  switch (id) {
    case P.objectIdentifier:
      return { read: () => app.objectId(o.type, o.instance) };
    case P.objectName:
      return { read: () => app.string(o.name) };
    case P.objectType:
      return { read: () => app.enumerated(o.type) };
    case P.presentValue:
      return { read: () => valueApp(o, o.presentValue) };
    case P.statusFlags:
      return { read: () => app.bits(statusFlagsBits(o.statusFlags)) };
    case P.eventState:
      return { read: () => app.enumerated(o.alarm?.eventState ?? 0) };
    case P.outOfService:
      return { read: () => app.boolean(o.outOfServiceProperty) };
    case P.description:
      return { read: () => app.string(o.description) };
    case P.reliability:
      return { read: () => app.enumerated(o.reliability) };
    case P.units:
      return { read: () => app.enumerated(o.units ?? 95) };
    case P.covIncrement:
      return { read: () => app.real(o.covIncrement) };
    case P.minPresValue:
      return { read: () => app.real(o.minPresValue ?? 0) };
    case P.maxPresValue:
      return { read: () => app.real(o.maxPresValue ?? 0) };
    case P.polarity:
      return { read: () => app.enumerated(0) };
    case P.activeText:
      return { read: () => app.string(o.activeText) };
    case P.inactiveText:
      return { read: () => app.string(o.inactiveText) };
    case P.numberOfStates:
      return { read: () => app.unsigned(o.numberOfStates) };
    case P.stateText:
      return { read: () => o.stateText.map((text) => app.string(text)), array: true };
    case P.priorityArray:
      return {
        read: () =>
          (o.priorityArray?.snapshot() ?? []).map((v) => (v === null ? app.null() : valueApp(o, v))),
        array: true,
      };
    case P.relinquishDefault:
      return { read: () => valueApp(o, o.priorityArray?.relinquishDefault ?? 0) };
    case P.currentCommandPriority:
      // BACnetOptionalUnsigned: NULL when the relinquish default is in force.
      return {
        read: () => {
          const priority = o.currentCommandPriority;
          return priority === null ? app.null() : app.unsigned(priority);
        },
      };
    case P.propertyList:
      return { read: () => pointPropertyList(o).map((pid) => app.enumerated(pid)), array: true };
    default:
      return undefined;
  }
}

export function readPointProperty(o: SimObject, id: number, index: number): ReadResult {
  const { required, optional } = pointPropertySets(o);
  if (!required.includes(id) && !optional.includes(id)) return readError(BACNET_ERRORS.unknownProperty);
  const r = reader(o, id) ?? alarmReader(o, id);
  if (!r) return readError(BACNET_ERRORS.unknownProperty);
  return readWithIndex(r, index);
}

/** Checks a written value against the object's presentValue datatype and range; returns the number. */
function commandValue(
  o: SimObject,
  data: DecodedAppValue,
): number | { error: typeof BACNET_ERRORS.invalidDataType } {
  const tag = presentValueTag(o.type);
  if (data.type !== tag || typeof data.value !== "number" || !Number.isFinite(data.value)) {
    return { error: BACNET_ERRORS.invalidDataType };
  }
  return data.value;
}

function inRange(o: SimObject, value: number): boolean {
  if (o.kind === "binary") return value === 0 || value === 1;
  if (o.kind === "multiState") return Number.isInteger(value) && value >= 1 && value <= o.numberOfStates;
  if (o.minPresValue !== undefined && value < o.minPresValue) return false;
  if (o.maxPresValue !== undefined && value > o.maxPresValue) return false;
  return true;
}

/**
 * WriteProperty semantics of clause 15.9 and 19.2: commandable presentValue goes into the priority
 * array (NULL relinquishes); an input's presentValue is writable only while outOfService.
 */
export function writePointProperty(
  o: SimObject,
  id: number,
  index: number,
  values: readonly DecodedAppValue[],
  priority: number,
): WriteResult {
  const { required, optional } = pointPropertySets(o);
  if (!required.includes(id) && !optional.includes(id)) return writeError(BACNET_ERRORS.unknownProperty);
  const arrayProperty = id === P.priorityArray || id === P.stateText || id === P.propertyList;
  if (index !== ARRAY_ALL && !arrayProperty) return writeError(BACNET_ERRORS.propertyIsNotAnArray);
  const first = values[0];
  if (!first || values.length !== 1) return writeError(BACNET_ERRORS.invalidDataType);

  switch (id) {
    case P.presentValue: {
      if (o.isInput && !o.outOfService) return writeError(BACNET_ERRORS.writeAccessDenied);
      if (first.type === ApplicationTag.NULL) {
        if (!o.commandable) return writeError(BACNET_ERRORS.invalidDataType);
        if (!isValidPriority(priority)) return writeError(BACNET_ERRORS.valueOutOfRange);
        o.writePresentValue(null, priority);
        return writeOk;
      }
      const value = commandValue(o, first);
      if (typeof value !== "number") return writeError(value.error);
      if (!inRange(o, value)) return writeError(BACNET_ERRORS.valueOutOfRange);
      if (o.commandable && !isValidPriority(priority)) return writeError(BACNET_ERRORS.valueOutOfRange);
      o.writePresentValue(value, priority);
      return writeOk;
    }
    case P.relinquishDefault: {
      if (!o.priorityArray) return writeError(BACNET_ERRORS.writeAccessDenied);
      const value = commandValue(o, first);
      if (typeof value !== "number") return writeError(value.error);
      if (!inRange(o, value)) return writeError(BACNET_ERRORS.valueOutOfRange);
      o.priorityArray.relinquishDefault = value;
      o.touch();
      return writeOk;
    }
    case P.outOfService:
      if (first.type !== ApplicationTag.BOOLEAN) return writeError(BACNET_ERRORS.invalidDataType);
      o.setOutOfService(first.value === true || first.value === 1);
      return writeOk;
    case P.covIncrement:
      if (first.type !== ApplicationTag.REAL || typeof first.value !== "number") {
        return writeError(BACNET_ERRORS.invalidDataType);
      }
      if (first.value < 0) return writeError(BACNET_ERRORS.valueOutOfRange);
      o.covIncrement = first.value;
      return writeOk;
    case P.description:
      if (first.type !== ApplicationTag.CHARACTER_STRING || typeof first.value !== "string") {
        return writeError(BACNET_ERRORS.invalidDataType);
      }
      o.description = first.value;
      return writeOk;
    default:
      return writeError(BACNET_ERRORS.writeAccessDenied);
  }
}
