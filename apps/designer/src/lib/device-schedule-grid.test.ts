import type { DeviceSchedule } from "@bms/bacnet/schedule";
import { describe, expect, it } from "vitest";
import {
  deviceToGrid,
  gridToDevice,
  periodsToTransitions,
  transitionsToPeriods,
} from "./device-schedule-grid";

const schedule: DeviceSchedule = {
  weekly: [
    [
      { time: "07:00", value: 1 },
      { time: "18:00", value: 0 },
    ],
    [
      { time: "07:00", value: 1 },
      { time: "12:00", value: null },
      { time: "13:00", value: 1 },
      { time: "17:00", value: null },
    ],
    [],
    [],
    [],
    [],
    [],
  ],
  exceptions: [
    { period: { kind: "date", date: "2026-12-25" }, events: [{ time: "00:00", value: 0 }], priority: 1 },
    { period: { kind: "weekNDay", month: 5, week: 6, wday: 1 }, events: [], priority: 2 },
  ],
  effectivePeriod: { from: "*", to: "*" },
  scheduleDefault: 0,
  valueType: "enumerated",
};

describe("a device schedule in the week grid", () => {
  it("shows transitions as periods, NULL ending one, and the day's last entry running to midnight", () => {
    expect(transitionsToPeriods(schedule.weekly[0]!)).toEqual([
      { start: "07:00", end: "18:00", value: 1 },
      { start: "18:00", end: "24:00", value: 0 },
    ]);
    expect(transitionsToPeriods(schedule.weekly[1]!)).toEqual([
      { start: "07:00", end: "12:00", value: 1 },
      { start: "13:00", end: "17:00", value: 1 },
    ]);
  });

  it("round-trips a device schedule through the grid, keeping what the grid cannot draw", () => {
    const grid = deviceToGrid(schedule);
    expect(grid.kept).toHaveLength(1);
    expect(grid.exceptions).toEqual([
      { date: "2026-12-25", periods: [{ start: "00:00", end: "24:00", value: 0 }], priority: 1 },
    ]);
    expect(gridToDevice(grid, schedule)).toEqual(schedule);
  });

  it("writes on/off periods as BACnet 1/0 and closes a period before a gap", () => {
    expect(
      periodsToTransitions([
        { start: "08:00", end: "10:00", value: true },
        { start: "12:00", end: "24:00" },
      ]),
    ).toEqual([
      { time: "08:00", value: 1 },
      { time: "10:00", value: null },
      { time: "12:00", value: 1 },
    ]);
  });
});
