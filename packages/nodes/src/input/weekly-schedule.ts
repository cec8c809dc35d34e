import { z } from "zod";
import { isValidTimeZone, type LocalTime, localTime } from "../core/local-time";
import { defineNode } from "../core/types";

const TIME = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const DATE = /^(\d{4}-)?(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;

const ValueSchema = z.union([z.number(), z.boolean()]);

const PeriodSchema = z
  .object({
    start: z.string().regex(TIME, "use HH:MM").describe("Local time the period starts, HH:MM"),
    end: z.string().regex(TIME, "use HH:MM (24:00 for midnight)").describe("Local time it ends (exclusive)"),
    value: ValueSchema.default(true).describe("Output during the period"),
  })
  .refine((p) => minutesOf(p.start) < minutesOf(p.end), {
    message: "start must be before end (split a period that crosses midnight in two)",
  });
type Period = z.infer<typeof PeriodSchema>;

const ExceptionSchema = z.object({
  name: z.string().max(100).default("").describe("e.g. Christmas"),
  date: z.string().regex(DATE, "use YYYY-MM-DD, or MM-DD for every year").describe("First day"),
  end_date: z.string().regex(DATE).nullable().default(null).describe("Last day (inclusive); null: one day"),
  periods: z
    .array(PeriodSchema)
    .max(24)
    .default([])
    .describe("Replace the weekday's periods; empty: a holiday"),
});
type Exception = z.infer<typeof ExceptionSchema>;

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** A comparable day number; an MM-DD date (every year) takes the year being tested. */
function dayKey(date: string, year: number): number {
  const [y, m, d] = date.length === 5 ? [year, date.slice(0, 2), date.slice(3)] : date.split("-");
  return Number(y) * 10_000 + Number(m) * 100 + Number(d);
}

function matches(exception: Exception, t: LocalTime): boolean {
  const today = t.year * 10_000 + t.month * 100 + t.day;
  const start = dayKey(exception.date, t.year);
  const end = exception.end_date === null ? start : dayKey(exception.end_date, t.year);
  if (start <= end) return today >= start && today <= end;
  // A yearly range across New Year (12-24 to 01-02).
  return today >= start || today <= end;
}

export const weeklySchedule = defineNode({
  type: "weekly_schedule",
  version: 1,
  category: "input",
  label: "Weekly Schedule",
  icon: "calendar-clock",
  description:
    "Occupancy (or any scheduled value) from time periods per weekday in a time zone, like a BACnet " +
    "Schedule object. A period is active from `start` up to but not including `end` (24:00 = midnight). " +
    "Exceptions (holidays, special events) are checked first, in the order listed: a matching date or " +
    "date range replaces that day's periods, and an exception without periods is a holiday (default value " +
    "all day). MM-DD dates recur every year. Outside every period the output is `default_value`. Time comes " +
    "from the scan clock, converted with the time-zone database, so daylight-saving days are handled. The " +
    "node has no inputs, so there is no bad input; its outputs are always good.",
  inputs: [],
  outputs: [
    { name: "value", type: "any", label: "Value" },
    { name: "in_period", type: "boolean", label: "In a period" },
    { name: "exception", type: "string", label: "Exception", description: "Name of the exception in force" },
  ],
  config: z
    .object({
      timezone: z.string().max(64).default("UTC").describe("IANA time zone, e.g. Europe/Paris"),
      default_value: ValueSchema.default(false).describe("Output outside every period"),
      ...(Object.fromEntries(DAYS.map((d) => [d, z.array(PeriodSchema).max(24).default([])])) as Record<
        (typeof DAYS)[number],
        z.ZodDefault<z.ZodArray<typeof PeriodSchema>>
      >),
      exceptions: z.array(ExceptionSchema).max(500).default([]),
    })
    .refine((c) => isValidTimeZone(c.timezone), { message: "unknown time zone", path: ["timezone"] }),
  execute(_inputs, config, _state, ctx) {
    const t = localTime(ctx.now, config.timezone);
    const exception = config.exceptions.find((e) => matches(e, t));
    const periods: readonly Period[] = exception ? exception.periods : config[DAYS[t.weekday]!];
    const active = periods.find((p) => t.minutes >= minutesOf(p.start) && t.minutes < minutesOf(p.end));
    const at = (value: number | boolean | string) => ({
      value,
      quality: "good" as const,
      timestamp: ctx.now,
    });
    return {
      value: at(active ? active.value : config.default_value),
      in_period: at(active !== undefined),
      exception: at(exception ? exception.name || exception.date : ""),
    };
  },
  examples: [
    {
      title: "Office hours with Christmas closed",
      config: {
        timezone: "Europe/Paris",
        monday: [{ start: "07:00", end: "19:00" }],
        friday: [{ start: "07:00", end: "17:00" }],
        exceptions: [{ name: "Christmas", date: "12-25" }],
      },
      explanation: "Occupied 07:00–19:00 Monday, 07:00–17:00 Friday, never on 25 December.",
    },
  ],
});
