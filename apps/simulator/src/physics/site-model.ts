import type { OccupancySpec } from "./environment";

/**
 * What equipment models share across devices: a VAV reads its AHU's supply air and static pressure,
 * the AHU reads its zones' temperatures, the plant reads the coil loads, and the meter sums every
 * electrical load. Models register here when built and read each other during steps.
 */
export interface AirSource {
  name: string;
  /** Supply air temperature leaving the AHU, °C. */
  supplyTempC(): number;
  /** Duct static pressure relative to its setpoint, 0..~1.3 (1 = design). */
  staticRatio(): number;
  fanRunning(): boolean;
  registerZone(zone: AirZone): void;
}

export interface AirZone {
  name: string;
  temperatureC(): number;
  airflowLps(): number;
  damperPct(): number;
}

export interface WaterSource {
  chilledWaterC(): number;
  hotWaterC(): number;
}

export interface CoilLoad {
  /** Cooling coil duty 0..1 (drives chiller load and chilled-water return). */
  coolingDuty(): number;
  heatingDuty(): number;
}

export interface ElectricalLoad {
  name: string;
  kw(): number;
}

export class SiteModel {
  readonly airSources = new Map<string, AirSource>();
  readonly coilLoads: CoilLoad[] = [];
  readonly electricalLoads: ElectricalLoad[] = [];
  water: WaterSource | undefined;

  /** The site's occupied hours, which schedule-driven equipment (occupancy sensors) follows by default. */
  constructor(readonly schedule: OccupancySpec = { startHour: 7, endHour: 19 }) {}

  /** The named AHU, or the only one on the site when the VAV does not name it. */
  airSource(name: string | undefined): AirSource | undefined {
    if (name) return this.airSources.get(name);
    return this.airSources.size === 1 ? [...this.airSources.values()][0] : undefined;
  }
}
