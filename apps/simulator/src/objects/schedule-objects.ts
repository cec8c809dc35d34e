import { ApplicationTag } from "@bacnet-js/client";
import * as asn1 from "@bacnet-js/client/dist/lib/asn1.js";
import { WriteProperty } from "@bacnet-js/client/dist/lib/services/index.js";
import type { EncodeBuffer } from "@bacnet-js/client/dist/lib/types.js";
import {
  type AppValue,
  app,
  BACNET_ERRORS,
  type CalendarEntry,
  calendarActive,
  type DeviceSchedule,
  evaluateSchedule,
  fromWireDateList,
  fromWireEffectivePeriod,
  fromWireExceptions,
  fromWireWeekly,
  PROPERTIES as P,
  SCHEDULE_PROPERTIES as S,
  SCHEDULE_OBJECTS,
  scheduleProblems,
  statusFlagsBits,
  toWireDateList,
  toWireEffectivePeriod,
  toWireExceptions,
  toWireValue,
  toWireWeekly,
  valueTypeOfTag,
} from "@bms/bacnet";
import {
  ARRAY_ALL,
  type ReadResult,
  readError,
  readIdentity,
  readOk,
  readPropertyList,
  type WriteResult,
  writeError,
  writeOk,
} from "./property-access";

/**
 * Schedule (clause 12.24) and Calendar (12.9) objects of a simulated device. Present_Value is
 * evaluated on every read from the device's local clock, so it follows the schedule as a real
 * controller's would, with no timer to drift. The structured properties (Weekly_Schedule,
 * Exception_Schedule, Effective_Period, Date_List) are not application-tagged values, so they are
 * read and written through `encodeStructured` / `decodeStructured`, with the library's codec.
 */
export class SimSchedule {
  readonly type = SCHEDULE_OBJECTS.schedule;
  description = "";
  constructor(
    readonly instance: number,
    public name: string,
    public schedule: DeviceSchedule,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get presentValue(): number | null {
    return evaluateSchedule(this.schedule, this.now()).value;
  }
}

export class SimCalendar {
  readonly type = SCHEDULE_OBJECTS.calendar;
  description = "";
  constructor(
    readonly instance: number,
    public name: string,
    public dateList: CalendarEntry[],
    private readonly now: () => Date = () => new Date(),
  ) {}

