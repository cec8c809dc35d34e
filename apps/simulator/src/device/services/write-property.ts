import { WriteProperty } from "@bacnet-js/client/dist/lib/services/index.js";
import { BACNET_ERRORS } from "@bms/bacnet";
import { writePointProperty } from "../../objects/point-properties";
import type { WriteResult } from "../../objects/property-access";
import { writeDeviceProperty } from "../device-object";
import type { ConfirmedRequest } from "../frame-decoder";
import { REJECT, type Reply, safeDecode } from "../reply";
import type { SimDevice } from "../sim-device";
import { lookupObject } from "./object-lookup";

/** WriteProperty (clause 15.9) with priority; NULL relinquishes a commandable slot. */
export function writeProperty(device: SimDevice, request: ConfirmedRequest): Reply {
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
  else result = writePointProperty(target.object, property.id, property.index, values, priority);
  return result.ok ? { kind: "simpleAck" } : { kind: "error", error: result.error };
}
