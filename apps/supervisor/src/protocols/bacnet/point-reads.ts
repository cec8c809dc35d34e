import type { BACNetObjectID, BACNetReadAccessSpecification } from "@bacnet-js/client";
import {
  BIP_MAX_APDU,
  isArrayProperty,
  objectTypeId,
  objectTypeName,
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
import { checkPresentValue, isObjectId } from "./wire-checks";

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
      if (propertyId(ref.property) === undefined)
        out[i] = badResult(`unknown property "${ref.property}"`, "invalid_ref", Date.now());
      else if (ref.index === 0) single.push(i);
      else chunk.push(i);
    }
    const useRpm = chunk.length > 1 && (device?.supportsRpm ?? true);
    if (useRpm) {
      try {
        const reads = chunk.map((i) => readOf(refs[i]!));
        const response = await this.pipeline.request(deviceId, `rpm ${reads.length} objects`, (client, to) =>
          readPointsRpm(client, to, reads, () => chunk.map((i) => specFor(refs[i]!))),
        );
        const now = Date.now();
        chunk.forEach((i, n) => {
          const ref = refs[i]!;
          const read = reads[n]!;
          const objectValues = response.values[n];
          const prop = objectValues?.values?.[0];
          // Results are matched by position, so each one must name the object and property asked for.
          if (!prop) out[i] = badResult("missing in RPM answer", "decode_error", now);
          else if (
            !sameObject(objectValues.objectId, { type: read.objectType, instance: read.instance }) ||
            prop.id !== read.property
          )
            out[i] = badResult(
              "the answer names another object or property than the one read",
              "decode_error",
              now,
            );
          else out[i] = decodeRead(ref, prop.value, now);
        });
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
            sameObject(response.objectId, { type: typeId, instance: ref.instance }) &&
            response.property?.id === prop
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

function readOf(ref: BacnetPointRef): RpmRead {
  const read: RpmRead = {
    objectType: objectTypeId(ref.objectType)!,
    instance: ref.instance,
    property: propertyId(ref.property)!,
  };
  if (ref.index !== undefined) read.index = ref.index;
  return read;
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
  const prop = propertyId(ref.property)!;
  const wholeArray = ref.index === undefined && (isArrayProperty(prop) || list.length > 1);
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
  const typeId = objectTypeId(ref.objectType)!;
  // Array index 0 is the array's length (an Unsigned), whatever the elements' type.
  if (ref.index === 0) return { value: presentValueToJs(-1, first), quality: "good", timestamp: now };
  // The priority array and relinquish default hold presentValue's datatype (BinaryPV for binaries: booleans),
  // and must have the datatype the object type gives it: a REAL for analog, BinaryPV for binary.
  const isValueProperty =
    prop === PROPERTIES.presentValue ||
    prop === PROPERTIES.relinquishDefault ||
    prop === PROPERTIES.priorityArray;
  const decode = (v: { type: number; value: unknown }) =>
    isValueProperty ? checkPresentValue(typeId, v) : ({ ok: true, value: presentValueToJs(-1, v) } as const);
  const decoded = (wholeArray ? list : [first]).map(decode);
  const wrong = decoded.find((d) => !d.ok);
  if (wrong && !wrong.ok)
    return badResult(`unexpected value from the device: ${wrong.problem}`, "decode_error", now);
  const good = decoded.map((d) => (d.ok ? d.value : null));
  return { value: wholeArray ? good : good[0]!, quality: "good", timestamp: now };
}

function sameObject(a: unknown, b: { type: number; instance: number }): boolean {
  return isObjectId(a) && a.type === b.type && a.instance === b.instance;
}
