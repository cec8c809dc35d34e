// A device's Schedule object (clause 12.24) as the product handles it: plain JSON the API, the
// Designer's week grid and the simulator share, and the evaluation rules of 12.24.4/12.24.8 so the
// simulator's Present_Value and the Designer's "what happens next" come from one implementation.
// No sockets and no library shapes here; the wire conversion lives next to each side's codec.

/** "HH:MM" or "HH:MM:SS", device local time. */
export type ClockTime = string;
/** "YYYY-MM-DD", or "*" for the BACnet unspecified date (any date). */
export type CalendarDate = string;

/** A scheduled value: a number for REAL/Unsigned/Enumerated (binary: 0/1), null = relinquish. */
export interface TimeValue {
  time: ClockTime;
  value: number | null;
}

/** The period of a BACnetSpecialEvent; calendar references name a Calendar object on the same device. */
export type ExceptionPeriod =
  | { kind: "date"; date: CalendarDate }
  | { kind: "range"; from: CalendarDate; to: CalendarDate }
  /** month 1..12 (13 odd, 14 even, 255 any), week 1..5 (6 last 7 days, 255 any), wday 1=Mon..7 (255 any). */
  | { kind: "weekNDay"; month: number; week: number; wday: number };

export interface SpecialEvent {
  period: ExceptionPeriod;
  events: TimeValue[];
  /** 1 (highest) .. 16. */
  priority: number;
}

/** The application tag of the scheduled values: what the schedule writes to its targets. */
export type ScheduleValueType = "real" | "enumerated" | "unsigned";

export interface DeviceSchedule {
  /** Monday first, as Weekly_Schedule's array is (element 1 = Monday .. 7 = Sunday). */
  weekly: TimeValue[][];
  exceptions: SpecialEvent[];
  effectivePeriod: { from: CalendarDate; to: CalendarDate };
  scheduleDefault: number | null;
  valueType: ScheduleValueType;
}

/** A calendar entry of a Calendar object's Date_List (same shapes as an exception period). */
export type CalendarEntry = ExceptionPeriod;

export const WILDCARD = 255;
export const DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

export function timeToSeconds(time: ClockTime): number {
  const match = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(time);
  if (!match) throw new RangeError(`not a time of day: ${JSON.stringify(time)}`);
  const [h, m, s] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
  if (h > 23 || m > 59 || s > 59) throw new RangeError(`not a time of day: ${JSON.stringify(time)}`);
  return h * 3600 + m * 60 + s;
}

export function isClockTime(time: string): boolean {
  try {
    timeToSeconds(time);
    return true;
  } catch {
    return false;
  }
}

const pad = (n: number) => String(n).padStart(2, "0");

export function secondsToTime(seconds: number): ClockTime {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return s === 0 ? `${pad(h)}:${pad(m)}` : `${pad(h)}:${pad(m)}:${pad(s)}`;
}

