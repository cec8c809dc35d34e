import { ReadProperty } from "@bacnet-js/client/dist/lib/services/index.js";
import { BACNET_ERRORS } from "@bms/bacnet";
import { readPointProperty } from "../../objects/point-properties";
import type { ReadResult } from "../../objects/property-access";
import { readDeviceProperty } from "../device-object";
import type { ConfirmedRequest } from "../frame-decoder";
import { type Reply, rejectMalformed, safeDecode } from "../reply";
import type { SimDevice } from "../sim-device";
import { lookupObject } from "./object-lookup";

export function readProperty(device: SimDevice, request: ConfirmedRequest): Reply {
  const decoded = safeDecode(() => ReadProperty.decode(request.buffer, request.offset, request.length));
  if (!decoded) return rejectMalformed(request.length);
  const target = lookupObject(device, decoded.objectId);
  let result: ReadResult;
  if (target.kind === "unknown") result = { ok: false, error: BACNET_ERRORS.unknownObject };
  else if (target.kind === "device") {
    result = readDeviceProperty(device, decoded.property.id, decoded.property.index);
  } else result = readPointProperty(target.object, decoded.property.id, decoded.property.index);
  if (!result.ok) return { kind: "error", error: result.error };
  // Answer with the real identifier even when the request used the device wildcard.
  const objectId =
    target.kind === "device" ? { type: 8, instance: device.instance } : { ...decoded.objectId };
  const values = result.values;
  return {
    kind: "complexAck",
    body: (buf) =>
      ReadProperty.encodeAcknowledge(buf, objectId, decoded.property.id, decoded.property.index, values),
  };
}