  get presentValue(): boolean {
    return calendarActive(this.dateList, this.now());
  }
}

export type TimedObject = SimSchedule | SimCalendar;

/**
 * The payload encoders WriteProperty.encode uses for these properties. They are `private` in the
 * library's typings only; a ReadProperty-ACK carries exactly the same payload, so we reuse them
 * rather than keep a second encoder that could disagree with the client's decoder.
 */
const payloads = WriteProperty as unknown as {
  encodeWeeklySchedulePayload(buf: EncodeBuffer, values: unknown): void;
  encodeExceptionSchedulePayload(buf: EncodeBuffer, values: unknown): void;
  encodeEffectivePeriodPayload(buf: EncodeBuffer, values: unknown): void;
  encodeCalendarDateListPayload(buf: EncodeBuffer, values: unknown): void;
};

const COMMON = [P.objectIdentifier, P.objectName, P.objectType, P.presentValue, P.propertyList];
const SCHEDULE_REQUIRED = [
  ...COMMON,
  S.effectivePeriod,
  S.scheduleDefault,
  S.listOfObjectPropertyReferences,
  S.priorityForWriting,
  P.statusFlags,
  P.reliability,
  P.outOfService,
];
const SCHEDULE_OPTIONAL = [P.description, S.weeklySchedule, S.exceptionSchedule];
const CALENDAR_REQUIRED = [...COMMON, S.dateList];
const CALENDAR_OPTIONAL = [P.description];

/** Properties whose value is a constructed type the read path encodes itself. */
const STRUCTURED = new Set<number>([S.weeklySchedule, S.exceptionSchedule, S.effectivePeriod, S.dateList]);

export function isStructured(o: TimedObject, property: number): boolean {
  return STRUCTURED.has(property) && timedPropertySets(o).all.includes(property);
}

export function timedPropertySets(o: TimedObject): { required: number[]; optional: number[]; all: number[] } {
  const [required, optional] =
    o instanceof SimSchedule
      ? [SCHEDULE_REQUIRED, SCHEDULE_OPTIONAL]
      : [CALENDAR_REQUIRED, CALENDAR_OPTIONAL];
  return { required, optional, all: [...required, ...optional] };
}

function scheduleValue(o: SimSchedule, value: number | null): AppValue {
  return toWireValue(value, o.schedule.valueType) as AppValue;
}

/** Reads a simple (application-tagged) property; structured ones answer through encodeStructured. */
export function readTimedProperty(o: TimedObject, id: number, index: number): ReadResult {
  const { all } = timedPropertySets(o);
  if (!all.includes(id) || STRUCTURED.has(id)) {
    // Inside RPM a structured value is refused per property; clients read it with ReadProperty.
    return readError(STRUCTURED.has(id) ? BACNET_ERRORS.invalidDataType : BACNET_ERRORS.unknownProperty);
  }
  if (index !== ARRAY_ALL && id !== P.propertyList) return readError(BACNET_ERRORS.propertyIsNotAnArray);
  const identity = readIdentity(o, id);
  if (identity) return identity;
  switch (id) {
    case P.presentValue:
      return readOk([
        o instanceof SimSchedule ? scheduleValue(o, o.presentValue) : app.boolean(o.presentValue),
      ]);
    case P.propertyList:
      return readPropertyList(all, index);
    case S.scheduleDefault:
      return readOk([scheduleValue(o as SimSchedule, (o as SimSchedule).schedule.scheduleDefault)]);
    case S.listOfObjectPropertyReferences:
      return readOk([]); // the simulator's schedules command nothing; clients see the value only
    case S.priorityForWriting:
      return readOk([app.unsigned(16)]);
    case P.statusFlags:
      return readOk([
        app.bits(statusFlagsBits({ inAlarm: false, fault: false, overridden: false, outOfService: false })),
      ]);
    case P.reliability:
      return readOk([app.enumerated(0)]);
    case P.outOfService:
      return readOk([app.boolean(false)]);
    default:
      return readError(BACNET_ERRORS.unknownProperty);
  }
}

/** Writes the structured property's value in the library's payload shape into an ack/request body. */
export function encodeStructured(buf: EncodeBuffer, o: TimedObject, id: number): void {
  if (o instanceof SimCalendar) {
    payloads.encodeCalendarDateListPayload(buf, toWireDateList(o.dateList));
    return;
  }
  if (id === S.weeklySchedule) payloads.encodeWeeklySchedulePayload(buf, toWireWeekly(o.schedule));
  else if (id === S.exceptionSchedule) {
    payloads.encodeExceptionSchedulePayload(buf, toWireExceptions(o.schedule));
  } else payloads.encodeEffectivePeriodPayload(buf, toWireEffectivePeriod(o.schedule.effectivePeriod));
}

/** The value part of a WriteProperty to a structured property: after the opening tag [3]. */
export function decodeStructured(
  buffer: Buffer,
  offset: number,
  length: number,
  o: TimedObject,
  id: number,
): { value: unknown; len: number } | undefined {
  const decoded =
    id === S.weeklySchedule
      ? asn1.decodeWeeklySchedule(buffer, offset, length)
      : id === S.exceptionSchedule
        ? asn1.decodeExceptionSchedule(buffer, offset, length)
        : id === S.effectivePeriod
          ? asn1.decodeScheduleEffectivePeriod(buffer, offset, length)
          : o instanceof SimCalendar && id === S.dateList
            ? asn1.decodeCalendarDatelist(buffer, offset, length)
            : undefined;
  return decoded ? { value: decoded.value, len: decoded.len } : undefined;
}

/** Applies a decoded structured value after checking it as the Designer's API would. */
export function writeStructured(o: TimedObject, id: number, value: unknown): WriteResult {
  try {
    if (o instanceof SimCalendar) {
      o.dateList = fromWireDateList(value);
      return writeOk;
    }
    const next: DeviceSchedule = { ...o.schedule };
    if (id === S.weeklySchedule) next.weekly = fromWireWeekly(value);
    else if (id === S.exceptionSchedule) next.exceptions = fromWireExceptions(value);
    else next.effectivePeriod = fromWireEffectivePeriod(value);
    if (scheduleProblems(next).length > 0) return writeError(BACNET_ERRORS.valueOutOfRange);
    o.schedule = next;
    return writeOk;
  } catch {
    return writeError(BACNET_ERRORS.invalidDataType);
  }
}

/** WriteProperty of a simple property: Schedule_Default, Description, Object_Name stays fixed. */
export function writeTimedProperty(
  o: TimedObject,
  id: number,
  values: ReadonlyArray<{ type: number; value: unknown }>,
): WriteResult {
  if (!timedPropertySets(o).all.includes(id)) return writeError(BACNET_ERRORS.unknownProperty);
  const first = values[0];
  if (!first || values.length !== 1) return writeError(BACNET_ERRORS.invalidDataType);
  if (id === P.description) {
    if (first.type !== ApplicationTag.CHARACTER_STRING || typeof first.value !== "string") {
      return writeError(BACNET_ERRORS.invalidDataType);
    }
    o.description = first.value;
    return writeOk;
  }
  if (id === S.scheduleDefault && o instanceof SimSchedule) {
    if (first.type === ApplicationTag.NULL) {
      o.schedule = { ...o.schedule, scheduleDefault: null };
      return writeOk;
    }
    // Schedule_Default must have the datatype of the scheduled values (12.24.8).
    if (valueTypeOfTag(first.type) !== o.schedule.valueType || typeof first.value !== "number") {
      return writeError(BACNET_ERRORS.invalidDataType);
    }
    o.schedule = { ...o.schedule, scheduleDefault: first.value };
    return writeOk;
  }
  return writeError(BACNET_ERRORS.writeAccessDenied);
}
