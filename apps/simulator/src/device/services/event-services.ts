import * as asn1 from "@bacnet-js/client/dist/lib/asn1.js";
import { AlarmAcknowledge, GetEventInformation } from "@bacnet-js/client/dist/lib/services/index.js";
import type { BACNetEventInformation } from "@bacnet-js/client/dist/lib/types.js";
import { BACNET_ERRORS, decodeDestinations, ErrorClass, ErrorCode } from "@bms/bacnet";
import { NC, SimNotificationClass, transitionBits } from "../../objects/notification-class";
import { EVENT_STATE } from "../../objects/out-of-range";
import type { SimObject } from "../../objects/sim-object";
import type { ConfirmedRequest } from "../frame-decoder";
import { REJECT, type Reply, rejectMalformed, safeDecode } from "../reply";
import type { SimDevice } from "../sim-device";

const DATETIME = 2;
const SEQUENCE_NUMBER = 1;
const errorOf = (errorClass: number, errorCode: number): Reply => ({
  kind: "error",
  error: { errorClass, errorCode },
});

/**
 * AddListElement / RemoveListElement on a Notification Class's Recipient_List: how a workstation
 * registers for (and leaves) a device's alarms. The header is parsed here, the destinations by the
 * shared strict decoder: a malformed element rejects the whole request and changes nothing.
 */
export function changeRecipients(device: SimDevice, request: ConfirmedRequest, add: boolean): Reply {
  const { buffer, offset, length } = request;
  const end = offset + length;
  const parsed = safeDecode(() => {
    if (!asn1.decodeIsContextTag(buffer, offset, 0)) return undefined;
    let at = offset + 1;
    const id = asn1.decodeObjectId(buffer, at);
    at += id.len;
    const tag = asn1.decodeTagNumberAndValue(buffer, at);
    if (tag.tagNumber !== 1 || tag.value === undefined) return undefined;
    at += tag.len;
    const property = asn1.decodeEnumerated(buffer, at, tag.value);
    at += property.len;
    const indexed = asn1.decodeIsContextTag(buffer, at, 2);
    if (indexed || !asn1.decodeIsOpeningTagNumber(buffer, at, 3)) return indexed ? { indexed } : undefined;
    const list = decodeDestinations(buffer, at + 1, end);
    if (!list || !asn1.decodeIsClosingTagNumber(buffer, at + 1 + list.len, 3)) return undefined;
    if (at + 2 + list.len !== end) return undefined;
    return { indexed: false, type: id.objectType, instance: id.instance, property: property.value, list };
  });
  if (!parsed) return rejectMalformed(length);
  if (parsed.indexed || !("list" in parsed))
    return { kind: "error", error: BACNET_ERRORS.propertyIsNotAnArray };
  const target = device.findServiceObject(parsed.type ?? -1, parsed.instance ?? -1);
  if (!target) return { kind: "error", error: BACNET_ERRORS.unknownObject };
  if (!(target instanceof SimNotificationClass) || parsed.property !== NC.recipientList) {
    return { kind: "error", error: BACNET_ERRORS.writeAccessDenied };
  }
  const destinations = parsed.list?.destinations ?? [];
  if (destinations.length === 0) return { kind: "reject", reason: REJECT.missingRequiredParameter };
  if (add) {
    // All or nothing: check the room first, so a refused request leaves the list as it was.
    const fresh = destinations.filter(
      (d) =>
        !target.recipients.some(
          (r) =>
            r.address.ip === d.address.ip && r.address.port === d.address.port && r.processId === d.processId,
        ),
    );
    if (target.recipients.length + fresh.length > 16) {
      return errorOf(ErrorClass.SERVICES, ErrorCode.NO_SPACE_TO_ADD_LIST_ELEMENT);
    }
    for (const d of destinations) target.add(d);
  } else {
    for (const d of destinations) {
      if (!target.remove(d)) return errorOf(ErrorClass.SERVICES, ErrorCode.LIST_ELEMENT_NOT_FOUND);
    }
  }
  return { kind: "simpleAck" };
}

const stamp = (at: Date | null) => (at ? { type: DATETIME, value: at } : { type: SEQUENCE_NUMBER, value: 0 });

/** The objects GetEventInformation reports: not normal, or a transition still to acknowledge. */
export function activeEvents(device: SimDevice): SimObject[] {
  return device.objects.filter(
    (o) => o.alarm && (o.alarm.eventState !== EVENT_STATE.normal || o.alarm.acked.includes(false)),
  );
}

/** GetEventInformation (clause 13.12): every active event summary, after Last_Received_Object_Id. */
export function getEventInformation(device: SimDevice, request: ConfirmedRequest): Reply {
  let after: { type: number; instance: number } | undefined;
  if (request.length > 0) {
    const decoded = safeDecode(() => GetEventInformation.decode(request.buffer, request.offset));
    if (!decoded?.lastReceivedObjectId) return rejectMalformed(request.length);
    after = decoded.lastReceivedObjectId;
  }
  let events = activeEvents(device);
  if (after) {
    const i = events.findIndex((o) => o.type === after?.type && o.instance === after?.instance);
    events = i >= 0 ? events.slice(i + 1) : events;
  }
  // 20 summaries are about 800 octets: well inside one unsegmented 1476-octet reply.
  const page = events.slice(0, 20);
  const summaries = page.map((o): BACNetEventInformation => {
    const alarm = o.alarm!;
    const nc = device.findServiceObject(15, alarm.config.notificationClass);
    const priority = nc instanceof SimNotificationClass ? nc.priority : [100, 100, 200];
    return {
      objectId: { type: o.type, instance: o.instance },
      eventState: alarm.eventState,
      acknowledgedTransitions: transitionBits(alarm.acked),
      eventTimeStamps: alarm.timeStamps.map(stamp),
      notifyType: 0,
      eventEnable: transitionBits(alarm.config.eventEnable),
      eventPriorities: [...priority],
    } as unknown as BACNetEventInformation;
  });
  return {
    kind: "complexAck",
    body: (buf) => GetEventInformation.encodeAcknowledge(buf, summaries, events.length > page.length),
  };
}

/** AcknowledgeAlarm (clause 13.5): the transition named by its state and time stamp is acknowledged. */
export function acknowledgeAlarm(device: SimDevice, request: ConfirmedRequest): Reply {
  const decoded = safeDecode(() => AlarmAcknowledge.decode(request.buffer, request.offset, request.length));
  if (!decoded?.eventObjectId) return rejectMalformed(request.length);
  const object = device.find(decoded.eventObjectId.type, decoded.eventObjectId.instance);
  if (!object) return { kind: "error", error: BACNET_ERRORS.unknownObject };
  if (!object.alarm) return errorOf(ErrorClass.OBJECT, ErrorCode.NO_ALARM_CONFIGURED);
  const at = decoded.eventTimeStamp;
  if (!(at instanceof Date)) return errorOf(ErrorClass.SERVICES, ErrorCode.INVALID_TIMESTAMP);
  const outcome = object.alarm.acknowledge(decoded.eventStateAcknowledged, at);
  if (outcome === "invalid-event-state") return errorOf(ErrorClass.SERVICES, ErrorCode.INVALID_EVENT_STATE);
  if (outcome === "invalid-time-stamp") return errorOf(ErrorClass.SERVICES, ErrorCode.INVALID_TIMESTAMP);
  device.alarmAcks.push({ object: object.key, source: String(decoded.acknowledgeSource ?? "").slice(0, 64) });
  return { kind: "simpleAck", after: () => object.touch() };
}
