import { describe, expect, it } from "vitest";
import { fieldAppliesToPoint } from "./protocol-fields";

describe("protocol-specific options of point nodes", () => {
  it("shows the BACnet priority only for BACnet points", () => {
    expect(fieldAppliesToPoint("actuator_write", "priority", "bacnet:1001/binaryOutput:1")).toBe(true);
    expect(fieldAppliesToPoint("actuator_write", "priority", "modbus:10.0.0.5:1/holding_register:0")).toBe(
      false,
    );
    expect(fieldAppliesToPoint("actuator_write", "priority", "mqtt:site/zone1/setpoint")).toBe(false);
  });

  it("shows MQTT QoS and retain only for MQTT points", () => {
    expect(fieldAppliesToPoint("actuator_write", "qos", "mqtt:site/zone1/setpoint")).toBe(true);
    expect(fieldAppliesToPoint("actuator_write", "retain", "mqtt:site/zone1/setpoint#value")).toBe(true);
    expect(fieldAppliesToPoint("actuator_write", "qos", "bacnet:1001/analogValue:3")).toBe(false);
    expect(fieldAppliesToPoint("actuator_write", "retain", "http:weather/current.temp")).toBe(false);
  });

  it("shows every option while the point is empty or does not parse, and shared ones always", () => {
    expect(fieldAppliesToPoint("actuator_write", "qos", "")).toBe(true);
    expect(fieldAppliesToPoint("actuator_write", "priority", "not a ref")).toBe(true);
    expect(fieldAppliesToPoint("actuator_write", "heartbeat_ms", "mqtt:a/b")).toBe(true);
    expect(fieldAppliesToPoint("sensor_read", "fallback", "modbus:10.0.0.5:1/coil:0")).toBe(true);
  });
});
