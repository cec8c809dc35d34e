import { describeEventValues, type EventValues, isAnalogType } from "@bms/bacnet";
import type { AlertEvent } from "@bms/nodes";
import type { BacnetService } from "../protocols/bacnet/bacnet-service";
import {
  acknowledgeAlarm,
  checkEventNotification,
  type DeviceEvent,
  EVENT_STATES,
  notificationClassesOf,
  readEventInformation,
  registerRecipient,
  unregisterRecipient,
} from "../protocols/bacnet/device-alarms";
import { EventUnits } from "../protocols/bacnet/event-units";
import { readObjectList } from "../protocols/bacnet/object-browser";
import type { AlertRecord, AlertsRepo } from "../storage/alerts-repo";
import type { AlertSink } from "./alert-sink";
import { repeatPasses } from "./repeating-pass";

/** Our process id in every Recipient_List ("BMS"): notifications for another process are not ours. */
export const DEVICE_ALARM_PROCESS_ID = 0x424d53;
/** Registrations are renewed this often, so a device that restarted with an empty list is found again. */
const RENEW_MS = 30 * 60_000;

export interface DeviceAlarmOptions {
  /** `auto`: every discovered device; a list: those devices only; `off`: none. */
  devices: "auto" | "off" | readonly number[];
  /** Ask devices for Confirmed EventNotifications (resent until we acknowledge them). */
  confirmed: boolean;
  /** Where device alarm transitions are posted (checked by the same allowlist as alert nodes). */
  webhookUrl?: string;
  /** How often to look for devices to register with. */
  passMs: number;
  /** On clean shutdown, the most time spent removing our entries from every device (default 3 s). */
  leaveBudgetMs?: number;
  /** ... and from one device (default 1.5 s): a silent device is given up on, not waited for. */
  leaveDeviceMs?: number;
}

export interface DeviceAlarmDeps {
  bacnet(): BacnetService | undefined;
  sink: AlertSink;
  alerts: AlertsRepo;
  report(level: "info" | "warn", message: string, data: Record<string, unknown>): void;
}

/** What acknowledging an alarm on its device needs: the state and the time stamp the device gave it. */
interface DeviceAlarm {
  deviceId: number;
  object: { type: number; instance: number };
  /** The to-offnormal transition's state and time stamp (what AcknowledgeAlarm names). */
  alarmState: number;
  alarmStamp: Date | undefined;
  /** Back to normal on the device (the alarm clears once acknowledged). */
  normal: boolean;
  awaitingAck: boolean;
}

/** What the alarm record carries beside its message: the decoded event values (GET /api/alerts). */
export interface DeviceEventDetail {
  event_type: string;
  values: EventValues | null;
  /** Why the values did not fully decode, e.g. `bad-field:statusFlags`. */
  values_problem: string | null;
  /** The device's own Message_Text. */
  device_message: string;
  /** The values as one line, e.g. "out of range: 31.2 °C above high limit 28, deadband 1". */
  text: string | null;
}

/** Event types whose values carry a measured quantity: their text shows the object's unit. */
const WITH_UNITS = new Set(["out-of-range", "floating-limit", "change-of-value"]);

export type DeviceAckOutcome = { kind: "ok"; alert: AlertRecord } | { kind: "unknown" };

/** The alarm table's key of a device object's alarm, e.g. bacnet:1201/analogInput:3. */
export const deviceAlarmKey = (deviceId: number, objectType: string, instance: number) =>
  `bacnet:${deviceId}/${objectType}:${instance}`;

/**
 * Names one transition of a device alarm as its acknowledgement names it: the state entered and the
 * device's time stamp, e.g. `3@1764662400000`. Kept on the row with the acknowledgement.
 */
function transitionId(state: number, stamp: Date | undefined): string {
  return `${state}@${stamp?.getTime() ?? "none"}`;
}

/**
 * Whether GetEventInformation names the transition an operator acknowledged. When the device is back
 * to normal it does not say which off-normal state it had been in, so the time stamp decides alone.
 */
