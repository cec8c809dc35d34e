import { EngineeringUnits, ObjectType, PropertyIdentifier } from "@bacnet-js/client";
import { describe, expect, it } from "vitest";
import {
  OBJECT_TYPES,
  objectTypeId,
  objectTypeName,
  PROPERTIES,
  propertyId,
  propertyName,
  snakeToCamel,
  unitsId,
  unitsName,
  unitsSymbol,
} from "./index";

describe("object type names", () => {
  it.each([
    ["analogInput", 0],
    ["analogOutput", 1],
    ["analogValue", 2],
    ["binaryInput", 3],
    ["binaryOutput", 4],
    ["binaryValue", 5],
    ["device", 8],
    ["multiStateInput", 13],
    ["multiStateOutput", 14],
    ["multiStateValue", 19],
    ["trendLog", 20],
    ["networkPort", 56],
  ])("%s <-> %i", (name, id) => {
    expect(objectTypeId(name)).toBe(id);
    expect(objectTypeName(id)).toBe(name);
  });

  it("keeps the typed table in step with the library enum", () => {
    for (const [name, id] of Object.entries(OBJECT_TYPES)) expect(objectTypeId(name)).toBe(id);
    expect(objectTypeId("ANALOG_INPUT")).toBeUndefined();
    expect(objectTypeName(ObjectType.LOOP)).toBe("loop");
  });

  it("returns undefined / the number for unknown names and ids", () => {
    expect(objectTypeId("analogueInput")).toBeUndefined();
    expect(objectTypeName(999)).toBe("999");
  });
});

describe("property names", () => {
  it("maps the names used in point references", () => {
    expect(propertyId("presentValue")).toBe(85);
    expect(propertyId("objectName")).toBe(77);
    expect(propertyId("priorityArray")).toBe(87);
    expect(propertyId("relinquishDefault")).toBe(104);
    expect(propertyId("statusFlags")).toBe(111);
    expect(propertyName(85)).toBe("presentValue");
    expect(propertyName(PropertyIdentifier.PROTOCOL_SERVICES_SUPPORTED)).toBe("protocolServicesSupported");
  });

  it("has every constant in PROPERTIES equal to the library's id", () => {
    for (const [name, id] of Object.entries(PROPERTIES)) expect(propertyId(name), name).toBe(id);
  });
});

describe("engineering units", () => {
  it("maps camelCase unit names", () => {
    expect(unitsId("degreesCelsius")).toBe(62);
    expect(unitsId("percent")).toBe(98);
    expect(unitsId("kilowatts")).toBe(EngineeringUnits.KILOWATTS);
    expect(unitsId("kilowattHours")).toBe(EngineeringUnits.KILOWATT_HOURS);
    expect(unitsName(62)).toBe("degreesCelsius");
    expect(unitsSymbol(62)).toBe("°C");
    expect(unitsSymbol(EngineeringUnits.AMPERES)).toBe("A");
    expect(unitsSymbol(EngineeringUnits.CUBIC_FEET_PER_DAY)).toBe("cubic feet per day");
  });
});

describe("snakeToCamel", () => {
  it.each([
    ["MULTI_STATE_VALUE", "multiStateValue"],
    ["PRESENT_VALUE", "presentValue"],
    ["CURRENCY10", "currency10"],
    ["DEVICE", "device"],
  ])("%s -> %s", (input, output) => expect(snakeToCamel(input)).toBe(output));
});
