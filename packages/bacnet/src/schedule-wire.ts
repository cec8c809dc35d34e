// Converts the product's schedule JSON (schedule.ts) to and from the shapes @bacnet-js/client encodes
// and decodes for Weekly_Schedule, Exception_Schedule, Effective_Period and a Calendar's Date_List.
// Both ends use the same library codec, so this is the one place its loosely typed shapes are read.
import { ApplicationTag } from "@bacnet-js/client";
import type {
  CalendarDate,
  CalendarEntry,
  ClockTime,
  DeviceSchedule,
  ExceptionPeriod,
  ScheduleValueType,
  SpecialEvent,
  TimeValue,
} from "./schedule";
import { secondsToTime, timeToSeconds } from "./schedule";

/** A BACnet Date as 4 raw octets (year - 1900, month, day, weekday), 255 = unspecified. */
export interface RawDate {
  year: number;
  month: number;
  day: number;
  wday: number;
}

const ANY_DATE: RawDate = { year: 255, month: 255, day: 255, wday: 255 };

export function rawDate(date: CalendarDate): RawDate {
  if (date === "*") return { ...ANY_DATE };
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new RangeError(`not a date (YYYY-MM-DD or *): ${JSON.stringify(date)}`);
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const at = new Date(y, m - 1, d);
  if (y < 1900 || y > 2154 || at.getMonth() !== m - 1 || at.getDate() !== d) {
    throw new RangeError(`not a BACnet date (1900..2154): ${JSON.stringify(date)}`);
  }
  return { year: y - 1900, month: m, day: d, wday: at.getDay() === 0 ? 7 : at.getDay() };
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Reads a decoded library date: its raw octets when present (they keep wildcards), else the Date. */
function fromWireDate(value: unknown): CalendarDate {
  const v = value as { raw?: RawDate; value?: unknown } | Date | undefined;
  const raw = v && !(v instanceof Date) ? v.raw : undefined;
  if (raw) {
    if (raw.year === 255 || raw.month > 12 || raw.day > 31) return "*";
    return `${raw.year + 1900}-${pad(raw.month)}-${pad(raw.day)}`;
  }
  const date = v instanceof Date ? v : (v?.value as Date | undefined);
  if (!(date instanceof Date) || Number.isNaN(date.getTime()) || date.getFullYear() <= 1900) return "*";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function toWireTime(time: ClockTime): Date {
  const seconds = timeToSeconds(time);
  return new Date(1970, 0, 1, Math.floor(seconds / 3600), Math.floor((seconds % 3600) / 60), seconds % 60);
}

function fromWireTime(value: unknown): ClockTime {
  const v = value as { value?: unknown } | Date;
  const date = v instanceof Date ? v : (v?.value as Date);
  if (!(date instanceof Date)) throw new TypeError("a schedule entry has no time");
  return secondsToTime(date.getHours() * 3600 + date.getMinutes() * 60 + date.getSeconds());
}

const TAG_OF: Record<ScheduleValueType, ApplicationTag> = {
  real: ApplicationTag.REAL,
  enumerated: ApplicationTag.ENUMERATED,
  unsigned: ApplicationTag.UNSIGNED_INTEGER,
};

export function valueTypeOfTag(tag: number): ScheduleValueType | undefined {
  if (tag === ApplicationTag.REAL) return "real";
  if (tag === ApplicationTag.ENUMERATED) return "enumerated";
  if (tag === ApplicationTag.UNSIGNED_INTEGER) return "unsigned";
  return undefined;
}

export function toWireValue(value: number | null, type: ScheduleValueType): { type: number; value: unknown } {
  if (value === null) return { type: ApplicationTag.NULL, value: null };
  return { type: TAG_OF[type], value };
}

function fromWireValue(value: unknown): number | null {
  const v = value as { type?: number; value?: unknown };
  if (v?.type === ApplicationTag.NULL) return null;
  if (typeof v?.value === "number") return v.value;
  if (typeof v?.value === "boolean") return v.value ? 1 : 0;
  throw new TypeError(`a scheduled value of application tag ${v?.type} is not supported`);
}

const toWireEvents = (events: readonly TimeValue[], type: ScheduleValueType) =>
  events.map((tv) => ({ time: toWireTime(tv.time), value: toWireValue(tv.value, type) }));

const fromWireEvents = (events: unknown): TimeValue[] =>
  (Array.isArray(events) ? events : []).map((e: { time: unknown; value: unknown }) => ({
    time: fromWireTime(e.time),
    value: fromWireValue(e.value),
  }));

/** Weekly_Schedule as WriteProperty's payload: 7 days of time-value lists. */
export function toWireWeekly(schedule: Pick<DeviceSchedule, "weekly" | "valueType">): unknown[][] {
  return schedule.weekly.map((day) => toWireEvents(day, schedule.valueType));
}

export function fromWireWeekly(value: unknown): TimeValue[][] {
  if (!Array.isArray(value) || value.length !== 7) throw new TypeError("Weekly_Schedule is not 7 days");
  return value.map((day) => fromWireEvents(day));
}

function toWirePeriod(period: ExceptionPeriod): unknown {
  switch (period.kind) {
    case "date":
      return { type: ApplicationTag.DATE, value: rawDate(period.date) };
    case "range":
      return {
        type: ApplicationTag.DATERANGE,
        value: [
          { type: ApplicationTag.DATE, value: rawDate(period.from) },
          { type: ApplicationTag.DATE, value: rawDate(period.to) },
        ],
      };
    case "weekNDay":
      return {
        type: ApplicationTag.WEEKNDAY,
        value: { month: period.month, week: period.week, wday: period.wday },
      };
  }
}

function fromWirePeriod(value: unknown): ExceptionPeriod {
  const v = value as { type?: number; value?: unknown };
  if (v?.type === ApplicationTag.DATERANGE && Array.isArray(v.value) && v.value.length === 2) {
    return { kind: "range", from: fromWireDate(v.value[0]), to: fromWireDate(v.value[1]) };
  }
  if (v?.type === ApplicationTag.WEEKNDAY) {
    const w = v.value as { month: number; week: number; wday: number };
    return { kind: "weekNDay", month: w.month, week: w.week, wday: w.wday };
  }
  if (v?.type === ApplicationTag.DATE) return { kind: "date", date: fromWireDate(v) };
  throw new TypeError("an exception period is neither a date, a date range nor a WeekNDay");
}

export function toWireExceptions(schedule: Pick<DeviceSchedule, "exceptions" | "valueType">): unknown[] {
  return schedule.exceptions.map((e) => ({
    date: toWirePeriod(e.period),
    events: toWireEvents(e.events, schedule.valueType),
    priority: e.priority,
  }));
}

export function fromWireExceptions(value: unknown): SpecialEvent[] {
  if (!Array.isArray(value)) throw new TypeError("Exception_Schedule is not a list");
  return value.map((e: { date: unknown; events: unknown; priority: unknown }) => {
    const p = e.priority as { value?: unknown } | number;
    const priority = typeof p === "number" ? p : Number(p?.value);
    return { period: fromWirePeriod(e.date), events: fromWireEvents(e.events), priority };
  });
}

export function toWireEffectivePeriod(period: DeviceSchedule["effectivePeriod"]): unknown[] {
  return [rawDate(period.from), rawDate(period.to)];
}

export function fromWireEffectivePeriod(value: unknown): DeviceSchedule["effectivePeriod"] {
  if (!Array.isArray(value) || value.length !== 2) throw new TypeError("Effective_Period is not two dates");
  return { from: fromWireDate(value[0]), to: fromWireDate(value[1]) };
}

export function toWireDateList(entries: readonly CalendarEntry[]): unknown[] {
  return entries.map((entry) => toWirePeriod(entry));
}

export function fromWireDateList(value: unknown): CalendarEntry[] {
  if (!Array.isArray(value)) throw new TypeError("Date_List is not a list");
  return value.map((entry) => fromWirePeriod(entry));
}
