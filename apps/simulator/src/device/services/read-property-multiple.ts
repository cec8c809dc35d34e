import { ReadPropertyMultiple } from "@bacnet-js/client/dist/lib/services/index.js";
import type { BACNetReadAccess } from "@bacnet-js/client/dist/lib/types.js";
import { type AppValue, BACNET_ERRORS, type BacnetErrorValue, PROPERTIES as P } from "@bms/bacnet";
import { pointPropertySets, readPointProperty } from "../../objects/point-properties";
import { ARRAY_ALL, type ReadResult } from "../../objects/property-access";
import { readTimedProperty, timedPropertySets } from "../../objects/schedule-objects";
import { deviceOptionalProperties, deviceRequiredProperties, readDeviceProperty } from "../device-object";
import type { ConfirmedRequest } from "../frame-decoder";
import { type Reply, rejectMalformed, safeDecode } from "../reply";
import type { SimDevice } from "../sim-device";
import { lookupObject } from "./object-lookup";

type ResultItem = BACNetReadAccess["values"][number];

function errorItem(id: number, index: number, error: BacnetErrorValue): ResultItem {
  // The library's encoder writes a propertyAccessError for this exact marker shape.
  return { property: { id, index }, value: [{ value: { type: "BacnetError", ...error } }] };
}

function valueItem(id: number, index: number, result: ReadResult): ResultItem {
  return result.ok
    ? { property: { id, index }, value: result.values satisfies AppValue[] }
    : errorItem(id, index, result.error);
}

/**
 * ReadPropertyMultiple (clause 15.7), including the ALL, REQUIRED and OPTIONAL selectors, which
 * expand to the object's own property lists. Per-property failures become inline errors.
 */
export function readPropertyMultiple(device: SimDevice, request: ConfirmedRequest): Reply {
  const decoded = safeDecode(() =>
    ReadPropertyMultiple.decode(request.buffer, request.offset, request.length),
  );
  if (!decoded || decoded.properties.length === 0) return rejectMalformed(request.length);
  const results: BACNetReadAccess[] = [];
  for (const spec of decoded.properties) {
    if (spec.properties.length === 0) return rejectMalformed(0);
    const target = lookupObject(device, spec.objectId);
    const objectId = target.kind === "device" ? { type: 8, instance: device.instance } : { ...spec.objectId };
    const items: ResultItem[] = [];
    for (const ref of spec.properties) {
      if (target.kind === "unknown") {
        items.push(errorItem(ref.id, ref.index, BACNET_ERRORS.unknownObject));
        continue;
      }
      const selector = ref.id === P.all || ref.id === P.required || ref.id === P.optional;
      if (selector) {
        const sets =
          target.kind === "device"
            ? { required: deviceRequiredProperties(), optional: deviceOptionalProperties() }
            : target.kind === "timed"
              ? timedPropertySets(target.object)
              : target.kind === "service"
                ? target.object.propertySets()
                : pointPropertySets(target.object);
        const ids =
          ref.id === P.all
            ? [...sets.required, ...sets.optional]
            : ref.id === P.required
              ? sets.required
              : sets.optional;
        for (const id of ids) {
          const result =
            target.kind === "device"
              ? readDeviceProperty(device, id, ARRAY_ALL)
              : target.kind === "timed"
                ? readTimedProperty(target.object, id, ARRAY_ALL)
                : target.kind === "service"
                  ? target.object.read(id, ARRAY_ALL)
                  : readPointProperty(target.object, id, ARRAY_ALL);
          items.push(valueItem(id, ARRAY_ALL, result));
        }
        continue;
      }
      const result =
        target.kind === "device"
          ? readDeviceProperty(device, ref.id, ref.index)
          : target.kind === "timed"
            ? readTimedProperty(target.object, ref.id, ref.index)
            : target.kind === "service"
              ? target.object.read(ref.id, ref.index)
              : readPointProperty(target.object, ref.id, ref.index);
      items.push(valueItem(ref.id, ref.index, result));
    }
    results.push({ objectId, values: items });
  }
  return { kind: "complexAck", body: (buf) => ReadPropertyMultiple.encodeAcknowledge(buf, results) };
}
