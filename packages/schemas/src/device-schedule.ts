import { z } from "zod";

// The JSON of a device's Schedule and Calendar objects, as the supervisor's API, the Designer's week
// grid and the simulator's site files exchange them. The shapes match @bms/bacnet's schedule.ts (its
// evaluation and wire conversion); this file is the validation of what comes from outside.

const time = z
  .string()
  .regex(/^([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, "a time of day, HH:MM or HH:MM:SS (device local time)");
const date = z
  .string()
  .regex(/^(\*|\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))$/, 'a date YYYY-MM-DD, or "*" for any date')
  .refine((d) => d === "*" || (Number(d.slice(0, 4)) >= 1900 && Number(d.slice(0, 4)) <= 2154), {
    message: "BACnet dates run from 1900 to 2154",
  });

export const TimeValueSchema = z
  .object({ time, value: z.number().finite().nullable() })
  .strict()
  .describe("From `time` on, the schedule's value is `value`; null relinquishes (back to the default)");

const distinctTimes = (events: { time: string }[]) => {
  const seen = new Set(events.map((e) => e.time.replace(/^(\d):/, "0$1:").replace(/^(\d\d:\d\d)$/, "$1:00")));
  return seen.size === events.length;
};
const DaySchema = z.array(TimeValueSchema).max(48).refine(distinctTimes, "two entries at the same time");

export const ExceptionPeriodSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("date"), date }).strict(),
  z.object({ kind: z.literal("range"), from: date, to: date }).strict(),
  z
    .object({
      kind: z.literal("weekNDay"),
      month: z.union([z.number().int().min(1).max(14), z.literal(255)]),
      week: z.union([z.number().int().min(1).max(6), z.literal(255)]),
      wday: z.union([z.number().int().min(1).max(7), z.literal(255)]),
    })
    .strict(),
]);

export const SpecialEventSchema = z
  .object({
    period: ExceptionPeriodSchema,
    events: DaySchema,
    priority: z.number().int().min(1).max(16),
  })
  .strict();

export const DeviceScheduleSchema = z
  .object({
    weekly: z.array(DaySchema).length(7).describe("Monday first, as BACnet's Weekly_Schedule"),
    exceptions: z.array(SpecialEventSchema).max(64).default([]),
    effectivePeriod: z.object({ from: date, to: date }).strict().default({ from: "*", to: "*" }),
    scheduleDefault: z.number().finite().nullable(),
    valueType: z.enum(["real", "enumerated", "unsigned"]),
  })
  .strict();
export type DeviceScheduleJson = z.infer<typeof DeviceScheduleSchema>;

export const CalendarDateListSchema = z.array(ExceptionPeriodSchema).max(128);

/** A schedule as the API answers it: the content plus what the device does now and next. */
export const DeviceScheduleResponseSchema = z.object({
  device_id: z.number().int(),
  instance: z.number().int(),
  name: z.string(),
  present_value: z.number().nullable(),
  schedule: DeviceScheduleSchema,
  now: z.object({ value: z.number().nullable(), source: z.string() }),
  next: z.array(z.object({ at: z.string(), value: z.number().nullable(), source: z.string() })),
});
export type DeviceScheduleResponse = z.infer<typeof DeviceScheduleResponseSchema>;