function sameTransition(acked: string, state: number, stamp: Date | undefined, normal: boolean): boolean {
  const [ackedState, ackedStamp] = acked.split("@");
  return ackedStamp === String(stamp?.getTime() ?? "none") && (normal || ackedState === String(state));
}

/** BACnet priority (0 highest .. 255) as the alarm table's four levels. */
function priorityOf(p: number): AlertEvent["priority"] {
  return p < 64 ? "critical" : p < 128 ? "high" : p < 192 ? "medium" : "low";
}

/**
 * Device alarms beside the flows' own: the supervisor puts itself in each device's Notification
 * Class Recipient_List, reads GetEventInformation to learn what is already in alarm, and turns each
 * EventNotification into a row of the alarm table (through the alert sink, so the event log, the
 * webhook and the northbound hear it as they hear a flow's alarm). An operator's acknowledgement is
 * sent to the device with AcknowledgeAlarm first; the row changes only when the device accepted it.
 */
export class DeviceAlarmManager {
  private readonly alarms = new Map<string, DeviceAlarm>();
  private readonly registered = new Map<number, number>();
  /** The Notification Classes of each device that hold our entry (what to remove on the way out). */
  private readonly enrolled = new Map<number, number[]>();
  private readonly details = new Map<string, DeviceEventDetail>();
  /** Unit symbols of event objects, read in batches per device and kept until it registers again. */
  private readonly units = new EventUnits(
    () => this.deps.bacnet(),
    () => this.stats.unit_requests++,
  );
  /** Notifications are applied in arrival order, even when one waits for its object's unit. */
  private applying: Promise<void> = Promise.resolve();
  private stopPasses: (() => void) | undefined;
  private unlisten: (() => void) | undefined;
  readonly stats = {
    notifications: 0,
    refused: 0,
    registrations: 0,
    registration_failures: 0,
    acks: 0,
    event_values_invalid: 0,
    unregistrations: 0,
    unregistration_failures: 0,
    /** Alarms GetEventInformation showed waiting for a new acknowledgement over an acknowledged row. */
    raised_again_at_registration: 0,
    /** Requests sent for event objects' Units (ReadPropertyMultiple batches, or ReadProperty). */
    unit_requests: 0,
  };

  constructor(
    private readonly deps: DeviceAlarmDeps,
    private readonly options: DeviceAlarmOptions,
  ) {}

  start(firstDelayMs = 1500): void {
    if (this.options.devices === "off") return;
    this.stopPasses?.();
    this.stopPasses = repeatPasses(() => this.pass(), this.options.passMs, firstDelayMs);
  }

  stop(): void {
    this.stopPasses?.();
    this.stopPasses = undefined;
    this.unlisten?.();
    this.unlisten = undefined;
  }

  /** Registers with devices not yet (or not lately) registered with; listens once the socket is up. */
  async pass(): Promise<void> {
    const bacnet = this.deps.bacnet();
    if (!bacnet?.started) return;
    this.unlisten ??= bacnet.onEventNotification((payload, from, values) =>
      this.handle(bacnet, payload, from, values),
    );
    const { devices } = this.options;
    const wanted: number[] =
      devices === "auto" ? [...bacnet.devices.keys()] : devices === "off" ? [] : [...devices];
    const now = Date.now();
    // A device no longer in the alarm configuration (or forgotten): leave its recipient lists.
    const keep = new Set(wanted);
    for (const deviceId of [...this.enrolled.keys()]) {
      if (!keep.has(deviceId)) await this.leave(bacnet, deviceId, this.options.leaveDeviceMs ?? 1500);
    }
    for (const deviceId of wanted) {
      const at = this.registered.get(deviceId);
      if (at !== undefined && now - at < RENEW_MS) continue;
      await this.setUp(bacnet, deviceId);
    }
  }

