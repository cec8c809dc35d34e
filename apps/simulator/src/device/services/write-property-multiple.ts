import { WritePropertyMultiple } from "@bacnet-js/client/dist/lib/services/index.js";
import { BACNET_ERRORS } from "@bms/bacnet";
import { writePointProperty } from "../../objects/point-properties";
import { ARRAY_ALL, type WriteResult } from "../../objects/property-access";
import { writeTimedProperty } from "../../objects/schedule-objects";
import { writeDeviceProperty } from "../device-object";
import type { ConfirmedRequest } from "../frame-decoder";
import { REJECT, type Reply, safeDecode } from "../reply";
import type { SimDevice } from "../sim-device";
import { lookupObject } from "./object-lookup";
import { writeAccessSpecLength } from "./write-access-spec";

interface WriteAccessSpecification {
  len: number;
  objectId: { type: number; instance: number };
  values: {
    property: { id: number; index: number };
    value: { type: number; value: unknown }[];
    priority: number;
  }[];
}

/**
 * WritePropertyMultiple (clause 15.10): every write of every object, in order. The first failure stops
 * the request; the writes before it stay applied and the WPM-Error says which one failed.
 */
export function writePropertyMultiple(device: SimDevice, request: ConfirmedRequest): Reply {
  const specs: WriteAccessSpecification[] = [];
  let offset = request.offset;
  let remaining = request.length;
  // The library decodes one WriteAccessSpecification at a time, and only when given its exact length.
  while (remaining > 0) {
    const length = safeDecode(() => writeAccessSpecLength(request.buffer, offset, offset + remaining));
    const decoded =
      length === undefined
        ? undefined
        : safeDecode(
            () =>
              WritePropertyMultiple.decode(request.buffer, offset, length) as
                | WriteAccessSpecification
                | undefined,
          );
    if (!decoded || decoded.len <= 0 || decoded.len > remaining) {
      return {
        kind: "reject",
        reason: request.length === 0 ? REJECT.missingRequiredParameter : REJECT.invalidTag,
      };
    }
    specs.push(decoded);
    offset += decoded.len;
    remaining -= decoded.len;
  }
  if (specs.length === 0) return { kind: "reject", reason: REJECT.missingRequiredParameter };

  let wrote = false;
  for (const spec of specs) {
    const target = lookupObject(device, spec.objectId);
    for (const write of spec.values) {
      let result: WriteResult;
      if (target.kind === "unknown") result = { ok: false, error: BACNET_ERRORS.unknownObject };
      else if (target.kind === "device")
        result = writeDeviceProperty(device, write.property.id, write.value as never);
      else if (target.kind === "timed")
        result = writeTimedProperty(target.object, write.property.id, write.value as never);
      else if (target.kind === "service")
        result = target.object.write(write.property.id, write.value as never);
      else {
        result = writePointProperty(
          target.object,
          write.property.id,
          write.property.index,
          write.value as never,
          // An absent priority decodes as 0; the standard's default is the lowest, 16.
          write.priority === 0 ? 16 : write.priority,
        );
      }
      if (!result.ok) {
        const index = write.property.index === ARRAY_ALL ? undefined : write.property.index;
        return {
          kind: "wpmError",
          error: result.error,
          failed: {
            objectType: spec.objectId.type,
            instance: spec.objectId.instance,
            property: write.property.id,
            ...(index === undefined ? {} : { index }),
          },
        };
      }
      wrote = true;
    }
  }
  return wrote ? { kind: "simpleAck" } : { kind: "reject", reason: REJECT.missingRequiredParameter };
}
