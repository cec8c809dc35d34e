import * as asn1 from "@bacnet-js/client/dist/lib/asn1.js";
import { WriteProperty } from "@bacnet-js/client/dist/lib/services/index.js";
import { BACNET_ERRORS } from "@bms/bacnet";
import { writePointProperty } from "../../objects/point-properties";
import type { WriteResult } from "../../objects/property-access";
import {
  decodeStructured,
  isStructured,
  type TimedObject,
  writeStructured,
  writeTimedProperty,
} from "../../objects/schedule-objects";
import { writeDeviceProperty } from "../device-object";
import type { ConfirmedRequest } from "../frame-decoder";
import { REJECT, type Reply, safeDecode } from "../reply";
import type { SimDevice } from "../sim-device";
import { lookupObject } from "./object-lookup";

/** WriteProperty (clause 15.9) with priority; NULL relinquishes a commandable slot. */
export function writeProperty(device: SimDevice, request: ConfirmedRequest): Reply {
  const structured = safeDecode(() => structuredWrite(device, request));
  if (structured) return structured;
  // The library returns undefined both for malformed input and for a priority outside 1..16.
  const decoded = safeDecode(() => WriteProperty.decode(request.buffer, request.offset, request.length));
  if (!decoded) {
    return {
      kind: "reject",
      reason: request.length === 0 ? REJECT.missingRequiredParameter : REJECT.invalidTag,
    };
  }
  const target = lookupObject(device, decoded.objectId);
  const { property, value: values, priority } = decoded.value;
  let result: WriteResult;
  if (target.kind === "unknown") result = { ok: false, error: BACNET_ERRORS.unknownObject };
  else if (target.kind === "device") result = writeDeviceProperty(device, property.id, values);
  else if (target.kind === "timed") result = writeTimedProperty(target.object, property.id, values);
  else if (target.kind === "service") result = target.object.write(property.id, values);
  else result = writePointProperty(target.object, property.id, property.index, values, priority);
  return result.ok ? { kind: "simpleAck" } : { kind: "error", error: result.error };
}

/**
 * A write of Weekly_Schedule, Exception_Schedule, Effective_Period or Date_List: constructed values
 * the library's WriteProperty.decode cannot read, so the header is parsed here and the value with the
 * library's schedule decoders. Undefined when the request is not one of those (the normal path runs).
 */
function structuredWrite(device: SimDevice, request: ConfirmedRequest): Reply | undefined {
  const { buffer, offset, length } = request;
  if (!asn1.decodeIsContextTag(buffer, offset, 0)) return undefined;
  let len = 1;
  const id = asn1.decodeObjectId(buffer, offset + len);
  len += id.len;
  const target = lookupObject(device, { type: id.objectType, instance: id.instance });
  if (target.kind !== "timed") return undefined;
  const tag = asn1.decodeTagNumberAndValue(buffer, offset + len);
  if (tag.tagNumber !== 1 || tag.value === undefined) return undefined;
  len += tag.len;
  const property = asn1.decodeEnumerated(buffer, offset + len, tag.value);
  len += property.len;
  const object: TimedObject = target.object;
  const propertyId = property.value;
  if (propertyId === undefined || !isStructured(object, propertyId)) return undefined;
  if (asn1.decodeIsContextTag(buffer, offset + len, 2)) {
    // An array index (one day of Weekly_Schedule): we take whole-property writes only.
    return { kind: "error", error: BACNET_ERRORS.writeAccessDenied };
  }
  if (!asn1.decodeIsOpeningTagNumber(buffer, offset + len, 3)) return rejectInvalid();
  len += 1;
  const decoded = decodeStructured(buffer, offset + len, length - len, object, propertyId);
  if (!decoded) return rejectInvalid();
  const result = writeStructured(object, propertyId, decoded.value);
  return result.ok ? { kind: "simpleAck" } : { kind: "error", error: result.error };
}

const rejectInvalid = (): Reply => ({ kind: "reject", reason: REJECT.invalidTag });
