import { describe, expect, it } from "vitest";
import {
  formatPointRef,
  normalizePointRef,
  PointRefSchema,
  parsePointRef,
  pointRefScheme,
} from "./point-ref";

describe("point references", () => {
  it.each([
    ["bacnet:1001/analogInput:1", "bacnet:1001/analogInput:1.presentValue"],
    ["bacnet:1001/analogInput:1.presentValue", "bacnet:1001/analogInput:1.presentValue"],
    ["bacnet:100:AI1", "bacnet:100/analogInput:1.presentValue"],
    ["bacnet:100:BO3", "bacnet:100/binaryOutput:3.presentValue"],
    ["bacnet:100:MSV:2", "bacnet:100/multiStateValue:2.presentValue"],
    ["device:bacnet:100:analogInput:1:presentValue", "bacnet:100/analogInput:1.presentValue"],
    ["device:bacnet:100:binary_output:7", "bacnet:100/binaryOutput:7.presentValue"],
    ["bacnet:5/device:5.objectList[0]", "bacnet:5/device:5.objectList[0]"],
    ["bacnet:1001/analog-value:3.priorityArray[8]", "bacnet:1001/analogValue:3.priorityArray[8]"],
    ["  bacnet:4194302/analogInput:4194303  ", "bacnet:4194302/analogInput:4194303.presentValue"],
    ["modbus:10.0.0.5:502:1/holding_register:40001", "modbus:10.0.0.5:502:1/holding_register:40001"],
    ["modbus:plc1:3/coil:100", "modbus:plc1:3/coil:100"],
    ["mqtt:building/zone1/temperature", "mqtt:building/zone1/temperature"],
    [
      "mqtt:application/7/device/00a1/event/up#object.temperature",
      "mqtt:application/7/device/00a1/event/up#object.temperature",
    ],
    ["http:weather/current.temperature_2m", "http:weather/current.temperature_2m"],
    [" virtual:zone1/setpoint ", "virtual:zone1/setpoint"],
  ])("normalises %s", (input, canonical) => {
    expect(normalizePointRef(input)).toBe(canonical);
  });

  it("round-trips every canonical form unchanged", () => {
    for (const text of [
      "bacnet:0/analogInput:0.presentValue",
      "bacnet:1001/binaryOutput:1.priorityArray[16]",
      "modbus:h:1/input_register:3",
      "mqtt:a/b",
      "http:meteo/hourly.temperature[0]",
      "sys-stats:cpu.load1",
    ]) {
      const parsed = parsePointRef(text);
      expect(parsed.ok).toBe(true);
      if (parsed.ok) expect(formatPointRef(parsed.ref)).toBe(text);
      expect(normalizePointRef(normalizePointRef(text))).toBe(text);
    }
  });

  it.each([
    ["bacnet:5000000/analogInput:1", "device instance 5000000 is out of range 0..4194302"],
    ["bacnet:4194303/analogInput:1", "device instance 4194303 is out of range"],
    ["bacnet:1/analogInput:4194304", "object instance 4194304 is out of range 0..4194303"],
    ["bacnet:1/fooBar:1", 'unknown BACnet object type "fooBar"'],
    ["bacnet:x/analogInput:1", "is not an integer"],
    ["bacnet:1/analogInput:-1", "is not an integer"],
    ["", "empty"],
    ["temperature", "is not a point reference"],
    ["mqtt:a/#", "wildcards"],
    ["mqtt:a/+/b#x", "wildcards"],
    ["mqtt:a/b#x#y", "wildcards"],
    ["modbus:h:300/coil:1", "unit id"],
    ["http:weather", "http:<endpoint>/<json.path>"],
    ["http:/a.b", "http:<endpoint>/<json.path>"],
    ["device:foo", "is not a point reference"],
    ["x:1", "plugin scheme"],
    ["Virtual:a", "is not a point reference"],
  ])("rejects %s", (input, message) => {
    const parsed = parsePointRef(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(message);
  });

  it("routes every ref by one scheme: built-in protocols by name, plugins by their own scheme", () => {
    const schemes = ["bacnet:1/analogInput:1", "modbus:h:1/coil:1", "mqtt:a", "http:w/t", "virtual:a/b"].map(
      (text) => {
        const parsed = parsePointRef(text);
        return parsed.ok ? pointRefScheme(parsed.ref) : parsed.message;
      },
    );
    expect(schemes).toEqual(["bacnet", "modbus", "mqtt", "http", "virtual"]);
  });

  it("gives the canonical string through the zod schema", () => {
    expect(PointRefSchema.parse("bacnet:100:AI1")).toBe("bacnet:100/analogInput:1.presentValue");
    const failed = PointRefSchema.safeParse("bacnet:5000000:AI1");
    expect(failed.success).toBe(false);
    expect(failed.error?.issues[0]?.message).toContain("out of range");
  });
});
