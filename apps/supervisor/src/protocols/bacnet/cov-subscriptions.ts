import type { BACNetObjectID, CovNotifyPayload } from "@bacnet-js/client";
import { objectTypeName, PROPERTIES } from "@bms/bacnet";
import { type DeviceAddress, formatDeviceAddress, isDeviceInstance, sameAddress } from "./device-address";
import type { KnownDevice } from "./device-registry";
import type { RequestPipeline } from "./request-pipeline";
import { checkPresentValue, isObjectId } from "./wire-checks";

/** A COV notification, decoded: which object changed and its reported properties (raw app values). */
export interface CovNotification {
  /** Accepted only from the subscribed device's address, with our process id, for a subscribed object. */
  deviceId: number;
  objectType: number;
  instance: number;
  values: Map<number, { type: number; value: unknown }[]>;
  timeRemaining: number;
}

/**
 * SubscribeCOV and its notifications on the wire: which subscriptions we hold (and with which
 * subscriber process id), and the checks a notification passes before anyone hears of it. The policy
 * (which points, renewals, falling back to polling) is CovManager's.
 */
export class CovSubscriptions {
  private readonly listeners = new Set<(notification: CovNotification) => void>();
  /** `device:type:instance` -> the subscriber process id we used in SubscribeCOV. */
  private readonly subscriptions = new Map<string, number>();
  private nextSubscriptionId = 1;

  constructor(
    private readonly pipeline: RequestPipeline,
    private readonly devices: ReadonlyMap<number, KnownDevice>,
    private readonly dropped: (why: string, data: Record<string, unknown>) => void,
  ) {}

  onCov(listener: (notification: CovNotification) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A COV notification is used only when it comes from the subscribed device's address, carries the
   * process id we subscribed with, and reports the object we subscribed to. Returns whether it was.
   */
  handle(payload: CovNotifyPayload | undefined, from: DeviceAddress | undefined): boolean {
    const initiating = payload?.initiatingDeviceId as unknown as number | { instance?: unknown } | undefined;
    const deviceId = typeof initiating === "number" ? initiating : initiating?.instance;
    const object = payload?.monitoredObjectId;
    const processId = payload?.subscriberProcessId;
    const drop = (why: string) => {
      this.dropped(why, {
        ...(from ? { from: formatDeviceAddress(from) } : {}),
        ...(isDeviceInstance(deviceId) ? { device: deviceId } : {}),
        ...(isObjectId(object) ? { object: `${object.type}:${object.instance}` } : {}),
        ...(typeof processId === "number" ? { process_id: processId } : {}),
      });
      return false;
    };
    if (
      !payload ||
      !from ||
      !isDeviceInstance(deviceId) ||
      !isObjectId(object) ||
      typeof processId !== "number" ||
      !Array.isArray(payload.values)
    ) {
      return drop("invalid fields");
    }
    const expected = this.subscriptions.get(`${deviceId}:${object.type}:${object.instance}`);
    if (expected === undefined) return drop("no subscription for that object");
    if (processId !== expected) return drop("wrong subscriber process id");
    const device = this.devices.get(deviceId);
    if (!device || !sameAddress(device.address, from))
      return drop("not sent from the subscribed device's address");
    const values = new Map<number, { type: number; value: unknown }[]>();
    for (const v of payload.values) {
      if (typeof v?.property?.id === "number" && Array.isArray(v.value)) values.set(v.property.id, v.value);
    }
    const pv = values.get(PROPERTIES.presentValue)?.[0];
    if (pv && !checkPresentValue(object.type, pv).ok) return drop("a presentValue of the wrong datatype");
    const notification: CovNotification = {
      deviceId,
      objectType: object.type,
      instance: object.instance,
      values,
      timeRemaining: typeof payload.timeRemaining === "number" ? payload.timeRemaining : 0,
    };
    for (const listener of this.listeners) listener(notification);
    return true;
  }

  /** SubscribeCOV (unconfirmed by default); pass the process id of an existing subscription to renew it. */
  async subscribe(
    deviceId: number,
    objectType: number,
    instance: number,
    lifetimeSeconds: number,
    confirmed = false,
    processId?: number,
  ): Promise<number> {
    const id = processId ?? (this.nextSubscriptionId++ % 0x3fffffff) + 1;
    const objectId = { type: objectType, instance } as BACNetObjectID;
    // Registered before the request: the device may notify before its SimpleAck is processed.
    const key = `${deviceId}:${objectType}:${instance}`;
    this.subscriptions.set(key, id);
    try {
      await this.pipeline.request(
        deviceId,
        `subscribe-cov ${objectTypeName(objectType)}:${instance}`,
        (client, to) => client.subscribeCov(to, objectId, id, false, confirmed, lifetimeSeconds),
      );
    } catch (error) {
      if (this.subscriptions.get(key) === id) this.subscriptions.delete(key);
      throw error;
    }
    return id;
  }

  async cancel(deviceId: number, objectType: number, instance: number, subscriptionId: number) {
    const key = `${deviceId}:${objectType}:${instance}`;
    if (this.subscriptions.get(key) === subscriptionId) this.subscriptions.delete(key);
    const objectId = { type: objectType, instance } as BACNetObjectID;
    await this.pipeline.request(
      deviceId,
      `cancel-cov ${objectTypeName(objectType)}:${instance}`,
      (client, to) => client.subscribeCov(to, objectId, subscriptionId, true, false, 0),
    );
  }
}