/** The local calendar date of a Date, as "YYYY-MM-DD". */
export function localDate(at: Date): CalendarDate {
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

/** Monday = 0 .. Sunday = 6 (the Weekly_Schedule index). */
export function weekdayIndex(at: Date): number {
  return (at.getDay() + 6) % 7;
}

function dateInRange(day: CalendarDate, from: CalendarDate, to: CalendarDate): boolean {
  // ISO dates compare as strings; "*" is open on that side.
  return (from === "*" || day >= from) && (to === "*" || day <= to);
}

/** Does a date-shaped period (date, range, WeekNDay) include the local day of `at`? */
export function periodMatches(period: ExceptionPeriod, at: Date): boolean {
  const day = localDate(at);
  switch (period.kind) {
    case "date":
      return period.date === "*" || period.date === day;
    case "range":
      return dateInRange(day, period.from, period.to);
    case "weekNDay": {
      const month = at.getMonth() + 1;
      const monthOk =
        period.month === WILDCARD ||
        period.month === month ||
        (period.month === 13 && month % 2 === 1) ||
        (period.month === 14 && month % 2 === 0);
      const dom = at.getDate();
      const daysInMonth = new Date(at.getFullYear(), at.getMonth() + 1, 0).getDate();
      const weekOk =
        period.week === WILDCARD ||
        (period.week >= 1 && period.week <= 5 && Math.ceil(dom / 7) === period.week) ||
        (period.week === 6 && dom > daysInMonth - 7);
      const wdayOk = period.wday === WILDCARD || period.wday === weekdayIndex(at) + 1;
      return monthOk && weekOk && wdayOk;
    }
  }
}

/** The value of a day's time-value list at a time of day: the last entry at or before it. */
function dayValue(events: readonly TimeValue[], seconds: number): { found: boolean; value: number | null } {
  let best: { at: number; value: number | null } | undefined;
  for (const tv of events) {
    const at = timeToSeconds(tv.time);
    if (at <= seconds && (!best || at >= best.at)) best = { at, value: tv.value };
  }
  return best ? { found: true, value: best.value } : { found: false, value: null };
}

export interface ScheduleState {
  value: number | null;
  /** Where the value comes from: an exception (with its priority), the weekly schedule or the default. */
  source: "exception" | "weekly" | "default" | "outside-effective-period";
  priority?: number;
}

/**
 * Present_Value at a moment (clause 12.24.4, revision 14 rules): outside the effective period the
 * schedule is inactive and holds Schedule_Default; otherwise the highest-priority exception whose
 * period includes today and which has a non-NULL value in force; otherwise the weekly schedule's
 * entry in force; a NULL (relinquish) or no entry yet today falls back to Schedule_Default.
 */
export function evaluateSchedule(schedule: DeviceSchedule, at: Date): ScheduleState {
  const day = localDate(at);
  const { from, to } = schedule.effectivePeriod;
  if (!dateInRange(day, from, to)) {
    return { value: schedule.scheduleDefault, source: "outside-effective-period" };
  }
  const seconds = at.getHours() * 3600 + at.getMinutes() * 60 + at.getSeconds();
  const applicable = schedule.exceptions
    .filter((e) => periodMatches(e.period, at))
    .sort((a, b) => a.priority - b.priority);
  for (const exception of applicable) {
    const v = dayValue(exception.events, seconds);
    if (v.found && v.value !== null)
      return { value: v.value, source: "exception", priority: exception.priority };
  }
  const weekly = dayValue(schedule.weekly[weekdayIndex(at)] ?? [], seconds);
  if (weekly.found && weekly.value !== null) return { value: weekly.value, source: "weekly" };
  return { value: schedule.scheduleDefault, source: "default" };
}

export interface ScheduleChange {
  at: Date;
  value: number | null;
  source: ScheduleState["source"];
}

/**
 * The next `count` moments within `horizonDays` where Present_Value changes, found by evaluating the
 * schedule at every time any entry names (and at midnight), so it agrees with evaluateSchedule by
 * construction.
 */
export function upcomingChanges(
  schedule: DeviceSchedule,
  from: Date,
  count = 5,
  horizonDays = 14,
): ScheduleChange[] {
  const times = new Set<number>([0]);
  for (const day of schedule.weekly) for (const tv of day) times.add(timeToSeconds(tv.time));
  for (const e of schedule.exceptions) for (const tv of e.events) times.add(timeToSeconds(tv.time));
  const sorted = [...times].sort((a, b) => a - b);
  const changes: ScheduleChange[] = [];
  let current = evaluateSchedule(schedule, from);
  const start = new Date(from.getFullYear(), from.getMonth(), from.getDate());
  for (let d = 0; d <= horizonDays && changes.length < count; d++) {
    for (const seconds of sorted) {
      const at = new Date(start.getFullYear(), start.getMonth(), start.getDate() + d, 0, 0, seconds);
      if (at <= from) continue;
      const state = evaluateSchedule(schedule, at);
      if (state.value !== current.value) {
        changes.push({ at, value: state.value, source: state.source });
        if (changes.length >= count) break;
      }
      current = state;
    }
  }
  return changes;
}

/** Calendar Present_Value (clause 12.9): true when any Date_List entry includes today. */
export function calendarActive(dateList: readonly CalendarEntry[], at: Date): boolean {
  return dateList.some((entry) => periodMatches(entry, at));
}

/** Problems with a schedule a client wants to write, as {path, message}; empty when it is sound. */
export function scheduleProblems(schedule: DeviceSchedule): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (schedule.weekly.length !== 7) {
    problems.push({ path: "weekly", message: "a week has 7 days, Monday first" });
  }
  const checkEvents = (events: readonly TimeValue[], path: string) => {
    const seen = new Set<number>();
    events.forEach((tv, i) => {
      if (!isClockTime(tv.time)) {
        problems.push({ path: `${path}[${i}].time`, message: "not a time of day (HH:MM)" });
        return;
      }
      const s = timeToSeconds(tv.time);
      if (seen.has(s)) problems.push({ path: `${path}[${i}].time`, message: "two entries at the same time" });
      seen.add(s);
      if (tv.value !== null && !Number.isFinite(tv.value)) {
        problems.push({ path: `${path}[${i}].value`, message: "not a number" });
      }
    });
  };
  schedule.weekly.forEach((day, d) => {
    checkEvents(day, `weekly[${d}]`);
  });
  schedule.exceptions.forEach((e, i) => {
    checkEvents(e.events, `exceptions[${i}].events`);
    if (!Number.isInteger(e.priority) || e.priority < 1 || e.priority > 16) {
      problems.push({ path: `exceptions[${i}].priority`, message: "priority is 1..16" });
    }
  });
  return problems;
}

/** Object types and property ids of Schedule and Calendar objects (clauses 12.9 and 12.24). */
export const SCHEDULE_OBJECTS = { calendar: 6, schedule: 17 } as const;
export const SCHEDULE_PROPERTIES = {
  dateList: 23,
  effectivePeriod: 32,
  exceptionSchedule: 38,
  listOfObjectPropertyReferences: 54,
  priorityForWriting: 88,
  weeklySchedule: 123,
  scheduleDefault: 174,
} as const;
