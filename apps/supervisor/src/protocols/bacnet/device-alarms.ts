import type { BACNetObjectID } from "@bacnet-js/client";
import {
  type Destination,
  destinationOctets,
  type EventValues,
  type EventValuesDecoded,
  objectTypeName,
} from "@bms/bacnet";
import type { BacnetService } from "./bacnet-service";
import { type DeviceAddress, isDeviceInstance, sameAddress } from "./device-address";
import { isObjectId, MAX_TEXT_LENGTH } from "./wire-checks";

export const NOTIFICATION_CLASS_TYPE = 15;
const RECIPIENT_LIST = 102;
const DEVICE_TYPE = 8;

/** BACnetEventState names (clause 21). */
export const EVENT_STATES = ["normal", "fault", "offnormal", "high-limit", "low-limit", "life-safety-alarm"];
/** BACnetEventType names we show; others are shown by number. */
const EVENT_TYPES: Record<number, string> = {
  0: "change-of-bitstring",
  1: "change-of-state",
  2: "change-of-value",
  3: "command-failure",
  4: "floating-limit",
  5: "out-of-range",
  8: "change-of-life-safety",
  9: "extended",
  10: "buffer-ready",
  11: "unsigned-range",
};

/** One event a device reported, checked: what the alarm table and the webhook carry. */
export interface DeviceEvent {
  deviceId: number;
  objectType: string;
  objectTypeId: number;
  instance: number;
  /** The state entered, and the one left (when the notification says). */
  toState: number;
  fromState: number | null;
  /** The device's time stamp of the transition: AcknowledgeAlarm must name it. */
  timeStamp: Date;
  priority: number;
  notificationClass: number;
  eventType: string;
  ackRequired: boolean;
  /** The device's Message_Text, or the object and state when it sent none. */
  message: string;
  /** The notification's Message_Text as sent ("" when none). */
  deviceText: string;
  /** The event values as far as they decoded (absent in an ack-notification or an unusable frame). */
  values?: EventValues;
  /** Why the values did not fully decode (the notification is still shown). */
  valuesProblem?: { problem: string; field?: string };
}

/** Why a notification was refused: counted and logged, never thrown into the socket handler. */
export type EventRefusal =
  | "invalid fields"
  | "not from the initiating device's address"
  | "unknown device"
  | "not for our process id";

type Payload = Record<string, unknown>;

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/**
 * Checks an EventNotification as the library decoded it. The sender must be the address the
 * supervisor knows for the initiating device (a forged notification from elsewhere is refused), the
 * process id ours, and every field of the right type and range; text is cut to the usual cap.
 */
export function checkEventNotification(
  payload: Payload | undefined,
  from: DeviceAddress | undefined,
  known: (deviceId: number) => { address: DeviceAddress } | undefined,
  processId: number,
  values: EventValuesDecoded = {},
): DeviceEvent | EventRefusal {
  if (!payload || !from) return "invalid fields";
  const initiating = payload.initiatingObjectId;
  const object = payload.eventObjectId;
  if (!isObjectId(initiating) || initiating.type !== DEVICE_TYPE || !isDeviceInstance(initiating.instance)) {
    return "invalid fields";
  }
  if (!isObjectId(object)) return "invalid fields";
  const deviceId = initiating.instance;
  const device = known(deviceId);
  if (!device) return "unknown device";
  if (!sameAddress(device.address, from)) return "not from the initiating device's address";
  if (num(payload.processId) !== processId) return "not for our process id";
  const stamp = payload.timeStamp as { type?: unknown; value?: unknown } | undefined;
  const timeStamp = stamp?.value instanceof Date ? stamp.value : undefined;
  const toState = num(payload.toState);
  const priority = num(payload.priority);
  const notificationClass = num(payload.notificationClass);
  const eventType = num(payload.eventType);
  if (
    !timeStamp ||
    Number.isNaN(timeStamp.getTime()) ||
    toState === undefined ||
    !Number.isInteger(toState) ||
    toState < 0 ||
    toState > 65535 ||
    priority === undefined ||
    priority < 0 ||
    priority > 255 ||
    notificationClass === undefined ||
    eventType === undefined
  ) {
    return "invalid fields";
  }
  const text = typeof payload.messageText === "string" ? payload.messageText.slice(0, MAX_TEXT_LENGTH) : "";
  const fromState = num(payload.fromState);
  const type = objectTypeName(object.type);
  const event: DeviceEvent = {
    deviceId,
    objectType: type,
    objectTypeId: object.type,
    instance: object.instance,
    toState,
    fromState: fromState ?? null,
    timeStamp,
    priority,
    notificationClass,
    eventType: EVENT_TYPES[eventType] ?? String(eventType),
    ackRequired: payload.ackRequired === true,
    message: text || `${type}:${object.instance} ${EVENT_STATES[toState] ?? `state ${toState}`}`,
    deviceText: text,
  };
  if (values.values) event.values = values.values;
  if (values.problem) {
    event.valuesProblem = values.field
      ? { problem: values.problem, field: values.field }
      : { problem: values.problem };
  }
  return event;
}

/** The Notification Class objects in a device's object list. */
export function notificationClassesOf(objects: readonly { type: number; instance: number }[]): number[] {
  return objects.filter((o) => o.type === NOTIFICATION_CLASS_TYPE).map((o) => o.instance);
}

