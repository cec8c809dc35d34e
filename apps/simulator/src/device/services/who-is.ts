import { WhoHas, WhoIs } from "@bacnet-js/client/dist/lib/services/index.js";
import type { UnconfirmedRequest } from "../frame-decoder";
import { safeDecode } from "../reply";
import type { SimDevice } from "../sim-device";

interface Range {
  lowLimit?: number;
  highLimit?: number;
}

/**
 * Who-Is (clause 16.10): no limits means everyone; otherwise both limits must be present and the
 * instance inside them. A half-present or malformed range is dropped silently (unconfirmed service).
 */
export function whoIsMatches(device: SimDevice, request: UnconfirmedRequest): boolean {
  if (request.length === 0) return true;
  const range = safeDecode<Range>(() => WhoIs.decode(request.buffer, request.offset, request.length));
  if (!range || range.lowLimit === undefined || range.highLimit === undefined) return false;
  return device.instance >= range.lowLimit && device.instance <= range.highLimit;
}

interface WhoHasRequest extends Range {
  objectId?: { type: number; instance: number };
  objectName?: string;
}

export type WhoHasMatch = { object: { type: number; instance: number }; name: string } | undefined;

/** Who-Has (clause 16.9): by object identifier or by name, within an optional instance range. */
export function whoHasMatch(device: SimDevice, request: UnconfirmedRequest): WhoHasMatch {
  const decoded = safeDecode<WhoHasRequest>(() =>
    WhoHas.decode(request.buffer, request.offset, request.length),
  );
  if (!decoded) return undefined;
  const hasLow = decoded.lowLimit !== undefined;
  const hasHigh = decoded.highLimit !== undefined;
  if (hasLow !== hasHigh) return undefined;
  if (
    hasLow &&
    hasHigh &&
    (device.instance < (decoded.lowLimit ?? 0) || device.instance > (decoded.highLimit ?? 0))
  ) {
    return undefined;
  }
  if (decoded.objectId) {
    const { type, instance } = decoded.objectId;
    if (type === 8 && instance === device.instance) return { object: { type, instance }, name: device.name };
    const object = device.find(type, instance) ?? device.findTimed(type, instance);
    return object ? { object: { type, instance }, name: object.name } : undefined;
  }
  if (typeof decoded.objectName === "string") {
    if (decoded.objectName === device.name)
      return { object: { type: 8, instance: device.instance }, name: device.name };
    const object =
      device.findByName(decoded.objectName) ?? device.timed.find((o) => o.name === decoded.objectName);
    return object
      ? { object: { type: object.type, instance: object.instance }, name: object.name }
      : undefined;
  }
  return undefined;
}
