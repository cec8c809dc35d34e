import * as asn1 from "@bacnet-js/client/dist/lib/asn1.js";
import { ReadProperty } from "@bacnet-js/client/dist/lib/services/index.js";
import { BACNET_ERRORS } from "@bms/bacnet";
import { readPointProperty } from "../../objects/point-properties";
import { ARRAY_ALL, type ReadResult } from "../../objects/property-access";
import { encodeStructured, isStructured, readTimedProperty } from "../../objects/schedule-objects";
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
  // A constructed value (a schedule's, a service object's) is read whole, never by array index.
  if (target.kind === "timed" && isStructured(target.object, decoded.property.id)) {
    if (decoded.property.index !== ARRAY_ALL)
      return { kind: "error", error: BACNET_ERRORS.propertyIsNotAnArray };
    const { object } = target;
    return constructedAck(object, decoded.property.id, (buf) =>
      encodeStructured(buf, object, decoded.property.id),
    );
  }
  const structured = target.kind === "service" ? target.object.structured(decoded.property.id) : undefined;
  if (target.kind === "service" && structured) {
    if (decoded.property.index !== ARRAY_ALL)
      return { kind: "error", error: BACNET_ERRORS.propertyIsNotAnArray };
    return constructedAck(target.object, decoded.property.id, structured);
  }
  if (target.kind === "service") result = target.object.read(decoded.property.id, decoded.property.index);
  else if (target.kind === "timed")
    result = readTimedProperty(target.object, decoded.property.id, decoded.property.index);
  else if (target.kind === "unknown") result = { ok: false, error: BACNET_ERRORS.unknownObject };
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

type EncodeBuffer = Parameters<typeof asn1.encodeOpeningTag>[0];

/** A constructed value's ack, written here: the library's encodeAcknowledge takes tagged values only. */
function constructedAck(
  object: { type: number; instance: number },
  property: number,
  encodeValue: (buf: EncodeBuffer) => void,
): Reply {
  return {
    kind: "complexAck",
    body: (buf) => {
      asn1.encodeContextObjectId(buf, 0, object.type, object.instance);
      asn1.encodeContextEnumerated(buf, 1, property);
      asn1.encodeOpeningTag(buf, 3);
      encodeValue(buf);
      asn1.encodeClosingTag(buf, 3);
    },
  };
}
