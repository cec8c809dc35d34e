import type { BACNetObjectID, BACNetReadAccessSpecification } from "@bacnet-js/client";
import {
  BIP_MAX_APDU,
  isArrayProperty,
  objectTypeId,
  objectTypeName,
  type PointValue,
  PROPERTIES,
  presentValueToJs,
  propertyId,
  type RpmRead,
} from "@bms/bacnet";
import type { BacnetPointRef } from "@bms/schemas";
import type { PointErrorCode, PointReading } from "../point-io";
import type { KnownDevice } from "./device-registry";
import { bacnetErrorCode, describeBacnetError, describeError } from "./errors";
import { readPointsRpm } from "./point-rpm";
import type { RequestPipeline } from "./request-pipeline";
import { type Checked, checkPresentValue, isObjectId } from "./wire-checks";

/** A BACnet read's answer: the seam's reading (value, quality, reason and code). */
export type ReadResult = PointReading;

/**
 * Point reads: grouped per device with ReadPropertyMultiple, in chunks that fit the device's max APDU,
 * falling back to ReadProperty for devices that refuse RPM. Every answer is checked to name the object
 * and property asked for, and to have the datatype the object type gives it.
 */
export class BacnetReads {
  constructor(
    private readonly pipeline: RequestPipeline,
    private readonly devices: ReadonlyMap<number, KnownDevice>,
    private readonly resolveDevice: (deviceId: number) => Promise<KnownDevice | undefined>,
  ) {}

  async readProperty(
    deviceId: number,
    objectType: number,
    instance: number,
    property: number,
    index?: number,
  ) {
    const objectId = { type: objectType, instance } as BACNetObjectID;
    return this.pipeline.request(deviceId, `read ${objectTypeName(objectType)}:${instance}`, (client, to) =>
      client.readProperty(to, objectId, property, index === undefined ? {} : { arrayIndex: index }),
    );
  }

  async readPropertyMultiple(deviceId: number, specs: BACNetReadAccessSpecification[]) {
    return this.pipeline.request(deviceId, `rpm ${specs.length} objects`, (client, to) =>
      client.readPropertyMultiple(to, specs),
    );
  }

  /** Never throws: every point gets a value or a bad quality with the reason and a code. */
  async readPoints(refs: readonly BacnetPointRef[]): Promise<ReadResult[]> {
    const results: ReadResult[] = new Array(refs.length);
    const byDevice = new Map<number, number[]>();
    refs.forEach((ref, i) => {
      const list = byDevice.get(ref.device);
      if (list) list.push(i);
      else byDevice.set(ref.device, [i]);
    });
    await Promise.all(
      [...byDevice].map(async ([deviceId, indexes]) => {
        const device = await this.resolveDevice(deviceId);
        const chunkSize = rpmChunkSize(device?.maxApdu ?? BIP_MAX_APDU);
        const chunks: number[][] = [];
        for (let i = 0; i < indexes.length; i += chunkSize) chunks.push(indexes.slice(i, i + chunkSize));
        await Promise.all(chunks.map((chunk) => this.readChunk(deviceId, chunk, refs, results)));
      }),
    );
    return results;
  }

  private async readChunk(
    deviceId: number,
    requested: number[],
    refs: readonly BacnetPointRef[],
    out: ReadResult[],
  ) {
    const device = this.devices.get(deviceId);
    // A property name BACnet does not define never goes on the wire: it would read something else.
    const chunk: number[] = [];
    // The library's RPM encoder drops array index 0 (it tests the index for truthiness), which would
    // turn "how many elements" into a whole-array read; ReadProperty encodes it correctly.
    const single: number[] = [];
    for (const i of requested) {
      const ref = refs[i]!;
      if (planOf(ref).read === undefined)
        out[i] = badResult(`unknown property "${ref.property}"`, "invalid_ref", Date.now());
      else if (ref.index === 0) single.push(i);
      else chunk.push(i);
    }
    const useRpm = chunk.length > 1 && (device?.supportsRpm ?? true);
    if (useRpm) {
      try {
        const reads = chunk.map((i) => planOf(refs[i]!).read!);
        const response = await this.pipeline.request(deviceId, `rpm ${reads.length} objects`, (client, to) =>
          readPointsRpm(client, to, reads, () => chunk.map((i) => specFor(refs[i]!))),
        );
        const now = Date.now();
        for (let n = 0; n < chunk.length; n++) {
          const i = chunk[n]!;
          const ref = refs[i]!;
          const read = reads[n]!;
          const objectValues = response.values[n];
          const prop = objectValues?.values?.[0];
          // Results are matched by position, so each one must name the object and property asked for.
          if (!prop) out[i] = badResult("missing in RPM answer", "decode_error", now);
          else if (
            !sameObject(objectValues.objectId, read.objectType, read.instance) ||
            prop.id !== read.property
          )
            out[i] = badResult(
              "the answer names another object or property than the one read",
              "decode_error",
              now,
            );
          else out[i] = decodeRead(ref, prop.value, now);
        }
        chunk.length = 0;
      } catch (error) {
        const { kind, errorClass } = describeBacnetError(error);
        if ((kind === "reject" || kind === "abort" || errorClass === "services") && device) {
          // RPM refused: remember it and read one property at a time from now on.
          device.supportsRpm = false;
        } else {
          const now = Date.now();
          for (const i of [...chunk, ...single])
            out[i] = badResult(describeError(error), bacnetErrorCode(error, "read"), now);
          return;
        }
      }
    }
    await Promise.all(
      [...chunk, ...single].map(async (i) => {
        const ref = refs[i]!;
        try {
          const typeId = objectTypeId(ref.objectType)!;
          const prop = propertyId(ref.property)!;
          const response = await this.readProperty(deviceId, typeId, ref.instance, prop, ref.index);
          out[i] =
            sameObject(response.objectId, typeId, ref.instance) && response.property?.id === prop
              ? decodeRead(ref, response.values, Date.now())
              : badResult(
                  "the answer names another object or property than the one read",
                  "decode_error",
                  Date.now(),
                );
        } catch (error) {
          out[i] = badResult(describeError(error), bacnetErrorCode(error, "read"), Date.now());
        }
      }),
    );
  }
}

