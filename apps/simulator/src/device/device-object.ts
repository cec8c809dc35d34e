import { ApplicationTag } from "@bacnet-js/client";
import {
  type AppValue,
  app,
  BACNET_ERRORS,
  bitString,
  type CovSubscriptionValue,
  PROPERTIES as P,
} from "@bms/bacnet";
import {
  ARRAY_ALL,
  NOT_IN_PROPERTY_LIST,
  type PropertyReader,
  type ReadResult,
  readError,
  readWithIndex,
  type WriteResult,
  writeError,
  writeOk,
} from "../objects/property-access";
import { type CovSubscription, timeRemainingS } from "./cov-subscriptions";
import { type SimDevice, VENDOR } from "./sim-device";

const DEVICE_TYPE = 8;
export const PROTOCOL_REVISION = 14;

/** Services this device executes or initiates (BACnetServicesSupported bit numbers). */
const SERVICES_SUPPORTED = [
  0, // acknowledgeAlarm
  1, // confirmedCOVNotification (initiated)
  2, // confirmedEventNotification (initiated)
  5, // subscribeCOV
  8, // addListElement
  9, // removeListElement
  12, // readProperty
  14, // readPropertyMultiple
  15, // writeProperty
  16, // writePropertyMultiple
  17, // deviceCommunicationControl
  20, // reinitializeDevice
  26, // i-Am
  27, // i-Have
  28, // unconfirmedCOVNotification (initiated)
  30, // unconfirmedEventNotification (initiated)
  32, // timeSynchronization
  33, // who-Has
  34, // who-Is
  35, // readRange
  36, // utcTimeSynchronization
  39, // getEventInformation
];
const SERVICES_BITS = 41; // revision 14 defines services 0..40

/** device(8), the nine point types, calendar(6), notification-class(15), schedule(17), trend-log(20). */
const OBJECT_TYPES_SUPPORTED = [0, 1, 2, 3, 4, 5, 6, 8, 13, 14, 15, 17, 19, 20];
const OBJECT_TYPES_BITS = 55; // revision 14 defines object types 0..54

const REQUIRED = [
  P.objectIdentifier,
  P.objectName,
  P.objectType,
  P.systemStatus,
  P.vendorName,
  P.vendorIdentifier,
  P.modelName,
  P.firmwareRevision,
  P.applicationSoftwareVersion,
  P.protocolVersion,
  P.protocolRevision,
  P.protocolServicesSupported,
  P.protocolObjectTypesSupported,
  P.objectList,
  P.maxApduLengthAccepted,
  P.segmentationSupported,
  P.apduTimeout,
  P.numberOfApduRetries,
  P.deviceAddressBinding,
  P.databaseRevision,
  P.propertyList,
];
// activeCovSubscriptions is required of a device that executes SubscribeCOV, which we do.
const OPTIONAL = [P.description, P.location, P.localDate, P.localTime, P.activeCovSubscriptions];

export const deviceRequiredProperties = (): number[] => [...REQUIRED];
export const deviceOptionalProperties = (): number[] => [...OPTIONAL];

export function deviceObjectList(device: SimDevice): AppValue[] {
  const list: AppValue[] = [app.objectId(DEVICE_TYPE, device.instance)];
  for (const o of device.objects) list.push(app.objectId(o.type, o.instance));
  for (const o of device.timed) list.push(app.objectId(o.type, o.instance));
  for (const o of device.serviceObjects) list.push(app.objectId(o.type, o.instance));
  return list;
}

