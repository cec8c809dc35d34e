import { tempDir } from "@bms/test-support";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./database";
import { DevicesRepo } from "./devices-repo";

describe("DevicesRepo labels", () => {
  it("caches units and state texts with the object list", () => {
    const devices = new DevicesRepo(openDatabase(tempDir("labels")));
    devices.replaceObjects(2002, [
      {
        device_id: 2002,
        object_type: "analogInput",
        object_instance: 1,
        object_name: "CHW Supply Temp",
        units: "degreesCelsius",
      },
      {
        device_id: 2002,
        object_type: "multiStateValue",
        object_instance: 1,
        object_name: "Plant Mode",
        state_text: ["Off", "Cooling", "Heating", "Auto"],
        commandable: true,
      },
      {
        device_id: 2002,
        object_type: "binaryInput",
        object_instance: 1,
        object_name: "Occupancy",
        active_text: "Occupied",
        inactive_text: "Unoccupied",
      },
    ]);
    expect(devices.labels(2002, "analogInput", 1)).toEqual({ units: "degreesCelsius" });
    expect(devices.labels(2002, "multiStateValue", 1)).toEqual({
      state_text: ["Off", "Cooling", "Heating", "Auto"],
    });
    expect(devices.labels(2002, "binaryInput", 1)).toEqual({
      active_text: "Occupied",
      inactive_text: "Unoccupied",
    });
    expect(devices.labels(2002, "analogInput", 9)).toBeUndefined();
    expect(devices.objects(2002).find((o) => o.object_type === "multiStateValue")?.state_text).toEqual([
      "Off",
      "Cooling",
      "Heating",
      "Auto",
    ]);
  });
});