  private async setUp(bacnet: BacnetService, deviceId: number): Promise<void> {
    try {
      const classes = notificationClassesOf(await readObjectList(bacnet, deviceId));
      for (const nc of classes) {
        await registerRecipient(
          bacnet,
          deviceId,
          nc,
          bacnet.localAddress,
          DEVICE_ALARM_PROCESS_ID,
          this.options.confirmed,
        );
        this.stats.registrations++;
        this.enrolled.set(deviceId, [...new Set([...(this.enrolled.get(deviceId) ?? []), nc])]);
      }
      this.registered.set(deviceId, Date.now());
      if (classes.length > 0) await this.syncActive(bacnet, deviceId);
    } catch (error) {
      this.stats.registration_failures++;
      this.deps.report("warn", "could not register for a device's alarms", {
        device_id: deviceId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /**
   * Removes our entries from one device's Notification Classes within `timeoutMs`; logged either way.
   * A class that failed stays enrolled, so the next pass (or shutdown) tries it again.
   */
  private async leave(bacnet: BacnetService, deviceId: number, timeoutMs: number): Promise<void> {
    const classes = this.enrolled.get(deviceId) ?? [];
    const left: number[] = [];
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const work = (async () => {
      for (const nc of classes) {
        await unregisterRecipient(
          bacnet,
          deviceId,
          nc,
          bacnet.localAddress,
          DEVICE_ALARM_PROCESS_ID,
          this.options.confirmed,
        );
        left.push(nc);
      }
      return "done" as const;
    })();
    try {
      const outcome = await Promise.race([work, timeout]);
      if (outcome === "timeout") throw new Error(`no answer within ${timeoutMs} ms`);
      this.stats.unregistrations++;
      this.deps.report("info", "left a device's alarm recipient lists", {
        device_id: deviceId,
        notification_classes: left,
      });
    } catch (error) {
      work.catch(() => undefined); // a late failure of an abandoned attempt is not an unhandled rejection
      this.stats.unregistration_failures++;
      this.deps.report("warn", "could not leave a device's alarm recipient lists", {
        device_id: deviceId,
        removed: left,
        kept: classes.filter((nc) => !left.includes(nc)),
        error: error instanceof Error ? error.message : String(error),
      });
    } finally {
      clearTimeout(timer);
      const kept = classes.filter((nc) => !left.includes(nc));
      if (kept.length > 0) this.enrolled.set(deviceId, kept);
      else this.enrolled.delete(deviceId);
      this.registered.delete(deviceId);
    }
  }

  /**
   * Clean shutdown: leaves every recipient list we joined, all devices at once, each within its own
   * timeout and all within the total budget, so a silent device cannot hold the process. After a crash
   * the entries stay until the next start re-registers (the same entry, so nothing accumulates).
   */
  async leaveAll(): Promise<void> {
    this.stop();
    const bacnet = this.deps.bacnet();
    if (!bacnet?.started || this.enrolled.size === 0) return;
    const budget = this.options.leaveBudgetMs ?? 3000;
    const perDevice = Math.min(this.options.leaveDeviceMs ?? 1500, budget);
    let timer: NodeJS.Timeout | undefined;
    const all = Promise.allSettled([...this.enrolled.keys()].map((id) => this.leave(bacnet, id, perDevice)));
    await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, budget)))]);
    clearTimeout(timer);
  }

  /**
   * GetEventInformation: alarms already standing on the device when we (re)start or register again.
   * One the alarm table holds as acknowledged that the device reports waiting for an acknowledgement
   * of another transition (a new state or time stamp: it went off-normal again while we were not
   * listening) is raised again, as a new notification would raise it: active, counted, on the webhook.
   */
  private async syncActive(bacnet: BacnetService, deviceId: number): Promise<void> {
    const events = await readEventInformation(bacnet, deviceId);
    // Units may have changed since the device last registered; those of its standing alarms are read
    // now, in one batch, for the notifications that will follow.
    this.units.forget(deviceId);
    void this.units.prefetch(
      deviceId,
      events
        .filter((e) => isAnalogType(e.objectTypeId))
        .map((e) => ({ type: e.objectTypeId, instance: e.instance })),
    );
    for (const e of events) {
      const normal = e.eventState === 0;
      if (normal && e.offnormalAcked) continue;
      const key = deviceAlarmKey(deviceId, e.objectType, e.instance);
      const state = EVENT_STATES[e.eventState] ?? `state ${e.eventState}`;
      const alarmState = normal ? 2 : e.eventState;
      const held = this.deps.alerts.ackedTransition(key);
      const raisedAgain =
        !e.offnormalAcked &&
        held?.state === "acknowledged" &&
        (held.transition === null || !sameTransition(held.transition, alarmState, e.offnormalStamp, normal));
      if (raisedAgain) this.stats.raised_again_at_registration++;
      this.alarms.set(key, {
        deviceId,
        object: { type: e.objectTypeId, instance: e.instance },
        alarmState,
        alarmStamp: e.offnormalStamp,
        normal,
        awaitingAck: !e.offnormalAcked,
      });
      this.raise(key, deviceId, {
        priority: e.priority,
        message: normal
          ? `${e.objectType}:${e.instance} back to normal, waiting for acknowledgement`
          : `${e.objectType}:${e.instance} ${state}`,
        latched: !e.offnormalAcked,
        at: e.timeStamp ?? new Date(),
        newOccurrence: raisedAgain,
      });
    }
  }

  private raise(
    key: string,
    deviceId: number,
    a: { priority: number; message: string; latched: boolean; at: Date; newOccurrence?: boolean },
  ): void {
    this.deps.sink.handle(
      {
        nodeId: `bacnet-device:${deviceId}`,
        key,
        state: "active",
        priority: priorityOf(a.priority),
        message: a.message,
        latched: a.latched,
        timestamp: a.at.getTime(),
        ...(this.options.webhookUrl ? { webhookUrl: this.options.webhookUrl } : {}),
      },
      null,
      a.newOccurrence === true,
    );
  }

  private settle(key: string, deviceId: number, state: "cleared" | "acknowledged", message: string): void {
    this.deps.sink.handle(
      {
        nodeId: `bacnet-device:${deviceId}`,
        key,
        state,
        priority: "medium",
        message,
        latched: false,
        timestamp: Date.now(),
        ...(this.options.webhookUrl ? { webhookUrl: this.options.webhookUrl } : {}),
      },
      null,
    );
  }

  private handle(
    bacnet: BacnetService,
    payload: Record<string, unknown> | undefined,
    from: Parameters<typeof checkEventNotification>[1],
    values: Parameters<typeof checkEventNotification>[4],
  ): boolean {
    const checked = checkEventNotification(
      payload,
      from,
      (id) => bacnet.devices.get(id),
      DEVICE_ALARM_PROCESS_ID,
      values,
    );
    if (typeof checked === "string") {
      this.stats.refused++;
      this.deps.report("warn", "an event notification was refused", { why: checked });
      return false;
    }
    this.stats.notifications++;
    if (checked.valuesProblem) {
      this.stats.event_values_invalid++;
      this.deps.report("warn", "an event notification's values were malformed", {
        device_id: checked.deviceId,
        object: `${checked.objectType}:${checked.instance}`,
        ...checked.valuesProblem,
      });
    }
    // The unit is asked for now, not when this notification's turn comes: the lookups of a burst go
    // to the device together while the notifications still apply in arrival order.
    const unit =
      checked.values && WITH_UNITS.has(checked.values.type)
        ? this.units.of(checked.deviceId, { type: checked.objectTypeId, instance: checked.instance })
        : Promise.resolve("");
    this.applying = this.applying
      .then(() => this.describe(checked, unit))
      .then(
        () => this.apply(checked),
        () => this.apply(checked),
      );
    return true;
  }

  /** The alarm's message from its decoded values (with the object's unit), kept as the record's detail. */
  private async describe(e: DeviceEvent, unitLookup: Promise<string>): Promise<void> {
    const key = deviceAlarmKey(e.deviceId, e.objectType, e.instance);
    const problem = e.valuesProblem
      ? `${e.valuesProblem.problem}${e.valuesProblem.field ? `:${e.valuesProblem.field}` : ""}`
      : null;
    const unit = await unitLookup;
    const text = e.values ? describeEventValues(e.values, e.toState, unit) : null;
    this.details.set(key, {
      event_type: e.eventType,
      values: e.values ?? null,
      values_problem: problem,
      device_message: e.deviceText,
      text,
    });
    if (text)
      e.message = `${e.deviceText || `${e.objectType}:${e.instance}`}: ${text}${problem ? " (partly decoded)" : ""}`;
  }

  /** The decoded event values of a device alarm, for its alarm record. */
  detailOf(key: string): DeviceEventDetail | undefined {
    return this.details.get(key);
  }

  private apply(e: DeviceEvent): void {
    const key = deviceAlarmKey(e.deviceId, e.objectType, e.instance);
    const known = this.alarms.get(key);
    const object = { type: e.objectTypeId, instance: e.instance };
    if (e.toState !== 0) {
      // A confirmed notification the device resent (our acknowledgement was lost or late) names the
      // same state and time stamp: the same transition. Anything else is a new one, raised again even
      // over an alarm an operator already acknowledged (high limit to low limit, or back in alarm
      // before it cleared), since the device waits for a new acknowledgement of it.
      const resent =
        known !== undefined &&
        !known.normal &&
        known.alarmState === e.toState &&
        known.alarmStamp?.getTime() === e.timeStamp.getTime();
      this.alarms.set(key, {
        deviceId: e.deviceId,
        object,
        alarmState: e.toState,
        alarmStamp: e.timeStamp,
        normal: false,
        // A resend does not undo an acknowledgement already given.
        awaitingAck: resent ? known.awaitingAck : e.ackRequired,
      });
      this.raise(key, e.deviceId, {
        priority: e.priority,
        message: e.message,
        latched: e.ackRequired,
        at: e.timeStamp,
        newOccurrence: !resent,
      });
      return;
    }
    // Back to normal: it clears now, or once acknowledged when the device still wants an ack.
    if (known?.awaitingAck) {
      known.normal = true;
      this.raise(key, e.deviceId, {
        priority: e.priority,
        message: `${e.message}, waiting for acknowledgement`,
        latched: true,
        at: e.timeStamp,
      });
      return;
    }
    this.alarms.delete(key);
    this.settle(key, e.deviceId, "cleared", e.message);
  }

  owns(key: string): boolean {
    return this.alarms.has(key);
  }

  /**
   * An operator's acknowledgement of a device alarm: AcknowledgeAlarm on the device first (its refusal
   * or silence is thrown to the caller, and the row stays as it was), then the alarm table.
   */
  async acknowledge(key: string, by: string, comment?: string): Promise<DeviceAckOutcome> {
    const alarm = this.alarms.get(key);
    const bacnet = this.deps.bacnet();
    if (!alarm || !bacnet) return { kind: "unknown" };
    if (alarm.awaitingAck && alarm.alarmStamp) {
      await acknowledgeAlarm(
        bacnet,
        alarm.deviceId,
        alarm.object,
        alarm.alarmState,
        alarm.alarmStamp,
        `BMS supervisor: ${by}`,
      );
      this.stats.acks++;
    }
    alarm.awaitingAck = false;
    this.settle(key, alarm.deviceId, "acknowledged", "acknowledged");
    const record = this.deps.alerts.acknowledge(key, by, {
      comment,
      transition: transitionId(alarm.alarmState, alarm.alarmStamp),
    });
    if (alarm.normal) {
      this.alarms.delete(key);
      this.settle(key, alarm.deviceId, "cleared", "back to normal and acknowledged");
    }
    const alert = this.deps.alerts.list(false, 1000).find((a) => a.key === key) ?? record;
    return alert ? { kind: "ok", alert } : { kind: "unknown" };
  }
}
