import { describe, expect, it } from "vitest";
import { nodeRunner } from "../testing/node-runner";
import { weeklySchedule } from "./weekly-schedule";

const OFFICE = {
  timezone: "Europe/Paris",
  default_value: false,
  monday: [{ start: "07:00", end: "19:00" }],
  tuesday: [
    { start: "07:00", end: "12:00" },
    { start: "13:00", end: "24:00", value: true },
  ],
  sunday: [{ start: "00:00", end: "24:00" }],
  exceptions: [
    { name: "Christmas", date: "12-25" },
    { name: "Shutdown", date: "2026-08-10", end_date: "2026-08-14" },
    { name: "Open day", date: "2026-03-07", periods: [{ start: "10:00", end: "16:00" }] },
    { name: "Winter break", date: "12-30", end_date: "01-02" },
  ],
};

describe("weekly_schedule", () => {
  // Paris is UTC+1 in winter, UTC+2 from the last Sunday of March.
  const cases: [string, string, boolean, string][] = [
    ["Monday 06:59 local is before the period", "2026-03-02T05:59:00Z", false, ""],
    ["Monday 07:00 local starts it (inclusive)", "2026-03-02T06:00:00Z", true, ""],
    ["Monday 18:59:59 local is inside", "2026-03-02T17:59:59Z", true, ""],
    ["Monday 19:00 local ends it (exclusive)", "2026-03-02T18:00:00Z", false, ""],
    ["Tuesday lunch gap", "2026-03-03T11:30:00Z", false, ""],
    ["Tuesday 23:59 local, period to 24:00", "2026-03-03T22:59:00Z", true, ""],
    ["Wednesday has no periods", "2026-03-04T10:00:00Z", false, ""],
    ["Saturday open-day exception", "2026-03-07T10:00:00Z", true, "Open day"],
    ["Open-day exception outside its period", "2026-03-07T16:00:00Z", false, "Open day"],
    ["Christmas every year, even on a Monday", "2028-12-25T10:00:00Z", false, "Christmas"],
    ["shutdown range, last day inclusive", "2026-08-14T10:00:00Z", false, "Shutdown"],
    ["day after the shutdown", "2026-08-17T10:00:00Z", true, ""],
    [
      "yearly range across New Year (Jan 1 is a Monday in 2029)",
      "2029-01-01T10:00:00Z",
      false,
      "Winter break",
    ],
    ["DST day: Sunday 29 March 2026 all day", "2026-03-29T21:30:00Z", true, ""],
    ["Monday after DST: 07:00 local is 05:00 UTC", "2026-03-30T05:00:00Z", true, ""],
    ["Monday after DST: 04:59 UTC is 06:59 local", "2026-03-30T04:59:00Z", false, ""],
  ];
  it.each(cases)("%s", (_name, iso, occupied, exception) => {
    const out = nodeRunner(weeklySchedule, OFFICE, { start: Date.parse(iso) }).run();
    expect(out.value?.value).toBe(occupied);
    expect(out.exception?.value).toBe(exception);
  });

  it("outputs the period's value and the default outside, numbers too", () => {
    const config = { default_value: 16, monday: [{ start: "08:00", end: "18:00", value: 21 }] };
    expect(
      nodeRunner(weeklySchedule, config, { start: Date.parse("2026-03-02T09:00:00Z") }).run().value?.value,
    ).toBe(21);
    expect(
      nodeRunner(weeklySchedule, config, { start: Date.parse("2026-03-02T19:00:00Z") }).run().value?.value,
    ).toBe(16);
  });

  const invalid: [string, Record<string, unknown>][] = [
    ["unknown time zone", { timezone: "Nowhere/City" }],
    ["start after end", { monday: [{ start: "19:00", end: "07:00" }] }],
    ["bad time", { monday: [{ start: "7am", end: "19:00" }] }],
    ["25:00", { monday: [{ start: "07:00", end: "25:00" }] }],
    ["bad date", { exceptions: [{ date: "2026-13-01" }] }],
  ];
  it.each(invalid)("refuses %s", (_name, config) => {
    expect(weeklySchedule.config.safeParse(config).success).toBe(false);
  });
});