/** Our entry: every day, all day, all three transitions, to our own B/IP address. */
function ourDestination(
  self: { ip: string; port: number },
  processId: number,
  confirmed: boolean,
): Destination {
  return {
    validDays: [true, true, true, true, true, true, true],
    fromMs: 0,
    toMs: 86_399_990,
    address: { ip: self.ip, port: self.port, net: 0 },
    processId,
    confirmed,
    transitions: [true, true, true],
  };
}

/**
 * Adds the supervisor to a Notification Class's Recipient_List with AddListElement. Adding an equal
 * destination again is harmless (the standard makes it a no-op), so registering at every start is safe.
 */
export async function registerRecipient(
  bacnet: BacnetService,
  deviceId: number,
  notificationClass: number,
  self: { ip: string; port: number },
  processId: number,
  confirmed: boolean,
): Promise<void> {
  const objectId = { type: NOTIFICATION_CLASS_TYPE, instance: notificationClass } as BACNetObjectID;
  const encoded = destinationOctets([ourDestination(self, processId, confirmed)]);
  await bacnet.call(deviceId, `register in notificationClass:${notificationClass}`, (client, to) =>
    client.addListElement(to, objectId, { id: RECIPIENT_LIST, index: 0xffffffff }, [{ encoded } as never]),
  );
}

/**
 * Removes exactly the entry registerRecipient added (RemoveListElement names the element by value, so
 * other recipients are never touched). No read-modify-write fallback is needed: we only ever register
 * with AddListElement, and a device that executes it executes RemoveListElement too (both are the
 * DM-LM-B list-manipulation BIBB). One attempt: this runs on the way out, under a time budget.
 */
export async function unregisterRecipient(
  bacnet: BacnetService,
  deviceId: number,
  notificationClass: number,
  self: { ip: string; port: number },
  processId: number,
  confirmed: boolean,
): Promise<void> {
  const objectId = { type: NOTIFICATION_CLASS_TYPE, instance: notificationClass } as BACNetObjectID;
  const encoded = destinationOctets([ourDestination(self, processId, confirmed)]);
  await bacnet.call(deviceId, `leave notificationClass:${notificationClass}`, (client, to) =>
    client.removeListElement(to, objectId, { id: RECIPIENT_LIST, index: 0xffffffff }, [{ encoded } as never]),
  );
}

/** Pages of GetEventInformation read at most (a device answering in circles must not hold us). */
const MAX_EVENT_PAGES = 64;

/**
 * A device's active event summaries (GetEventInformation), every page, checked field by field. A
 * device answers in pages (the simulator 20 summaries, real ones what fits an APDU) and the library
 * drops the More_Events flag, so we ask again after the last object of each page until a page comes
 * back empty (one extra short request): reading only the first page lost every standing alarm after it.
 */
export async function readEventInformation(bacnet: BacnetService, deviceId: number) {
  const events: unknown[] = [];
  let after: { type: number; instance: number } | null = null;
  for (let page = 0; page < MAX_EVENT_PAGES; page++) {
    const from: { type: number; instance: number } | null = after;
    const answer: unknown[] = await bacnet.call(deviceId, "GetEventInformation", (client, to) =>
      client.getEventInformation(to, from as BACNetObjectID | null),
    );
    if (!Array.isArray(answer) || answer.length === 0) break;
    const last: unknown = (answer[answer.length - 1] as Payload).objectId;
    // No progress (a device that ignores Last_Received_Object_Id) ends the reading too.
    if (!isObjectId(last) || (after && last.type === after.type && last.instance === after.instance)) {
      events.push(...answer);
      break;
    }
    events.push(...answer);
    after = { type: last.type, instance: last.instance };
  }
  return events.flatMap((e) => {
    const raw = e as unknown as Payload;
    const object = raw.objectId;
    const state = num(raw.eventState);
    const stamps = Array.isArray(raw.eventTimeStamps) ? raw.eventTimeStamps : [];
    const acked = (raw.acknowledgedTransitions as { value?: number[] } | undefined)?.value?.[0] ?? 7;
    if (!isObjectId(object) || state === undefined) return [];
    const stampOf = (i: number) => {
      const s = stamps[i] as { value?: unknown } | undefined;
      return s?.value instanceof Date && !Number.isNaN(s.value.getTime()) ? s.value : undefined;
    };
    // The transition that brought the current state: to-normal (2) when normal, to-offnormal (0) else.
    const transition = state === 0 ? 2 : state === 1 ? 1 : 0;
    return [
      {
        objectTypeId: object.type,
        objectType: objectTypeName(object.type),
        instance: object.instance,
        eventState: state,
        timeStamp: stampOf(transition),
        /** Acked_Transitions bit of that transition (library bit order: bit n at 1 << n). */
        acked: (acked & (1 << transition)) !== 0,
        offnormalAcked: (acked & 1) !== 0,
        offnormalStamp: stampOf(0),
        priority: Array.isArray(raw.eventPriorities) ? (num(raw.eventPriorities[transition]) ?? 100) : 100,
      },
    ];
  });
}

/** AcknowledgeAlarm for one transition, named by the state and time stamp the device gave it. */
export async function acknowledgeAlarm(
  bacnet: BacnetService,
  deviceId: number,
  object: { type: number; instance: number },
  eventState: number,
  timeStamp: Date,
  source: string,
): Promise<void> {
  await bacnet.call(
    deviceId,
    `AcknowledgeAlarm ${objectTypeName(object.type)}:${object.instance}`,
    (client, to) =>
      client.acknowledgeAlarm(
        to,
        object as BACNetObjectID,
        eventState,
        source.slice(0, 64),
        { type: 2, value: timeStamp },
        { type: 2, value: new Date() },
      ),
  );
}
