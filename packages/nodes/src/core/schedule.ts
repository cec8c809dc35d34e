/**
 * The weekly schedule's data and its one evaluation: the `weekly_schedule` executor computes its outputs
 * with `scheduleAt`, and the Designer's schedule editor lists the coming changes with `nextTransitions`,
 * so what the editor promises is what the controller does.
 */
import { z } from "zod";
import { isValidTimeZone, type LocalTime, localTime } from "./local-time";

const TIME = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const DATE = /^(\d{4}-)?(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
export const SCHEDULE_DAYS = [
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
  "sunday",
] as const;
export type ScheduleDay = (typeof SCHEDULE_DAYS)[number];

const ValueSchema = z.union([z.number(), z.boolean()]);

export const PeriodSchema = z
  .object({
    start: z.string().regex(TIME, "use HH:MM").describe("Local time the period starts, HH:MM"),
    end: z.string().regex(TIME, "use HH:MM (24:00 for midnight)").describe("Local time it ends (exclusive)"),
    value: ValueSchema.default(true).describe("Output during the period"),
  })
  .refine((p) => minutesOf(p.start) < minutesOf(p.end), {
    message: "start must be before end (split a period that crosses midnight in two)",
  });
export type SchedulePeriod = z.infer<typeof PeriodSchema>;

export const ExceptionSchema = z.object({
  name: z.string().max(100).default("").describe("e.g. Christmas"),
  date: z.string().regex(DATE, "use YYYY-MM-DD, or MM-DD for every year").describe("First day"),
  end_date: z.string().regex(DATE).nullable().default(null).describe("Last day (inclusive); null: one day"),
  periods: z
    .array(PeriodSchema)
    .max(24)
    .default([])
    .describe("Replace the weekday's periods; empty: a holiday"),
});
export type ScheduleException = z.infer<typeof ExceptionSchema>;

export const ScheduleConfigSchema = z
  .object({
    timezone: z.string().max(64).default("UTC").describe("IANA time zone, e.g. Europe/Paris"),
    default_value: ValueSchema.default(false).describe("Output outside every period"),
    ...(Object.fromEntries(
      SCHEDULE_DAYS.map((d) => [d, z.array(PeriodSchema).max(24).default([])]),
    ) as Record<ScheduleDay, z.ZodDefault<z.ZodArray<typeof PeriodSchema>>>),
    exceptions: z.array(ExceptionSchema).max(500).default([]),
  })
  .refine((c) => isValidTimeZone(c.timezone), { message: "unknown time zone", path: ["timezone"] });
export type ScheduleConfig = z.infer<typeof ScheduleConfigSchema>;

export function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** A comparable day number; an MM-DD date (every year) takes the year being tested. */
function dayKey(date: string, year: number): number {
  const [y, m, d] = date.length === 5 ? [year, date.slice(0, 2), date.slice(3)] : date.split("-");
  return Number(y) * 10_000 + Number(m) * 100 + Number(d);
}

function matches(exception: ScheduleException, t: LocalTime): boolean {
  const today = t.year * 10_000 + t.month * 100 + t.day;
  const start = dayKey(exception.date, t.year);
  const end = exception.end_date === null ? start : dayKey(exception.end_date, t.year);
  if (start <= end) return today >= start && today <= end;
  // A yearly range across New Year (12-24 to 01-02).
  return today >= start || today <= end;
}

export interface ScheduleState {
  value: number | boolean;
  inPeriod: boolean;
  /** The name (or first date) of the exception in force; "" when none. */
  exception: string;
}

function periodsAt(config: ScheduleConfig, t: LocalTime) {
  const exception = config.exceptions.find((e) => matches(e, t));
  const periods: readonly SchedulePeriod[] = exception
    ? exception.periods
    : config[SCHEDULE_DAYS[t.weekday]!];
  return { exception, periods };
}

/** What the schedule outputs at an instant. */
export function scheduleAt(config: ScheduleConfig, epochMs: number): ScheduleState {
  const t = localTime(epochMs, config.timezone);
  const { exception, periods } = periodsAt(config, t);
  const active = periods.find((p) => t.minutes >= minutesOf(p.start) && t.minutes < minutesOf(p.end));
  return {
    value: active ? active.value : config.default_value,
    inPeriod: active !== undefined,
    exception: exception ? exception.name || exception.date : "",
  };
}

export interface ScheduleTransition extends ScheduleState {
  /** When the output changes (ms since epoch). */
  at: number;
}

const MINUTE = 60_000;

/**
 * The next `count` changes of the schedule's output value after `fromMs`, looking at most `horizonDays`
 * ahead. It jumps from one local period boundary (or midnight, where exceptions begin and end) to the
 * next, and where the clock shifts under a jump (daylight saving) it bisects to the exact minute.
 */
export function nextTransitions(
  config: ScheduleConfig,
  fromMs: number,
  count = 5,
  horizonDays = 400,
): ScheduleTransition[] {
  const out: ScheduleTransition[] = [];
  const until = fromMs + horizonDays * 86_400_000;
  let t = fromMs;
  let current = scheduleAt(config, t);
  while (out.length < count && t < until) {
    const local = localTime(t, config.timezone);
    const { periods } = periodsAt(config, local);
    let next = 1440;
    for (const p of periods) {
      for (const m of [minutesOf(p.start), minutesOf(p.end)]) if (m > local.minutes && m < next) next = m;
    }
    // Local time is read to the second: step from t's whole second so a boundary lands on its minute.
    const base = t - (((t % 1000) + 1000) % 1000);
    let hi = base + Math.round((next - local.minutes) * MINUTE);
    const state = scheduleAt(config, hi);
    if (state.value !== current.value) {
      let lo = t;
      for (;;) {
        const k = Math.floor((hi - lo) / MINUTE / 2);
        if (k === 0) break;
        const mid = hi - k * MINUTE;
        if (scheduleAt(config, mid).value !== current.value) hi = mid;
        else lo = mid;
      }
      const found = scheduleAt(config, hi);
      out.push({ at: hi, ...found });
      current = found;
    }
    t = hi;
  }
  return out;
}
