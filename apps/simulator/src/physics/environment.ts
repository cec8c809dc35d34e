import type { Environment } from "./behavior";
import { hourOfDay } from "./sim-clock";

export interface WeatherSpec {
  outdoorMeanC: number;
  outdoorSwingC: number;
}

export interface OccupancySpec {
  startHour: number;
  endHour: number;
}

/** Daily outdoor curve: a 24 h sine, coldest at 03:00 and warmest at 15:00. */
export function outdoorTemp(weather: WeatherSpec, hour: number): number {
  // sin peaks at a quarter period: hour 15 maps to the peak and hour 3 to the trough.
  return weather.outdoorMeanC + weather.outdoorSwingC * Math.sin((2 * Math.PI * (hour - 9)) / 24);
}

/** Monday to Friday, local simulated time: the days the building is occupied. */
export function isWorkday(simTimeMs: number): boolean {
  const day = new Date(simTimeMs).getDay();
  return day !== 0 && day !== 6;
}

/** Occupancy ramps over an hour at each end of the occupied period; weekends stay empty. */
export function occupancy(spec: OccupancySpec, simTimeMs: number): number {
  if (!isWorkday(simTimeMs)) return 0;
  const hour = hourOfDay(simTimeMs);
  if (hour < spec.startHour || hour >= spec.endHour) return 0;
  const rampIn = Math.min(1, hour - spec.startHour);
  const rampOut = Math.min(1, spec.endHour - hour);
  return Math.max(0, Math.min(rampIn, rampOut));
}

export function environmentAt(weather: WeatherSpec, occ: OccupancySpec, simTimeMs: number): Environment {
  return { outdoorTempC: outdoorTemp(weather, hourOfDay(simTimeMs)), occupancy: occupancy(occ, simTimeMs) };
}
