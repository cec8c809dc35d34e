import { EngineeringUnits } from "@bacnet-js/client";
import { buildNameTable } from "./camel-case";

const table = buildNameTable(EngineeringUnits as unknown as Record<string, string | number>);

/** BACnetEngineeringUnits id of a camelCase unit name (`degreesCelsius` -> 62). */
export function unitsId(name: string): number | undefined {
  return table.byName.get(name);
}

/** camelCase name of a BACnetEngineeringUnits id (62 -> `degreesCelsius`); unknown ids keep their number. */
export function unitsName(id: number): string {
  return table.byId.get(id) ?? String(id);
}

/** All unit names, for validation messages and pickers. */
export function allUnitNames(): string[] {
  return [...table.byName.keys()];
}

/** Short display symbols for the units a BMS shows most; everything else displays by name. */
const SYMBOLS: Record<string, string> = {
  degreesCelsius: "°C",
  degreesFahrenheit: "°F",
  percent: "%",
  percentRelativeHumidity: "%RH",
  pascals: "Pa",
  kilopascals: "kPa",
  kilowatts: "kW",
  kilowattHours: "kWh",
  litersPerSecond: "l/s",
  cubicMetersPerHour: "m³/h",
  partsPerMillion: "ppm",
  luxes: "lx",
  noUnits: "",
};

export function unitsSymbol(id: number): string {
  const name = unitsName(id);
  return SYMBOLS[name] ?? name;
}
