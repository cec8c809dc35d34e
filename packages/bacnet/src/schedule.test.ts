import { ApplicationTag } from "@bacnet-js/client";
import { describe, expect, it } from "vitest";
import {
  calendarActive,
  type DeviceSchedule,
  evaluateSchedule,
  scheduleProblems,
  upcomingChanges,
} from "./schedule";
import {
  fromWireEffectivePeriod,
  fromWireExceptions,
  fromWireWeekly,
  rawDate,
  toWireEffectivePeriod,
  toWireExceptions,
  toWireWeekly,
} from "./schedule-wire";

const office = (): DeviceSchedule => ({
  weekly: [0, 1, 2, 3, 4]
    .map(() => [
      { time: "07:00", value: 1 },
      { time: "18:00", value: 0 },
    ])
    .concat([[], []]),
  exceptions: [
    { period: { kind: "date", date: "2026-12-25" }, events: [{ time: "00:00", value: 0 }], priority: 1 },
    {
      period: { kind: "range", from: "2026-12-07", to: "2026-12-11" },
      events: [
        { time: "10:00", value: 1 },
        { time: "12:00", value: null },
      ],
      priority: 10,
    },
  ],
  effectivePeriod: { from: "*", to: "*" },
  scheduleDefault: 0,
  valueType: "enumerated",
});

describe("schedule evaluation", () => {
  it("follows the weekly schedule, the default before the first entry, and weekends", () => {
    const s = office();
    // 2026-12-01 is a Tuesday.
    expect(evaluateSchedule(s, new Date(2026, 11, 1, 6, 59))).toEqual({ value: 0, source: "default" });
    expect(evaluateSchedule(s, new Date(2026, 11, 1, 7, 0))).toEqual({ value: 1, source: "weekly" });
    expect(evaluateSchedule(s, new Date(2026, 11, 1, 18, 0)).value).toBe(0);
    expect(evaluateSchedule(s, new Date(2026, 11, 5, 12, 0))).toEqual({ value: 0, source: "default" });
  });

  it("lets an exception win by priority, and a NULL hand back to the weekly schedule", () => {
    const s = office();
    expect(evaluateSchedule(s, new Date(2026, 11, 25, 12, 0))).toMatchObject({
      value: 0,
      source: "exception",
    });
    // Saturday 2026-12-12 is outside the range; Monday 12-07 06:00 is before the exception's first entry.
    expect(evaluateSchedule(s, new Date(2026, 11, 7, 6, 0))).toEqual({ value: 0, source: "default" });
    expect(evaluateSchedule(s, new Date(2026, 11, 7, 10, 30))).toMatchObject({
      value: 1,
      source: "exception",
    });
    expect(evaluateSchedule(s, new Date(2026, 11, 7, 12, 30))).toEqual({ value: 1, source: "weekly" });
  });

  it("holds the default outside the effective period", () => {
    const s = { ...office(), effectivePeriod: { from: "2027-01-01", to: "*" } };
    expect(evaluateSchedule(s, new Date(2026, 11, 1, 12, 0)).source).toBe("outside-effective-period");
  });

  it("lists the next changes consistently with the evaluation", () => {
    const changes = upcomingChanges(office(), new Date(2026, 11, 4, 12, 0), 3);
    expect(changes.map((c) => [c.at.getDate(), c.at.getHours(), c.value])).toEqual([
      [4, 18, 0],
      [7, 7, 1],
      [7, 18, 0],
    ]);
  });

  it("matches calendar entries (WeekNDay: last Monday of May)", () => {
    const memorial = { kind: "weekNDay" as const, month: 5, week: 6, wday: 1 };
    expect(calendarActive([memorial], new Date(2026, 4, 25))).toBe(true);
    expect(calendarActive([memorial], new Date(2026, 4, 18))).toBe(false);
  });

  it("reports bad entries with paths", () => {
    const s = office();
    s.weekly[0] = [{ time: "25:00", value: 1 }];
    s.exceptions[0] = { ...s.exceptions[0]!, priority: 0 };
    expect(scheduleProblems(s).map((p) => p.path)).toEqual(["weekly[0][0].time", "exceptions[0].priority"]);
  });
});

describe("schedule wire shapes", () => {
  it("round-trips weekly, exception and effective-period shapes, wildcards included", () => {
    const s = office();
    const weekly = toWireWeekly(s) as { time: Date; value: { type: number; value: unknown } }[][];
    expect(weekly[0]![0]!.value).toEqual({ type: ApplicationTag.ENUMERATED, value: 1 });
    expect(fromWireWeekly(weekly)).toEqual(s.weekly);
    const exceptions = toWireExceptions(s) as { date: { type: number; value: unknown } }[];
    const decodedShape = exceptions.map((e) => ({
      ...e,
      date:
        e.date.type === ApplicationTag.DATE
          ? { ...e.date, raw: e.date.value, value: new Date(2026, 11, 25) }
          : {
              ...e.date,
              value: (e.date.value as { value: unknown }[]).map((d) => ({ ...d, raw: d.value })),
            },
    }));
    expect(fromWireExceptions(decodedShape)).toEqual(s.exceptions);
    const period = toWireEffectivePeriod({ from: "*", to: "2030-06-30" });
    expect(period[0]).toEqual({ year: 255, month: 255, day: 255, wday: 255 });
    expect(fromWireEffectivePeriod(period.map((raw) => ({ value: new Date(0), raw })))).toEqual({
      from: "*",
      to: "2030-06-30",
    });
  });

  it("refuses dates BACnet cannot carry", () => {
    expect(() => rawDate("2155-01-01")).toThrow(RangeError);
    expect(() => rawDate("2026-02-30")).toThrow(RangeError);
    expect(rawDate("2026-12-01")).toEqual({ year: 126, month: 12, day: 1, wday: 2 });
  });
});
