import { EngineeringUnits } from "@bacnet-js/client";
import { describe, expect, it } from "vitest";
import { buildNameTable } from "./camel-case";
import { formatValue, stateLabel, UNIT_SYMBOLS, unitSymbol } from "./display";

const libraryNames = buildNameTable(EngineeringUnits as unknown as Record<string, string | number>).byName;

describe("unit symbols", () => {
  it("names only units the library knows (the table is keyed by its enum names)", () => {
    const unknown = Object.keys(UNIT_SYMBOLS).filter((name) => !libraryNames.has(name));
    expect(unknown).toEqual([]);
  });

  it.each([
    ["degreesCelsius", "°C"],
    ["degreesFahrenheit", "°F"],
    ["litersPerSecond", "L/s"],
    ["percent", "%"],
    ["kilowatts", "kW"],
    ["kilopascals", "kPa"],
    ["pascals", "Pa"],
    ["cubicMetersPerHour", "m³/h"],
    ["noUnits", ""],
  ])("%s reads %s", (name, symbol) => expect(unitSymbol(name)).toBe(symbol));

  it("spells out a unit without a symbol, and marks a proprietary id", () => {
    expect(unitSymbol("millionStandardCubicFeetPerDay")).toBe("million standard cubic feet per day");
    expect(unitSymbol("256")).toBe("unit 256");
    expect(unitSymbol(undefined)).toBe("");
  });

  it.each(["kW", "kWh", "V", "A", "Hz", "%", "m³/h"])(
    "reads a symbol a Modbus or MQTT profile gives (%s) as it is",
    (symbol) => expect(unitSymbol(symbol)).toBe(symbol),
  );
});

describe("state texts", () => {
  const mode = { state_text: ["Off", "Cooling", "Heating", "Auto"] };
  const occupancy = { active_text: "Occupied", inactive_text: "Unoccupied" };

  it.each([
    [4, mode, "Auto"],
    [1, mode, "Off"],
    [5, mode, undefined],
    [0, mode, undefined],
    [true, occupancy, "Occupied"],
    [0, occupancy, "Unoccupied"],
    [null, occupancy, undefined],
    [21.5, { units: "degreesCelsius" }, undefined],
  ])("%s -> %s", (value, labels, text) => expect(stateLabel(value, labels)).toBe(text));
});

describe("formatValue", () => {
  it.each([
    [21.456, { units: "degreesCelsius" }, "21.46 °C"],
    [45, { units: "percent" }, "45 %"],
    [245.33, { units: "litersPerSecond" }, "245.3 L/s"],
    [1204.4, { units: "kilowattHours" }, "1204 kWh"],
    [4, { state_text: ["Off", "Cooling", "Heating", "Auto"] }, "Auto"],
    [9, { state_text: ["Off", "On"] }, "9"],
    [false, { active_text: "Occupied", inactive_text: "Unoccupied" }, "Unoccupied"],
    [true, undefined, "On"],
    [null, { units: "percent" }, "—"],
    [3, { units: "noUnits" }, "3"],
  ])("%s with %o -> %s", (value, labels, text) => expect(formatValue(value, labels)).toBe(text));
});
