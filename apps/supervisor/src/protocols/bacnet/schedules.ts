import type { BACNetObjectID } from "@bacnet-js/client";
import {
  type CalendarEntry,
  type DeviceSchedule,
  evaluateSchedule,
  fromWireDateList,
  fromWireEffectivePeriod,
  fromWireExceptions,
  fromWireWeekly,
  PROPERTIES,
  SCHEDULE_PROPERTIES as S,
  SCHEDULE_OBJECTS,
  type ScheduleValueType,
  toWireDateList,
  toWireEffectivePeriod,
  toWireExceptions,
  toWireValue,
  toWireWeekly,
  upcomingChanges,
  valueTypeOfTag,
} from "@bms/bacnet";
import type { BacnetService } from "./bacnet-service";

/** A decoded ReadProperty answer: the library's loosely typed application values. */
type Values = { values: { type: number; value: unknown }[] };

/** Thrown when a device answers with something that is not a Schedule's or Calendar's structure. */
export class ScheduleShapeError extends Error {
  readonly code = "schedule_shape";
}

function first(answer: Values, what: string): { type: number; value: unknown } {
  const value = answer.values[0];
  if (!value) throw new ScheduleShapeError(`${what}: the device answered no value`);
  return value;
}

/**
 * Reads a Schedule object's content with one ReadProperty per constructed property (RPM cannot carry
 * them through the library's decoder) and one RPM for the simple ones. The value type comes from
 * Schedule_Default, or from the first scheduled value when the default is NULL.
 */
export async function readDeviceSchedule(
  bacnet: BacnetService,
  deviceId: number,
  instance: number,
): Promise<{ name: string; presentValue: number | null; schedule: DeviceSchedule }> {
  const type = SCHEDULE_OBJECTS.schedule;
  const read = (property: number) =>
    bacnet.readProperty(deviceId, type, instance, property) as Promise<Values>;
  const [weeklyAnswer, exceptionAnswer, periodAnswer, defaultAnswer, nameAnswer, pvAnswer] =
    await Promise.all([
      read(S.weeklySchedule),
      read(S.exceptionSchedule),
      read(S.effectivePeriod),
      read(S.scheduleDefault),
      read(PROPERTIES.objectName),
      read(PROPERTIES.presentValue),
    ]);
  try {
    const weekly = fromWireWeekly(first(weeklyAnswer, "Weekly_Schedule").value);
    const exceptions = fromWireExceptions(first(exceptionAnswer, "Exception_Schedule").value);
    const effectivePeriod = fromWireEffectivePeriod(first(periodAnswer, "Effective_Period").value);
    const def = first(defaultAnswer, "Schedule_Default");
    const sample = weeklyAnswer.values[0]?.value as { value: { type: number } }[][] | undefined;
    const sampleTag = sample?.flat().find((tv) => tv.value.type !== 0)?.value.type;
    const valueType: ScheduleValueType =
      valueTypeOfTag(def.type) ?? (sampleTag === undefined ? undefined : valueTypeOfTag(sampleTag)) ?? "real";
    const scheduleDefault = typeof def.value === "number" ? def.value : null;
    const pv = first(pvAnswer, "Present_Value").value;
    return {
      name: String(first(nameAnswer, "Object_Name").value),
      presentValue: typeof pv === "number" ? pv : typeof pv === "boolean" ? Number(pv) : null,
      schedule: { weekly, exceptions, effectivePeriod, scheduleDefault, valueType },
    };
  } catch (error) {
    if (error instanceof ScheduleShapeError) throw error;
    throw new ScheduleShapeError(
      `schedule:${instance} on device ${deviceId}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * Writes a whole schedule: Schedule_Default first (its datatype is what the other values must match),
 * then Effective_Period, Weekly_Schedule and Exception_Schedule, each a WriteProperty without priority
 * (they are not commandable). A failure stops the sequence; what was written before stays, as on any
 * BACnet workstation, and the error says which property failed.
 */
export async function writeDeviceSchedule(
  bacnet: BacnetService,
  deviceId: number,
  instance: number,
  schedule: DeviceSchedule,
): Promise<void> {
  const objectId = { type: SCHEDULE_OBJECTS.schedule, instance } as BACNetObjectID;
  const write = (property: number, label: string, values: unknown) =>
    bacnet.call(deviceId, `write schedule:${instance} ${label}`, (client, to) =>
      client.writeProperty(to, objectId, property, values as never, {}),
    );
  await write(S.scheduleDefault, "Schedule_Default", [
    toWireValue(schedule.scheduleDefault, schedule.valueType),
  ]);
  await write(S.effectivePeriod, "Effective_Period", toWireEffectivePeriod(schedule.effectivePeriod));
  await write(S.weeklySchedule, "Weekly_Schedule", toWireWeekly(schedule));
  await write(S.exceptionSchedule, "Exception_Schedule", toWireExceptions(schedule));
}

export async function readDeviceCalendar(
  bacnet: BacnetService,
  deviceId: number,
  instance: number,
): Promise<{ name: string; presentValue: boolean; dateList: CalendarEntry[] }> {
  const type = SCHEDULE_OBJECTS.calendar;
  const [list, name, pv] = (await Promise.all([
    bacnet.readProperty(deviceId, type, instance, S.dateList),
    bacnet.readProperty(deviceId, type, instance, PROPERTIES.objectName),
    bacnet.readProperty(deviceId, type, instance, PROPERTIES.presentValue),
  ])) as Values[];
  try {
    return {
      name: String(first(name as Values, "Object_Name").value),
      presentValue: first(pv as Values, "Present_Value").value === true,
      dateList: fromWireDateList(first(list as Values, "Date_List").value),
    };
  } catch (error) {
    if (error instanceof ScheduleShapeError) throw error;
    throw new ScheduleShapeError(
      `calendar:${instance} on device ${deviceId}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

export async function writeDeviceCalendar(
  bacnet: BacnetService,
  deviceId: number,
  instance: number,
  dateList: readonly CalendarEntry[],
): Promise<void> {
  const objectId = { type: SCHEDULE_OBJECTS.calendar, instance } as BACNetObjectID;
  await bacnet.call(deviceId, `write calendar:${instance} Date_List`, (client, to) =>
    client.writeProperty(to, objectId, S.dateList, toWireDateList(dateList) as never, {}),
  );
}

/** What the schedule does now and next, on the supervisor's clock (the device's should agree). */
export function scheduleOutlook(schedule: DeviceSchedule, at = new Date(), count = 5) {
  const now = evaluateSchedule(schedule, at);
  return {
    now: { value: now.value, source: now.source },
    next: upcomingChanges(schedule, at, count).map((c) => ({
      at: c.at.toISOString(),
      value: c.value,
      source: c.source,
    })),
  };
}
