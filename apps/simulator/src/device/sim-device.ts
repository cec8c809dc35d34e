import { BIP_MAX_APDU } from "@bms/bacnet";
import type { TimedObject } from "../objects/schedule-objects";
import type { ServiceObject } from "../objects/service-object";
import type { SimObject } from "../objects/sim-object";
import { SimTrendLog } from "../objects/trend-log-object";
import { CovSubscriptions } from "./cov-subscriptions";
import { type DeviceFaults, noFaults } from "./faults";

export interface DeviceInit {
  instance: number;
  name: string;
  /** The loopback (or LAN) IPv4 address whose socket this device owns. */
  address: string;
  description?: string;
  location?: string;
  modelName?: string;
  /** Data-link limits: an MS/TP controller behind a router takes 480 octets and does not segment. */
  link?: Partial<DeviceLink>;
}

/** What the device's data link and firmware allow; announced in I-Am and the device object. */
export interface DeviceLink {
  maxApdu: number;
  /** Sends segmented Complex-ACKs to clients that accept them (segmented-transmit). */
  segmentation: boolean;
  /** Set for a device behind the simulated router: its network number and 1-octet MS/TP MAC. */
  network?: number;
  mac?: number;
}

/** What commissioning services change on a device (clause 16). */
export interface CommissioningState {
  /** DeviceCommunicationControl: 0 enable, 1 disable, 2 disable-initiation. */
  communication: number;
  /** When a timed disable ends (ms epoch), or null. */
  communicationUntil: number | null;
  /** The DCC/ReinitializeDevice password; undefined = none required. Never reported anywhere. */
  password: string | undefined;
  /** Device clock minus the machine's (ms): TimeSynchronization sets it, a site file may skew it. */
  clockOffsetMs: number;
  timeSyncs: number;
  reinitializations: ("coldstart" | "warmstart")[];
}

export const VENDOR = {
  name: "BMS Simulator",
  // 999 is not assigned to a manufacturer we imitate; tools show it as an unknown vendor.
  identifier: 999,
  firmwareRevision: "1.0.0",
  applicationSoftwareVersion: "bms-sim 0.1.0",
} as const;

/** A simulated controller: its device object properties, point objects, faults and COV subscriptions. */
export class SimDevice {
  readonly instance: number;
  name: string;
  readonly address: string;
  description: string;
  location: string;
  modelName: string;
  readonly link: DeviceLink;
  readonly faults: DeviceFaults = noFaults();
  readonly cov = new CovSubscriptions();
  readonly commissioning: CommissioningState = {
    communication: 0,
    communicationUntil: null,
    password: undefined,
    clockOffsetMs: 0,
    timeSyncs: 0,
    reinitializations: [],
  };
  databaseRevision = 1;
  /** AcknowledgeAlarms this device accepted (object and source), for the simulator's REST view and tests. */
  readonly alarmAcks: { object: string; source: string }[] = [];
  private readonly objectsByKey = new Map<number, SimObject>();
  private readonly ordered: SimObject[] = [];
  /** Schedule and Calendar objects: not points (no priority array, no COV), listed after them. */
  private readonly timedByKey = new Map<number, TimedObject>();
  /** Trend Logs and Notification Classes, listed last. */
  private readonly serviceByKey = new Map<number, ServiceObject>();

  constructor(init: DeviceInit) {
    this.instance = init.instance;
    this.name = init.name;
    this.address = init.address;
    this.description = init.description ?? "";
    this.location = init.location ?? "";
    this.modelName = init.modelName ?? "Virtual DDC Controller";
    this.link = { maxApdu: BIP_MAX_APDU, segmentation: false, ...init.link };
  }

  /** The device's own clock (Local_Date/Local_Time, schedules), which TimeSynchronization sets. */
  now(): Date {
    return new Date(Date.now() + this.commissioning.clockOffsetMs);
  }

  /** Communication state at `at` (ms), ending a timed DeviceCommunicationControl disable. */
  communicationAt(at: number): number {
    const c = this.commissioning;
    if (c.communicationUntil !== null && at >= c.communicationUntil) {
      c.communication = 0;
      c.communicationUntil = null;
    }
    return c.communication;
  }

  addObject(object: SimObject): void {
    const key = objectKey(object.type, object.instance);
    if (this.objectsByKey.has(key)) {
      throw new Error(`device ${this.instance} already has ${object.key}`);
    }
    // Object_Name is unique within a device (clause 12.1.3); clients look objects up by it.
    if (this.nameTaken(object.name)) {
      throw new Error(`device ${this.instance} already has an object named "${object.name}"`);
    }
    this.objectsByKey.set(key, object);
    this.ordered.push(object);
  }

  addTimed(object: TimedObject): void {
    const key = objectKey(object.type, object.instance);
    if (this.timedByKey.has(key))
      throw new Error(`device ${this.instance} already has that schedule/calendar`);
    if (this.nameTaken(object.name)) {
      throw new Error(`device ${this.instance} already has an object named "${object.name}"`);
    }
    this.timedByKey.set(key, object);
  }

  addServiceObject(object: ServiceObject): void {
    const key = objectKey(object.type, object.instance);
    if (this.serviceByKey.has(key) || this.objectsByKey.has(key) || this.timedByKey.has(key)) {
      throw new Error(`device ${this.instance} already has that object`);
    }
    if (this.nameTaken(object.name)) {
      throw new Error(`device ${this.instance} already has an object named "${object.name}"`);
    }
    this.serviceByKey.set(key, object);
  }

  get serviceObjects(): readonly ServiceObject[] {
    return [...this.serviceByKey.values()];
  }

  findServiceObject(type: number, instance: number): ServiceObject | undefined {
    return this.serviceByKey.get(objectKey(type, instance));
  }

  findTrendLog(type: number, instance: number): SimTrendLog | undefined {
    const found = this.findServiceObject(type, instance);
    return found instanceof SimTrendLog ? found : undefined;
  }

  /** Physics tick: every enabled Trend Log records when its interval boundary has passed. */
  pollLogs(): void {
    const now = this.now().getTime();
    for (const o of this.serviceByKey.values()) if (o instanceof SimTrendLog) o.poll(now);
  }

  get timed(): readonly TimedObject[] {
    return [...this.timedByKey.values()];
  }

  findTimed(type: number, instance: number): TimedObject | undefined {
    return this.timedByKey.get(objectKey(type, instance));
  }

  private nameTaken(name: string): boolean {
    return (
      this.ordered.some((o) => o.name === name) ||
      [...this.timedByKey.values()].some((o) => o.name === name) ||
      [...this.serviceByKey.values()].some((o) => o.name === name)
    );
  }

  get objects(): readonly SimObject[] {
    return this.ordered;
  }

  find(type: number, instance: number): SimObject | undefined {
    return this.objectsByKey.get(objectKey(type, instance));
  }

  findByName(name: string): SimObject | undefined {
    return this.ordered.find((o) => o.name === name);
  }
}

/** Object identifiers are unique per (type, instance); pack both into one number for a Map key. */
function objectKey(type: number, instance: number): number {
  return type * 0x400000 + instance;
}
