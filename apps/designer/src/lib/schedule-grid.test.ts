import { describe, expect, it } from "vitest";
import {
  copyDay,
  type GridPeriod,
  parsePeriodValue,
  placePeriod,
  shifted,
  snap,
  toHHMM,
} from "./schedule-grid";

const DAY: GridPeriod[] = [
  { start: "08:00", end: "12:00" },
  { start: "13:00", end: "17:00", value: 21 },
];

describe("week grid arithmetic", () => {
  const placements: [
    string,
    { start: number; end: number; anchor: number },
    number | undefined,
    string | null,
  ][] = [
    [
      "a new evening period",
      { start: 18 * 60, end: 20 * 60, anchor: 18 * 60 },
      undefined,
      "08:00-12:00 13:00-17:00 18:00-20:00",
    ],
    [
      "dragged backwards",
      { start: 20 * 60, end: 18 * 60, anchor: 20 * 60 - 1 },
      undefined,
      "08:00-12:00 13:00-17:00 18:00-20:00",
    ],
    [
      "cut at the next period",
      { start: 11 * 60 + 30, end: 14 * 60, anchor: 12 * 60 + 15 },
      undefined,
      "08:00-12:00 12:00-13:00 13:00-17:00",
    ],
    ["started inside a period: refused", { start: 9 * 60, end: 10 * 60, anchor: 9 * 60 }, undefined, null],
    ["too short", { start: 600 + 120, end: 600 + 125, anchor: 720 }, undefined, null],
    [
      "a period moved later, cut at the day's end",
      { start: 22 * 60, end: 26 * 60, anchor: 22 * 60 },
      1,
      "08:00-12:00 22:00-24:00",
    ],
    ["a period stretched to midnight", { start: 0, end: 12 * 60, anchor: 0 }, 0, "00:00-12:00 13:00-17:00"],
  ];
  it.each(placements)("%s", (_name, draft, replacing, expected) => {
    const placed = placePeriod(DAY, draft, replacing);
    expect(placed === null ? null : placed.map((p) => `${p.start}-${p.end}`).join(" ")).toBe(expected);
  });

  it("keeps a moved period's value", () => {
    expect(placePeriod(DAY, { start: 18 * 60, end: 22 * 60, anchor: 18 * 60 }, 1)?.[1]).toEqual({
      start: "18:00",
      end: "22:00",
      value: 21,
    });
  });

  it.each([
    [7.4 * 60, "07:30"],
    [1439, "24:00"],
    [-5, "00:00"],
  ])("snaps %d minutes to %s", (m, hhmm) => expect(toHHMM(snap(m))).toBe(hhmm));

  it("shifts within the day", () => {
    expect(shifted({ start: "22:00", end: "23:00" }, 180)).toEqual({ start: 23 * 60, end: 24 * 60 });
    expect(shifted({ start: "01:00", end: "02:00" }, -120)).toEqual({ start: 0, end: 60 });
  });

  it("copies a day onto others as separate copies", () => {
    const week = { monday: DAY, tuesday: [], saturday: [] as GridPeriod[] };
    const copied = copyDay(week, "monday", ["monday", "tuesday", "saturday"]);
    expect(Object.keys(copied)).toEqual(["tuesday", "saturday"]);
    expect(copied.tuesday).toEqual(DAY);
    expect(copied.tuesday?.[0]).not.toBe(DAY[0]);
  });

  it.each([
    ["on", true],
    ["false", false],
    ["21.5", 21.5],
    ["warm", undefined],
  ])("reads the value %s", (text, value) => expect(parsePeriodValue(text)).toBe(value));
});
