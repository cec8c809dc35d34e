import {
  api,
  discoverDevice,
  eventually,
  type SimulatorHandle,
  type SupervisorHandle,
  type SupervisorOptions,
  startSupervisor,
} from "./programs";
import { type SiteStack, startSiteStack } from "./site-stack";

/**
 * Set-up shared by the tests of device alarms over real UDP (device-alarms, device-event-values,
 * recipient-lists) and in the browser (the dashboard's device data, the Designer's alarm view): an
 * alarming input and Notification Classes for a simulated device, a supervisor that registers in them,
 * and the recipient lists as the simulated device itself reports them.
 */

/** A Notification Class of a simulator site: priorities and ack-required per transition (to-offnormal, to-fault, to-normal). */
export function notificationClass(
  instance: number,
  name: string,
  options: { priority?: [number, number, number]; ackRequired?: [boolean, boolean, boolean] } = {},
) {
  return {
    instance,
    name,
    priority: options.priority ?? [80, 80, 200],
    ackRequired: options.ackRequired ?? [false, false, false],
  };
}

/**
 * A simulated analog input temperature with out-of-range intrinsic reporting (high limit 30 °C, low 10,
 * deadband 1) into Notification Class `notificationClass` (default 1): it raises an alarm when overridden
 * above 30, or from the start when `initial` is. `timeDelayS` 0 reports at once.
 */
export function outOfRangeTemperature(
  instance: number,
  name: string,
  options: { initial?: number; timeDelayS?: number; notificationClass?: number } = {},
) {
  return {
    type: "analogInput",
    instance,
    name,
    units: "degreesCelsius",
    initial: options.initial ?? 20,
    alarm: {
      highLimit: 30,
      lowLimit: 10,
      deadband: 1,
      ...(options.timeDelayS === undefined ? {} : { timeDelayS: options.timeDelayS }),
      notificationClass: options.notificationClass ?? 1,
    },
  };
}

/** One recipient of a Notification Class, as the simulator's web API lists it. */
export interface RecipientEntry {
  address: { ip: string; port: number; net: number };
  processId: number;
}

/** The Notification Classes of a simulated device with their recipient lists (the device's own view). */
export async function recipientLists(
  sim: { webUrl: string },
  device: number,
): Promise<{ instance: number; recipients: RecipientEntry[] }[]> {
  const r = await api<{ notification_classes: { instance: number; recipients: RecipientEntry[] }[] }>(
    sim.webUrl,
    `/api/devices/${device}/notification-classes`,
  );
  return r.body.notification_classes;
}

/**
 * Waits until the supervisor is a recipient in every Notification Class of `device`: `ours` is its
 * BACnet address (any port, any process id), or a test of each entry. Fails the set-up, naming the
 * device, when it never registers.
 */
export async function registeredIn(
  sim: { webUrl: string },
  device: number,
  ours: string | ((entry: RecipientEntry) => boolean),
  timeoutMs = 15_000,
): Promise<void> {
  const isOurs = typeof ours === "string" ? (entry: RecipientEntry) => entry.address.ip === ours : ours;
  try {
    await eventually(async () => {
      const classes = await recipientLists(sim, device);
      return classes.every((nc) => nc.recipients.some(isOurs)) ? true : undefined;
    }, timeoutMs);
  } catch {
    throw new Error(`the supervisor never registered in device ${device}'s recipient lists`);
  }
}

/**
 * Supervisor options with device alarms on (`--device-alarms auto`); `passEveryS` shortens the
 * registration pass (BMS_DEVICE_ALARM_PASS_S) so a test need not wait the default period for it.
 */
export function withDeviceAlarms<T extends Partial<SupervisorOptions>>(
  options: T & { passEveryS?: number },
): T {
  const { passEveryS, ...rest } = options;
  return {
    ...rest,
    ...(passEveryS === undefined
      ? {}
      : { env: { BMS_DEVICE_ALARM_PASS_S: String(passEveryS), ...rest.env } }),
    extraArgs: ["--device-alarms", "auto", ...(rest.extraArgs ?? [])],
  } as T;
}

/** A supervisor with device alarms on (see `withDeviceAlarms`). */
export function startAlarmSupervisor(
  options: SupervisorOptions & { passEveryS?: number },
): Promise<SupervisorHandle> {
  return startSupervisor(withDeviceAlarms(options));
}

/** Where a device-alarm test's simulator and supervisor listen: loopback addresses and UDP ports of its own. */
export interface AlarmNetwork {
  simBind: string;
  simPort: number;
  supBind: string;
  supPort: number;
}

/**
 * The set-up of a device-alarm test over real UDP, on `startSiteStack`: the simulator with `site` (a site
 * file), then (after `beforeSupervisor`, e.g. an alarm that must already stand) a supervisor with device
 * alarms on and a registration pass every `passEveryS` (1 s unless given); each of `devices` discovered
 * and, with `register`, the supervisor in its recipient lists. `startSupervisor` restarts it the same way.
 */
export async function startAlarmStack(options: {
  network: AlarmNetwork;
  site: string;
  devices: readonly number[];
  register?: boolean;
  passEveryS?: number;
  extraArgs?: string[];
  beforeSupervisor?: (sim: SimulatorHandle) => Promise<unknown>;
}): Promise<SiteStack> {
  const { network } = options;
  const stack = await startSiteStack({
    site: options.site,
    simBind: network.simBind,
    simPort: network.simPort,
    supBind: network.supBind,
    supPort: network.supPort,
    supervisor: withDeviceAlarms({ passEveryS: options.passEveryS ?? 1, extraArgs: options.extraArgs ?? [] }),
    ...(options.beforeSupervisor ? { beforeSupervisor: options.beforeSupervisor } : {}),
  });
  try {
    for (const device of options.devices) await discoverDevice(stack.sup, device);
    if (options.register)
      for (const device of options.devices) await registeredIn(stack.sim, device, network.supBind);
    return stack;
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

/** Every alarm the supervisor holds, open or not (`GET /api/alerts?state=all`). */
export async function allAlarms<T>(sup: { url: string }): Promise<T[]> {
  return (await api<{ alerts: T[] }>(sup.url, "/api/alerts?state=all")).body.alerts;
}
