import type { DeviceSpec, ObjectSpec, SiteSpec } from "./site-schema";

/** First device instance of `--devices N`; far from the demo's instances so both can run together. */
export const SCALE_FIRST_INSTANCE = 10001;
export const SCALE_POINTS_PER_DEVICE = 50;

/**
 * `--devices N`: N identical controllers of 50 points each (20 analog, 20 binary, 10 multi-state),
 * every input moving, every output commandable, so a supervisor polling all of them does real work.
 * `--points-per-device` repeats that block (250: five of each object per block's instance range).
 */
export function scaleSite(count: number, pointsPerDevice = SCALE_POINTS_PER_DEVICE): SiteSpec {
  const blocks = Math.max(1, Math.floor(pointsPerDevice / SCALE_POINTS_PER_DEVICE));
  const devices: DeviceSpec[] = [];
  for (let d = 0; d < count; d++) {
    const objects: ObjectSpec[] = [];
    for (let i = 1; i <= 10 * blocks; i++) {
      objects.push({
        type: "analogInput",
        instance: i,
        name: `Temp ${i}`,
        units: "degreesCelsius",
        covIncrement: 0.1,
        signal: {
          kind: "sine",
          mean: 21 + (i % 4),
          amplitude: 2,
          periodS: 600 + 37 * i,
          noise: 0.05,
          phaseS: d * 13 + i * 7,
        },
      });
      objects.push({
        type: "analogValue",
        instance: i,
        name: `Setpoint ${i}`,
        units: "degreesCelsius",
        commandable: true,
        relinquishDefault: 22,
        covIncrement: 0.1,
      });
      objects.push({ type: "binaryOutput", instance: i, name: `Command ${i}`, relinquishDefault: 0 });
      objects.push({
        type: "binaryInput",
        instance: i,
        name: `Status ${i}`,
        signal: { kind: "follow", source: `binaryOutput:${i}`, delayS: 3 },
      });
    }
    for (let i = 1; i <= 5 * blocks; i++) {
      objects.push({
        type: "multiStateValue",
        instance: i,
        name: `Mode ${i}`,
        commandable: true,
        relinquishDefault: 1,
        stateText: ["Off", "Auto", "Manual"],
      });
      objects.push({
        type: "analogOutput",
        instance: i,
        name: `Valve ${i}`,
        units: "percent",
        relinquishDefault: 0,
      });
    }
    const instance = SCALE_FIRST_INSTANCE + d;
    devices.push({
      instance,
      name: `Scale Controller ${String(d + 1).padStart(3, "0")}`,
      modelName: "Virtual DDC Controller",
      objects,
      equipment: [],
      schedules: [],
      calendars: [],
    });
  }
  return {
    name: `scale-${count}`,
    weather: { outdoorMeanC: 18, outdoorSwingC: 6 },
    occupancy: { startHour: 7, endHour: 19 },
    devices,
  };
}
