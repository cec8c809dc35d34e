import { EngineeringUnits } from "@bacnet-js/client";
import { buildNameTable } from "./camel-case";
import { unitSymbol } from "./display";

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

/** Display symbol of a unit id (62 -> °C); the table itself lives in display.ts. */
export function unitsSymbol(id: number): string {
  return unitSymbol(unitsName(id));
}
