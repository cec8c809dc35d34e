import type { SupervisorOptions } from "../options";
import type { DevicesRepo } from "../storage/devices-repo";
import type { EventsRepo } from "../storage/events-repo";
import { bacnetPluginModule } from "./bacnet/bacnet-plugin";
import httpPlugin from "./http";
import modbusPlugin from "./modbus";
import { mqttPluginModule } from "./mqtt";
import type { PointIOPluginModule } from "./point-io";

/** What a built-in plugin may use beyond its PluginContext: the supervisor's options and stores. */
export interface BuiltinHost {
  options: SupervisorOptions;
  devices: DevicesRepo;
  events: EventsRepo;
}

/** A built-in plugin: its module, or `undefined` when the options leave it off. */
export type BuiltinPlugin = (host: BuiltinHost) => PointIOPluginModule | undefined;

/**
 * Every protocol the supervisor ships, in start order. Adding one is one line here; everything else
 * (reads, writes, health, `GET /api/plugins`) reaches it through the registry.
 */
export const BUILTIN_PLUGINS: readonly BuiltinPlugin[] = [
  ({ options, devices, events }) =>
    bacnetPluginModule({
      options: {
        bindAddress: options.bacnetBind,
        port: options.bacnetPort,
        broadcast: options.broadcast,
        requestTimeoutMs: options.requestTimeoutMs,
        retries: options.retries,
        perDeviceConcurrency: options.perDeviceConcurrency,
        maxInFlight: 200,
        offlineAfterFailures: 2,
        ...(options.bacnetPins ? { pins: options.bacnetPins } : {}),
        ...(options.bacnetLimits ? { limits: options.bacnetLimits } : {}),
        discoverOnStart: options.discoverOnStart ?? true,
      },
      devices,
      events,
    }),
  // Always on: with no section in the plugins configuration it reads raw registers of any ref.
  () => modbusPlugin,
  ({ options }) => mqttPluginModule(options.mqttUrl),
  () => httpPlugin,
];
