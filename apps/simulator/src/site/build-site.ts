import { objectTypeId, unitsId } from "@bms/bacnet";
import { type DeviceInit, SimDevice } from "../device/sim-device";
import { offsetAddress } from "../device/udp-endpoints";
import { SimNotificationClass } from "../objects/notification-class";
import { OutOfRange } from "../objects/out-of-range";
import { SimCalendar, SimSchedule } from "../objects/schedule-objects";
import { SimObject } from "../objects/sim-object";
import { SimTrendLog } from "../objects/trend-log-object";
import type { Behavior } from "../physics/behavior";
import { BUILD_ORDER, buildEquipment } from "../physics/equipment";
import { FollowSignal, RandomWalkSignal, SineSignal } from "../physics/signals";
import { SiteModel } from "../physics/site-model";
import type { ObjectSpec, SiteSpec } from "./site-schema";

/** MS/TP: 480-octet frames and master addresses 0..127 (the router takes 0). */
export const MSTP_MAX_APDU = 480;
const MSTP_MAX_MASTER = 127;

export interface BuiltSite {
  name: string;
  devices: SimDevice[];
  behaviors: Behavior[];
}

const toNumber = (v: number | boolean | undefined): number | undefined =>
  typeof v === "boolean" ? (v ? 1 : 0) : v;

export function createObject(spec: ObjectSpec): SimObject {
  const type = objectTypeId(spec.type);
  if (type === undefined) throw new Error(`unknown object type ${spec.type}`);
  return new SimObject({
    type,
    instance: spec.instance,
    name: spec.name,
    description: spec.description,
    units: spec.units ? unitsId(spec.units) : undefined,
    commandable: spec.commandable,
    relinquishDefault: toNumber(spec.relinquishDefault),
    initialValue: toNumber(spec.initial),
    covIncrement: spec.covIncrement,
    minPresValue: spec.min,
    maxPresValue: spec.max,
    stateText: spec.stateText,
    activeText: spec.activeText,
    inactiveText: spec.inactiveText,
  });
}

export class SiteBuildError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = "SiteBuildError";
  }
}

/**
 * Turns a validated site into devices and behaviours. Device N takes the Nth address after --bind,
 * in file order, so a site file never needs to know which loopback range a test uses. Equipment on a
 * device without an instanceBase gets 0, 100, 200, ... in file order.
 */
export function buildSite(site: SiteSpec, bind: string, outdoorC = 18): BuiltSite {
  const devices: SimDevice[] = [];
  const behaviors: Behavior[] = [];
  const model = new SiteModel(site.occupancy);
  const equipmentJobs: Array<{ order: number; run: () => void }> = [];
  const nextMac = new Map<number, number>();
  site.devices.forEach((spec, index) => {
    const path = `devices[${index}]`;
    let link: DeviceInit["link"];
    if (spec.network !== undefined) {
      // MS/TP master MACs 1..127 in file order per network; 0 is the router's own port.
      const mac = (nextMac.get(spec.network) ?? 0) + 1;
      if (mac > MSTP_MAX_MASTER) {
        throw new SiteBuildError(
          `${path}.network`,
          `network ${spec.network} has more than ${MSTP_MAX_MASTER} devices`,
        );
      }
      nextMac.set(spec.network, mac);
      link = { network: spec.network, mac, maxApdu: MSTP_MAX_APDU, segmentation: false };
    }
    const device = new SimDevice({
      link,
      instance: spec.instance,
      name: spec.name,
      address: offsetAddress(bind, index),
      description: spec.description,
      location: spec.location,
      modelName: spec.modelName,
    });
    spec.objects.forEach((objectSpec, j) => {
      try {
        device.addObject(createObject(objectSpec));
      } catch (err) {
        throw new SiteBuildError(`${path}.objects[${j}]`, err instanceof Error ? err.message : String(err));
      }
    });
    if (spec.commissioning?.password) device.commissioning.password = spec.commissioning.password;
    device.commissioning.clockOffsetMs = (spec.commissioning?.clockOffsetS ?? 0) * 1000;
    const clock = () => device.now();
    const timed = [
      ...spec.schedules.map((s, j) => ({
        path: `${path}.schedules[${j}]`,
        make: () =>
          Object.assign(new SimSchedule(s.instance, s.name, s.schedule, clock), {
            description: s.description ?? "",
          }),
      })),
      ...spec.calendars.map((c, j) => ({
        path: `${path}.calendars[${j}]`,
        make: () =>
          Object.assign(new SimCalendar(c.instance, c.name, c.dateList, clock), {
            description: c.description ?? "",
          }),
      })),
    ];
    for (const { path: at, make } of timed) {
      try {
        device.addTimed(make());
      } catch (err) {
        throw new SiteBuildError(at, err instanceof Error ? err.message : String(err));
      }
    }
    spec.notificationClasses.forEach((n, j) => {
      try {
        device.addServiceObject(new SimNotificationClass(n.instance, n.name, n.priority, n.ackRequired));
      } catch (err) {
        throw new SiteBuildError(
          `${path}.notificationClasses[${j}]`,
          err instanceof Error ? err.message : String(err),
        );
      }
    });
    for (const objectSpec of spec.objects) {
      if (!objectSpec.alarm) continue;
      const object = device.find(objectTypeId(objectSpec.type) ?? -1, objectSpec.instance);
      if (object) object.alarm = new OutOfRange(object, objectSpec.alarm);
    }
    spec.trendLogs.forEach((t, j) => {
      const at = `${path}.trendLogs[${j}]`;
      const [typeName = "", instanceText = ""] = t.object.split(":");
      const logged = device.find(objectTypeId(typeName) ?? -1, Number(instanceText));
      if (!logged) throw new SiteBuildError(`${at}.object`, `device has no object ${t.object}`);
      try {
        const log = new SimTrendLog(t.instance, t.name, logged, t.intervalS * 1000, t.bufferSize);
        log.description = t.description ?? "";
        device.addServiceObject(log);
      } catch (err) {
        throw new SiteBuildError(at, err instanceof Error ? err.message : String(err));
      }
    });
    spec.objects.forEach((objectSpec, j) => {
      const signal = objectSpec.signal;
      if (!signal) return;
      const object = device.find(objectTypeId(objectSpec.type) ?? -1, objectSpec.instance);
      if (!object) return;
      if (signal.kind === "sine") behaviors.push(new SineSignal(device, object, signal));
      else if (signal.kind === "randomWalk") behaviors.push(new RandomWalkSignal(device, object, signal));
      else {
        const [typeName = "", instanceText = ""] = signal.source.split(":");
        const source = device.find(objectTypeId(typeName) ?? -1, Number(instanceText));
        if (!source) {
          throw new SiteBuildError(
            `${path}.objects[${j}].signal.source`,
            `${signal.source} does not exist on this device`,
          );
        }
        behaviors.push(new FollowSignal(device, object, source, signal.delayS));
      }
    });
    spec.equipment.forEach((equipment, j) => {
      const base = equipment.instanceBase ?? j * 100;
      equipmentJobs.push({
        order: BUILD_ORDER.indexOf(equipment.model),
        run: () => {
          try {
            behaviors.push(buildEquipment(equipment, device, base, model, outdoorC));
          } catch (err) {
            throw new SiteBuildError(
              `${path}.equipment[${j}]`,
              err instanceof Error ? err.message : String(err),
            );
          }
        },
      });
    });
    devices.push(device);
  });
  // Plant and AHUs first, so VAVs on any device can find the AHU that feeds them.
  for (const job of equipmentJobs.sort((a, b) => a.order - b.order)) job.run();
  return { name: site.name, devices, behaviors };
}
