import type { DeviceSpec, ObjectSpec } from "./site-schema";

/** `--routed`: device instances are 200000 + 1000 × (network's position) + MAC, clear of the demo's. */
export const ROUTED_FIRST_INSTANCE = 200_000;
/** Points per routed controller: ten zone temperatures and ten commandable setpoints. */
export const ROUTED_POINTS = 20;
/** `--objects N`: the one large controller's instance. */
export const LARGE_DEVICE_INSTANCE = 400_001;

export interface RoutedSpec {
  networks: number[];
  perNetwork: number;
}

/** Parses `2001,2002:25`; undefined when it is not a list of network numbers and a count 1..127. */
export function parseRoutedSpec(text: string): RoutedSpec | undefined {
  const match = /^(\d+(?:,\d+)*):(\d+)$/.exec(text.trim());
  if (!match) return undefined;
  const networks = (match[1] ?? "").split(",").map(Number);
  const perNetwork = Number(match[2]);
  const valid =
    networks.every((n) => n >= 1 && n <= 65534) &&
    new Set(networks).size === networks.length &&
    perNetwork >= 1 &&
    perNetwork <= 127;
  return valid ? { networks, perNetwork } : undefined;
}

/** Terminal-unit controllers behind the router, as on MS/TP trunks: `perNetwork` per network. */
export function routedDevices(spec: RoutedSpec): DeviceSpec[] {
  const devices: DeviceSpec[] = [];
  spec.networks.forEach((network, n) => {
    for (let mac = 1; mac <= spec.perNetwork; mac++) {
      const objects: ObjectSpec[] = [];
      for (let i = 1; i <= ROUTED_POINTS / 2; i++) {
        objects.push({
          type: "analogInput",
          instance: i,
          name: `Zone Temp ${i}`,
          units: "degreesCelsius",
          covIncrement: 0.1,
          signal: {
            kind: "sine",
            mean: 21,
            amplitude: 1.5,
            periodS: 900 + 41 * i,
            noise: 0,
            phaseS: mac * 11 + i,
          },
        });
        objects.push({
          type: "analogValue",
          instance: i,
          name: `Zone Setpoint ${i}`,
          units: "degreesCelsius",
          commandable: true,
          relinquishDefault: 21,
          covIncrement: 0.1,
        });
      }
      devices.push({
        instance: ROUTED_FIRST_INSTANCE + n * 1000 + mac,
        name: `Trunk ${network} Controller ${String(mac).padStart(3, "0")}`,
        modelName: "Virtual MS/TP Controller",
        network,
        objects,
        equipment: [],
        schedules: [],
        calendars: [],
        trendLogs: [],
        notificationClasses: [],
      });
    }
  });
  return devices;
}

/** A controller with `count` analog values, whose Object_List needs a segmented reply. */
export function largeDevice(count: number): DeviceSpec {
  const objects: ObjectSpec[] = [];
  for (let i = 1; i <= count; i++) {
    objects.push({ type: "analogValue", instance: i, name: `Value ${i}`, units: "noUnits" });
  }
  return {
    instance: LARGE_DEVICE_INSTANCE,
    name: `Large Controller (${count} objects)`,
    modelName: "Virtual Plant Controller",
    objects,
    equipment: [],
    schedules: [],
    calendars: [],
    trendLogs: [],
    notificationClasses: [],
  };
}