/** Properties per RPM request so the answer fits the device's max APDU (about 20 bytes a value). */
function rpmChunkSize(maxApdu: number): number {
  return Math.max(1, Math.min(50, Math.floor((maxApdu - 20) / 24)));
}

/** What a ref reads, in numbers: worked out once per parsed ref, not by name lookups every scan. */
interface ReadPlan {
  /** Undefined when BACnet defines no property of that name. */
  read: RpmRead | undefined;
  typeId: number;
  /** presentValue, relinquishDefault or priorityArray: the object type's datatype is checked. */
  valueProperty: boolean;
  arrayProperty: boolean;
}

/**
 * Parsed refs are remembered and never changed (parsed-refs.ts), so a flow hands the same ref objects
 * every scan and their plans are found by identity; a ref nothing holds any more takes its plan with it.
 */
const plans = new WeakMap<BacnetPointRef, ReadPlan>();

function planOf(ref: BacnetPointRef): ReadPlan {
  let plan = plans.get(ref);
  if (plan) return plan;
  const typeId = objectTypeId(ref.objectType)!;
  const property = propertyId(ref.property);
  let read: RpmRead | undefined;
  if (property !== undefined) {
    read = { objectType: typeId, instance: ref.instance, property };
    if (ref.index !== undefined) read.index = ref.index;
  }
  plan = {
    read,
    typeId,
    valueProperty:
      property === PROPERTIES.presentValue ||
      property === PROPERTIES.relinquishDefault ||
      property === PROPERTIES.priorityArray,
    arrayProperty: property !== undefined && isArrayProperty(property),
  };
  plans.set(ref, plan);
  return plan;
}

function specFor(ref: BacnetPointRef): BACNetReadAccessSpecification {
  return {
    objectId: { type: objectTypeId(ref.objectType)!, instance: ref.instance } as BACNetObjectID,
    properties: [
      {
        id: propertyId(ref.property)!,
        index: ref.index ?? 0xffffffff,
      } as BACNetReadAccessSpecification["properties"][number],
    ],
  };
}

function badResult(reason: string, code: PointErrorCode, timestamp: number): ReadResult {
  return { value: null, quality: "bad", reason, code, timestamp };
}

/** An RPM/RP answer holds either values or an error value (tag ERROR with errorClass/errorCode). */
function decodeRead(
  ref: BacnetPointRef,
  values: { type: number; value: unknown }[],
  now: number,
): ReadResult {
  const list = Array.isArray(values) ? values : [];
  const first = list[0];
  const plan = planOf(ref);
  const wholeArray = ref.index === undefined && (plan.arrayProperty || list.length > 1);
  // An empty array is a legal answer (a multi-state object with no State_Text entries); no answer is not.
  if (!first)
    return wholeArray
      ? { value: [], quality: "good", timestamp: now }
      : badResult("empty answer", "decode_error", now);
  const errorValue = first.value as { errorClass?: number; errorCode?: number } | null;
  if (errorValue && typeof errorValue === "object" && "errorCode" in errorValue) {
    return badResult(
      describeBacnetError(
        new Error(`BacnetError - Class:${errorValue.errorClass} - Code:${errorValue.errorCode}`),
      ).message,
      "device_error",
      now,
    );
  }
  // Array index 0 is the array's length (an Unsigned), whatever the elements' type.
  if (ref.index === 0) return { value: presentValueToJs(-1, first), quality: "good", timestamp: now };
  // The priority array and relinquish default hold presentValue's datatype (BinaryPV for binaries: booleans),
  // and must have the datatype the object type gives it: a REAL for analog, BinaryPV for binary.
  if (!wholeArray) {
    // One value, the common case (every presentValue): no arrays around it.
    const one = decodeOne(plan, first);
    return one.ok
      ? { value: one.value, quality: "good", timestamp: now }
      : badResult(`unexpected value from the device: ${one.problem}`, "decode_error", now);
  }
  const good: PointValue[] = new Array(list.length);
  for (let k = 0; k < list.length; k++) {
    const d = decodeOne(plan, list[k]!);
    if (!d.ok) return badResult(`unexpected value from the device: ${d.problem}`, "decode_error", now);
    good[k] = d.value;
  }
  return { value: good, quality: "good", timestamp: now };
}

function decodeOne(plan: ReadPlan, v: { type: number; value: unknown }): Checked<PointValue> {
  return plan.valueProperty
    ? checkPresentValue(plan.typeId, v)
    : { ok: true, value: presentValueToJs(-1, v) };
}

function sameObject(a: unknown, type: number, instance: number): boolean {
  return isObjectId(a) && a.type === type && a.instance === instance;
}