function reader(device: SimDevice, id: number): PropertyReader | undefined {
  switch (id) {
    case P.objectIdentifier:
      return { read: () => app.objectId(DEVICE_TYPE, device.instance) };
    case P.objectName:
      return { read: () => app.string(device.name) };
    case P.objectType:
      return { read: () => app.enumerated(DEVICE_TYPE) };
    case P.systemStatus:
      return { read: () => app.enumerated(0) }; // operational
    case P.vendorName:
      return { read: () => app.string(VENDOR.name) };
    case P.vendorIdentifier:
      return { read: () => app.unsigned(VENDOR.identifier) };
    case P.modelName:
      return { read: () => app.string(device.modelName) };
    case P.firmwareRevision:
      return { read: () => app.string(VENDOR.firmwareRevision) };
    case P.applicationSoftwareVersion:
      return { read: () => app.string(VENDOR.applicationSoftwareVersion) };
    case P.protocolVersion:
      return { read: () => app.unsigned(1) };
    case P.protocolRevision:
      return { read: () => app.unsigned(PROTOCOL_REVISION) };
    case P.protocolServicesSupported:
      return { read: () => app.bits(bitString(SERVICES_BITS, SERVICES_SUPPORTED)) };
    case P.protocolObjectTypesSupported:
      return { read: () => app.bits(bitString(OBJECT_TYPES_BITS, OBJECT_TYPES_SUPPORTED)) };
    case P.objectList:
      return { read: () => deviceObjectList(device), array: true };
    case P.maxApduLengthAccepted:
      return { read: () => app.unsigned(device.link.maxApdu) };
    case P.segmentationSupported:
      // BACnetSegmentation: segmented-transmit (1) or no-segmentation (3).
      return { read: () => app.enumerated(device.link.segmentation ? 1 : 3) };
    case P.apduTimeout:
      return { read: () => app.unsigned(3000) };
    case P.numberOfApduRetries:
      return { read: () => app.unsigned(3) };
    case P.deviceAddressBinding:
      return { read: () => [] }; // we bind to nobody: an empty list
    case P.databaseRevision:
      return { read: () => app.unsigned(device.databaseRevision) };
    case P.description:
      return { read: () => app.string(device.description) };
    case P.location:
      return { read: () => app.string(device.location) };
    case P.localDate:
      return { read: () => app.date(device.now()) };
    case P.localTime:
      return { read: () => app.time(device.now()) };
    case P.activeCovSubscriptions:
      return { read: () => device.cov.all().map((sub) => app.covSubscription(covSubscriptionValue(sub))) };
    case P.propertyList:
      return {
        read: () =>
          [...REQUIRED, ...OPTIONAL]
            .filter((p) => !NOT_IN_PROPERTY_LIST.has(p))
            .map((p) => app.enumerated(p)),
        array: true,
      };
    default:
      return undefined;
  }
}

/** B/IP MAC of a subscriber: its IPv4 octets and UDP port; routed subscribers keep their SNET/SADR. */
function covSubscriptionValue(sub: CovSubscription): CovSubscriptionValue {
  const peer = sub.subscriber;
  const recipient =
    peer.net !== undefined && peer.adr
      ? { network: peer.net, address: peer.adr }
      : {
          network: 0,
          address: [
            ...peer.address.split(".").map((o) => Number(o) & 0xff),
            peer.port >> 8,
            peer.port & 0xff,
          ],
        };
  return {
    recipient,
    subscriptionProcessId: sub.processId,
    monitoredObjectId: { type: sub.object.type, instance: sub.object.instance },
    monitoredProperty: { id: P.presentValue, index: ARRAY_ALL },
    issueConfirmedNotifications: sub.confirmed,
    timeRemaining: timeRemainingS(sub, Date.now()),
    covIncrement: sub.object.kind === "analog" ? sub.object.covIncrement : 0,
  };
}

export function readDeviceProperty(device: SimDevice, id: number, index: number): ReadResult {
  const r = reader(device, id);
  if (!r) return readError(BACNET_ERRORS.unknownProperty);
  return readWithIndex(r, index);
}

/** Only the commissioning texts are writable; everything the standard fixes is write-access-denied. */
export function writeDeviceProperty(
  device: SimDevice,
  id: number,
  values: ReadonlyArray<{ type: number; value: unknown }>,
): WriteResult {
  if (!reader(device, id)) return writeError(BACNET_ERRORS.unknownProperty);
  if (id !== P.description && id !== P.location) return writeError(BACNET_ERRORS.writeAccessDenied);
  const first = values[0];
  if (!first || first.type !== ApplicationTag.CHARACTER_STRING || typeof first.value !== "string") {
    return writeError(BACNET_ERRORS.invalidDataType);
  }
  if (id === P.description) device.description = first.value;
  else device.location = first.value;
  return writeOk;
}
