import { describe, expect, it } from "vitest";
import { nextTransitions, ScheduleConfigSchema, scheduleAt } from "./schedule";

const OFFICE = ScheduleConfigSchema.parse({
  timezone: "Europe/Paris",
  monday: [{ start: "07:00", end: "19:00" }],
  tuesday: [
    { start: "07:00", end: "12:00" },
    { start: "13:00", end: "24:00" },
  ],
  wednesday: [{ start: "00:00", end: "08:00" }],
  saturday: [{ start: "02:30", end: "03:30" }],
  sunday: [{ start: "02:30", end: "04:00", value: true }],
  exceptions: [{ name: "Shutdown", date: "2026-03-04", end_date: "2026-03-05" }],
});

const iso = (ms: number) => new Date(ms).toISOString();

describe("schedule transitions (the same evaluation the node runs)", () => {
  const cases: [string, Record<string, unknown>, string, number, [string, boolean | number, string][]][] = [
    [
      "a week in Paris winter time (UTC+1), from mid-Monday, exception days skipped",
      {},
      "2026-03-02T10:17:42.250Z",
      5,
      [
        ["2026-03-02T18:00:00.000Z", false, ""],
        ["2026-03-03T06:00:00.000Z", true, ""],
        ["2026-03-03T11:00:00.000Z", false, ""],
        ["2026-03-03T12:00:00.000Z", true, ""],
        // Tuesday's period ends at 24:00 and Wednesday 00:00 starts another, but the 4th is a shutdown.
        ["2026-03-03T23:00:00.000Z", false, "Shutdown"],
      ],
    ],
    [
      "spring forward: Sunday 29 March 02:30 does not exist, the period starts at 03:00 local (01:00Z)",
      {},
      "2026-03-28T12:00:00Z",
      3,
      [
        ["2026-03-29T01:00:00.000Z", true, ""],
        ["2026-03-29T02:00:00.000Z", false, ""],
        ["2026-03-30T05:00:00.000Z", true, ""],
      ],
    ],
    [
      "numbers: a setpoint schedule",
      { timezone: "UTC", default_value: 16, thursday: [{ start: "08:00", end: "18:00", value: 21 }] },
      "2026-03-02T00:00:00Z",
      2,
      [
        ["2026-03-05T08:00:00.000Z", 21, ""],
        ["2026-03-05T18:00:00.000Z", 16, ""],
      ],
    ],
  ];
  it.each(cases)("%s", (_name, patch, from, count, expected) => {
    const config = Object.keys(patch).length ? ScheduleConfigSchema.parse(patch) : OFFICE;
    const found = nextTransitions(config, Date.parse(from), count);
    expect(found.map((t) => [iso(t.at), t.value, t.exception])).toEqual(expected);
    // Each transition is real: the output differs one minute before and equals the new value at it.
    for (const t of found) {
      expect(scheduleAt(config, t.at).value).toBe(t.value);
      expect(scheduleAt(config, t.at - 60_000).value).not.toBe(t.value);
    }
  });

  it("an empty schedule never changes, and the search stops at its horizon", () => {
    const started = performance.now();
    expect(nextTransitions(ScheduleConfigSchema.parse({}), Date.parse("2026-01-01T00:00:00Z"))).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("a yearly exception across New Year is found", () => {
    const config = ScheduleConfigSchema.parse({
      timezone: "UTC",
      ...Object.fromEntries(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"].map((d) => [
          d,
          [{ start: "00:00", end: "24:00" }],
        ]),
      ),
      exceptions: [{ name: "Winter break", date: "12-30", end_date: "01-02" }],
    });
    const [first, second] = nextTransitions(config, Date.parse("2026-12-01T00:00:00Z"), 2);
    expect([iso(first!.at), first!.exception]).toEqual(["2026-12-30T00:00:00.000Z", "Winter break"]);
    expect(iso(second!.at)).toBe("2027-01-03T00:00:00.000Z");
  });
});
