import type { BACNetObjectID, WritePropertyMultipleObject } from "@bacnet-js/client";
import { encodeValue, type PointValue as JsValue, objectTypeId, propertyId } from "@bms/bacnet";
import type { BacnetPointRef } from "@bms/schemas";
import type { WriteOutcome } from "../point-io";
import type { KnownDevice } from "./device-registry";
import { bacnetErrorCode, DeviceUnreachableError, describeBacnetError, describeError } from "./errors";
import type { RequestPipeline } from "./request-pipeline";

export interface BacnetWrite {
  ref: BacnetPointRef;
  value: JsValue;
  priority: number;
}

/** A ref naming a type or property BACnet does not define: refused before anything goes on the wire. */
export class UnknownPropertyError extends Error {
  override name = "UnknownPropertyError";
}

/**
 * Point writes: WriteProperty at a priority (NULL relinquishes it), and batches as one
 * WritePropertyMultiple per device where the device takes it.
 */
export class BacnetWrites {
  constructor(
    private readonly pipeline: RequestPipeline,
    private readonly devices: ReadonlyMap<number, KnownDevice>,
  ) {}

  /** Writes one value at a priority; null relinquishes that priority. */
  async writePoint(ref: BacnetPointRef, value: JsValue, priority: number): Promise<void> {
    const typeId = objectTypeId(ref.objectType);
    const prop = propertyId(ref.property);
    if (typeId === undefined || prop === undefined) {
      throw new UnknownPropertyError(
        `cannot write ${ref.objectType}.${ref.property}: unknown type or property`,
      );
    }
    const encoded = encodeValue(typeId, prop, value);
    const objectId = { type: typeId, instance: ref.instance } as BACNetObjectID;
    await this.pipeline.request(ref.device, `write ${ref.objectType}:${ref.instance}`, (client, to) =>
      client.writeProperty(to, objectId, prop, [encoded as never], {
        priority,
        ...(ref.index === undefined ? {} : { arrayIndex: ref.index }),
      }),
    );
  }

  /**
   * Writes a batch: one WritePropertyMultiple per device where the device takes it, single writes
   * otherwise (and for a device that refused WPM once). Each write gets its own outcome and code.
   */
  async writePoints(writes: readonly BacnetWrite[]): Promise<WriteOutcome[]> {
    const outcomes: WriteOutcome[] = new Array(writes.length);
    const byDevice = new Map<number, number[]>();
    writes.forEach((w, i) => {
      const list = byDevice.get(w.ref.device);
      if (list) list.push(i);
      else byDevice.set(w.ref.device, [i]);
    });
    const single = async (i: number) => {
      const w = writes[i]!;
      try {
        await this.writePoint(w.ref, w.value, w.priority);
        outcomes[i] = { ok: true };
      } catch (error) {
        outcomes[i] = failed(error);
      }
    };
    await Promise.all(
      [...byDevice].map(async ([deviceId, indexes]) => {
        const device = this.devices.get(deviceId);
        if (indexes.length > 1 && (device?.supportsWpm ?? true)) {
          try {
            await this.writePropertyMultiple(
              deviceId,
              indexes.map((i) => writes[i]!),
            );
            for (const i of indexes) outcomes[i] = { ok: true };
            return;
          } catch (error) {
            const { kind } = describeBacnetError(error);
            if (kind === "timeout" || error instanceof DeviceUnreachableError) {
              for (const i of indexes) outcomes[i] = failed(error);
              return;
            }
            // Refused, or one property failed: WPM does not say which, single writes do.
            if (device && (kind === "reject" || kind === "abort")) device.supportsWpm = false;
          }
        }
        await Promise.all(indexes.map(single));
      }),
    );
    return outcomes;
  }

  private async writePropertyMultiple(deviceId: number, writes: readonly BacnetWrite[]): Promise<void> {
    const byObject = new Map<string, WritePropertyMultipleObject>();
    for (const w of writes) {
      const typeId = objectTypeId(w.ref.objectType);
      const prop = propertyId(w.ref.property);
      if (typeId === undefined || prop === undefined)
        throw new UnknownPropertyError(`cannot write ${w.ref.objectType}.${w.ref.property}`);
      const key = `${typeId}:${w.ref.instance}`;
      let object = byObject.get(key);
      if (!object) {
        object = { objectId: { type: typeId, instance: w.ref.instance } as BACNetObjectID, values: [] };
        byObject.set(key, object);
      }
      object.values.push({
        // The encoder writes an index unless told ARRAY_ALL, and devices answer property-is-not-an-array.
        property: {
          id: prop,
          index: w.ref.index ?? 0xffffffff,
        } as WritePropertyMultipleObject["values"][number]["property"],
        value: [encodeValue(typeId, prop, w.value) as never],
        priority: w.priority,
      });
    }
    await this.pipeline.request(deviceId, `wpm ${writes.length} values`, (client, to) =>
      client.writePropertyMultiple(to, [...byObject.values()]),
    );
  }
}

function failed(error: unknown): WriteOutcome {
  const code = error instanceof UnknownPropertyError ? "invalid_ref" : bacnetErrorCode(error, "write");
  return { ok: false, code, error: describeError(error) };
}
