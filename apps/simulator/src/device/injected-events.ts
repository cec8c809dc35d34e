import { type DecodedEventType, EVENT_VALUE_CHOICES, type EventValues } from "@bms/bacnet";
import type { SimObject } from "../objects/sim-object";
import { VENDOR } from "./sim-device";

/** The event types the simulator can send on request (REST), one per decoded BACnetEventType. */
export const INJECTABLE_EVENT_TYPES = Object.keys(EVENT_VALUE_CHOICES) as DecodedEventType[];

/** BACnetEventState each type enters by default: a limit for the range types, life-safety-alarm, offnormal. */
export function defaultToState(type: DecodedEventType): number {
  if (type === "out-of-range" || type === "unsigned-range") return 3; // high-limit
  if (type === "change-of-life-safety") return 5; // life-safety-alarm
  return 2; // offnormal
}

/**
 * Example values of `type` for `object`, built from its present value and status flags, as a device
 * of that kind would send them: what commissioning tests use to exercise a receiver's decoding of
 * each event type over the wire. REALs are rounded to float32, as they travel.
 */
export function sampleEventValues(
  type: DecodedEventType,
  object: SimObject,
  deviceInstance: number,
): EventValues {
  const pv = Math.fround(object.presentValue);
  const statusFlags = { ...object.statusFlags, inAlarm: true };
  switch (type) {
    case "change-of-bitstring":
      return { type, referencedBitstring: [true, false, true, true], statusFlags };
    case "change-of-state":
      return { type, newState: { choice: 1, value: pv > 0 ? 1 : 0 }, statusFlags };
    case "change-of-value":
      return { type, newValue: { changedValue: pv }, statusFlags };
    case "command-failure":
      return { type, commandValue: { tag: 9, value: 1 }, statusFlags, feedbackValue: { tag: 9, value: 0 } };
    case "floating-limit":
      return { type, referenceValue: pv, statusFlags, setpointValue: 21, errorLimit: 5 };
    case "out-of-range":
      return { type, exceedingValue: pv, statusFlags, deadband: 1, exceededLimit: 28 };
    case "change-of-life-safety":
      return { type, newState: 2, newMode: 1, statusFlags, operationExpected: 4 };
    case "extended":
      // Parameters: one application Unsigned (5), opaque to anyone but the vendor.
      return { type, vendorId: VENDOR.identifier, extendedEventType: 1, parameters: "2105" };
    case "buffer-ready":
      return {
        type,
        bufferProperty: { object: { type: 20, instance: 1 }, propertyId: 131, deviceInstance },
        previousNotification: 0,
        currentNotification: 10,
      };
    case "unsigned-range":
      return { type, exceedingValue: Math.round(Math.abs(pv)), statusFlags, exceededLimit: 10 };
  }
}
