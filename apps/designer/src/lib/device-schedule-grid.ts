import type { DeviceSchedule, SpecialEvent, TimeValue } from "@bms/bacnet/schedule";
import { type GridPeriod, sortPeriods, toMinutes } from "./schedule-grid";

/**
 * A device's BACnet Schedule shown in the week grid the schedule node uses. BACnet stores transitions
 * ("from 07:00 the value is 1"); the grid shows periods ("07:00–18:00: 1"). A period runs from its
 * entry to the next entry of the day or midnight; a NULL entry (relinquish) ends a period and the
 * time without a period is the Schedule_Default. Exceptions the grid cannot draw (WeekNDay, open
 * ranges) are kept as they are and listed read-only.
 */

export const GRID_DAYS = [
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
  "sunday",
] as const;
export type GridDay = (typeof GRID_DAYS)[number];

export interface GridException {
  name?: string;
  date: string;
  end_date?: string | null;
  periods: GridPeriod[];
  /** The BACnet priority (1 highest .. 16); a new exception gets DEFAULT_EXCEPTION_PRIORITY. */
  priority?: number;
}

export const DEFAULT_EXCEPTION_PRIORITY = 10;

export type DeviceGrid = Record<GridDay, GridPeriod[]> & {
  exceptions: GridException[];
  /** Exceptions that stay as the device has them (not drawable as dates). */
  kept: SpecialEvent[];
};

const concrete = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d);

export function transitionsToPeriods(events: readonly TimeValue[]): GridPeriod[] {
  const sorted = [...events].sort((a, b) => toMinutes(a.time) - toMinutes(b.time));
  const periods: GridPeriod[] = [];
  sorted.forEach((tv, i) => {
    if (tv.value === null) return;
    const next = sorted[i + 1];
    periods.push({
      start: tv.time.slice(0, 5),
      end: next ? next.time.slice(0, 5) : "24:00",
      value: tv.value,
    });
  });
  return periods.filter((p) => p.start !== p.end);
}

/** Periods back to transitions; binary grid values (on/off) become BACnet's 1/0. */
export function periodsToTransitions(periods: readonly GridPeriod[]): TimeValue[] {
  const out: TimeValue[] = [];
  const sorted = sortPeriods(periods);
  sorted.forEach((p, i) => {
    const value = p.value === undefined || p.value === true ? 1 : p.value === false ? 0 : p.value;
    out.push({ time: p.start, value });
    const next = sorted[i + 1];
    if (p.end !== "24:00" && (!next || next.start !== p.end)) out.push({ time: p.end, value: null });
  });
  return out;
}

export function deviceToGrid(schedule: DeviceSchedule): DeviceGrid {
  const grid = { exceptions: [], kept: [] } as unknown as DeviceGrid;
  GRID_DAYS.forEach((day, i) => {
    grid[day] = transitionsToPeriods(schedule.weekly[i] ?? []);
  });
  for (const e of schedule.exceptions) {
    const periods = transitionsToPeriods(e.events);
    if (e.period.kind === "date" && concrete(e.period.date)) {
      grid.exceptions.push({ date: e.period.date, periods, priority: e.priority });
    } else if (e.period.kind === "range" && concrete(e.period.from) && concrete(e.period.to)) {
      grid.exceptions.push({ date: e.period.from, end_date: e.period.to, periods, priority: e.priority });
    } else grid.kept.push(e);
  }
  return grid;
}

export function gridToDevice(grid: DeviceGrid, base: DeviceSchedule): DeviceSchedule {
  const drawn: SpecialEvent[] = grid.exceptions.map((e) => ({
    period: e.end_date ? { kind: "range", from: e.date, to: e.end_date } : { kind: "date", date: e.date },
    events: periodsToTransitions(e.periods ?? []),
    priority: e.priority ?? DEFAULT_EXCEPTION_PRIORITY,
  }));
  return {
    ...base,
    weekly: GRID_DAYS.map((day) => periodsToTransitions(grid[day] ?? [])),
    exceptions: [...drawn, ...grid.kept],
  };
}
