import type { BACNetObjectID, BACNetReadAccessSpecification } from "@bacnet-js/client";
import {
  ApplicationTag,
  ARRAY_ALL,
  BIP_MAX_APDU,
  encodeRpmRequest,
  isArrayProperty,
  objectTypeId,
  objectTypeName,
  type PointValue,
  PROPERTIES,
  presentValueToJs,
  propertyId,
  type RpmRead,
  type RpmValue,
  visitRpmAck,
} from "@bms/bacnet";
import type { BacnetPointRef } from "@bms/schemas";
import { PerList } from "../per-list";
import type { PointErrorCode, PointReading } from "../point-io";
import type { KnownDevice } from "./device-registry";
import { bacnetErrorCode, describeBacnetError, describeError } from "./errors";
import { decodeRpmAnswer, requestRpm } from "./point-rpm";
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

  /**
   * Never throws: every point gets a value or a bad quality with the reason and a code. A device's
   * batch from SharedReads (every scan) is one group of one chunk, read without a Promise.all or an
   * async step around it: each layer of promises per device per scan was garbage (issue 15).
   */
  readPoints(refs: readonly BacnetPointRef[]): Promise<ReadResult[]> {
    const results: ReadResult[] = new Array(refs.length);
    const groups = this.grouping.get(refs);
    const read =
      groups.length === 1
        ? this.readGroup(groups[0]!, refs, results)
        : Promise.all(groups.map((group) => this.readGroup(group, refs, results)));
    return read.then(() => results);
  }

  private readGroup(
    group: DeviceGroup,
    refs: readonly BacnetPointRef[],
    out: ReadResult[],
  ): Promise<unknown> {
    const known = this.devices.get(group.deviceId);
    if (known) return this.readChunks(group, known, refs, out);
    return this.resolveDevice(group.deviceId).then((device) => this.readChunks(group, device, refs, out));
  }

  private readChunks(
    group: DeviceGroup,
    device: KnownDevice | undefined,
    refs: readonly BacnetPointRef[],
    out: ReadResult[],
  ): Promise<unknown> {
    const chunkSize = rpmChunkSize(device?.maxApdu ?? BIP_MAX_APDU);
    let chunks = group.chunks.get(chunkSize);
    if (!chunks) {
      chunks = [];
      for (let i = 0; i < group.indexes.length; i += chunkSize)
        chunks.push(chunkPlan(refs, group.indexes.slice(i, i + chunkSize)));
      group.chunks.set(chunkSize, chunks);
    }
    if (chunks.length === 1) return this.readChunk(group.deviceId, chunks[0]!, refs, out);
    return Promise.all(chunks.map((chunk) => this.readChunk(group.deviceId, chunk, refs, out)));
  }

  /**
   * The refs grouped per device and cut into chunks, remembered per list: a flow's scan hands the same
   * parsed list every time (PerList), so this is worked out once, not per point per scan.
   */
  private readonly grouping = new PerList((refs: readonly BacnetPointRef[]): DeviceGroup[] => {
    const byDevice = new Map<number, number[]>();
    refs.forEach((ref, i) => {
      const list = byDevice.get(ref.device);
      if (list) list.push(i);
      else byDevice.set(ref.device, [i]);
    });
    return [...byDevice].map(([deviceId, indexes]) => ({ deviceId, indexes, chunks: new Map() }));
  });

  private async readChunk(
    deviceId: number,
    plan: ChunkPlan,
    refs: readonly BacnetPointRef[],
    out: ReadResult[],
  ) {
    const device = this.devices.get(deviceId);
    for (const i of plan.invalid) {
      const ref = refs[i]!;
      out[i] = badResult(`unknown property "${ref.property}"`, "invalid_ref", Date.now());
    }
    const chunk = plan.rpm;
    // Read one at a time with ReadProperty: the points RPM cannot carry, or all when RPM is out.
    let single = plan.single;
    const useRpm = chunk.length > 1 && (device?.supportsRpm ?? true);
    if (useRpm) {
      try {
        const reads = plan.reads;
        const expect = plan.expect;
        let now = 0;
        // The answer is walked straight into the readings, inside the request: an answer neither decoder
        // reads fails the attempt (and is retried) as before. (The closures here are anonymous on
        // purpose: under tsx, esbuild's keepNames gives every named one a defineProperty per scan.)
        const answered = await this.pipeline.request(deviceId, plan.label, async (client, to) => {
          const answer = await requestRpm(client, to, plan.frame, () => chunk.map((i) => specFor(refs[i]!)));
          // One time for the whole reply, not one per point.
          now = Date.now();
          if (answer.ack) {
            const { buffer, offset, length } = answer.ack;
            const reply = new ReplyReadings(now);
            // Results are matched by position, so each one must name the object and property asked for.
            const visited = visitRpmAck(
              buffer,
              offset,
              length,
              (n, type, instance, property, index, value) => {
                if (n >= chunk.length) return;
                const i = chunk[n]!;
                const k = n * 3;
                out[i] =
                  type !== expect[k] ||
                  instance !== expect[k + 1] ||
                  property !== expect[k + 2] ||
                  index !== plan.expectIndex[n]
                    ? badResult(
                        "the answer names another object, property or array element than the one read",
                        "decode_error",
                        now,
                      )
                    : plan.simple[n] === 1 && value.type !== ApplicationTag.ERROR
                      ? decodeInPlace(plan, n, value, reply)
                      : decodeRead(refs[i]!, [{ type: value.type, value: value.value }], now);
              },
            );
            if (visited !== undefined) return visited;
          }
          // A routed device's answer, or one with more than the walk reads: in the library's shape.
          const values = answer.values ?? decodeRpmAnswer(answer.ack!);
          for (let n = 0; n < Math.min(values.length, chunk.length); n++) {
            const i = chunk[n]!;
            const read = reads[n]!;
            const objectValues = values[n];
            const prop = objectValues?.values?.[0];
            if (!prop) out[i] = badResult("missing in RPM answer", "decode_error", now);
            else if (
              !sameObject(objectValues.objectId, read.objectType, read.instance) ||
              prop.id !== read.property ||
              (prop.index ?? ARRAY_ALL) !== (read.index ?? ARRAY_ALL)
            )
              out[i] = badResult(
                "the answer names another object, property or array element than the one read",
                "decode_error",
                now,
              );
            else out[i] = decodeRead(refs[i]!, prop.value, now);
          }
          return values.length;
        });
        for (let n = answered; n < chunk.length; n++)
          out[chunk[n]!] = badResult("missing in RPM answer", "decode_error", now);
      } catch (error) {
        const { kind, errorClass } = describeBacnetError(error);
        if ((kind === "reject" || kind === "abort" || errorClass === "services") && device) {
          // RPM refused: remember it and read one property at a time from now on.
          device.supportsRpm = false;
          single = [...chunk, ...plan.single];
        } else {
          const now = Date.now();
          for (const i of [...chunk, ...single])
            out[i] = badResult(describeError(error), bacnetErrorCode(error, "read"), now);
          return;
        }
      }
    } else single = [...chunk, ...plan.single];
    await Promise.all(
      single.map(async (i) => {
        const ref = refs[i]!;
        try {
          const typeId = objectTypeId(ref.objectType)!;
          const prop = propertyId(ref.property)!;
          const response = await this.readProperty(deviceId, typeId, ref.instance, prop, ref.index);
          out[i] =
            sameObject(response.objectId, typeId, ref.instance) && response.property?.id === prop
              ? decodeRead(ref, response.values, Date.now())
              : badResult(
                  "the answer names another object, property or array element than the one read",
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

/** A list's refs of one device (indexes into the list), with their chunk plans. */
interface DeviceGroup {
  deviceId: number;
  indexes: number[];
  /** Chunk plans by chunk size (a device's max APDU is learnt after the first read). */
  chunks: Map<number, ChunkPlan[]>;
}

/** One request's worth of a device's points, sorted by how they can be read (indexes into the refs). */
interface ChunkPlan {
  /** Read together with ReadPropertyMultiple, in this order. */
  rpm: readonly number[];
  /** Their RPM reads, in the same order. */
  reads: readonly RpmRead[];
  /** Their read plans, in the same order: no lookup per point per scan. */
  plans: readonly ReadPlan[];
  /**
   * The walk's columns, by place in `rpm` (issue 15, session 9): what each answer must name (object
   * type, instance, property: three a place), whether it is one value decoded in place (`simple`: not
   * an array read whole, not index 0), and the last value decoded there (its tag, its raw value as a
   * number, what checking and converting it gave). A point whose value did not change since the last
   * scan (most of a site, most of the time) reuses the answer: the check is a pure function of the tag
   * and the raw value. Typed columns side by side: the walk touches ~20 bytes a point, not the plan,
   * the ref and a cached result, three objects spread over the heap and cold after ~90 ms idle.
   */
  expect: Int32Array;
  /**
   * The array index each answer must carry (ARRAY_ALL for none): a device answering priorityArray[9] to
   * a read of priorityArray[8] names another element, which is not the value asked for.
   */
  expectIndex: Uint32Array;
  simple: Uint8Array;
  lastType: Int16Array;
  lastRaw: Float64Array;
  lastValue: PointValue[];
  /**
   * Read with ReadProperty: array index 0 (an array's length). The library's RPM encoder drops index 0
   * (it tests the index for truthiness), turning "how many elements" into a whole-array read.
   */
  single: readonly number[];
  /** Property names BACnet does not define: never on the wire, where they would read something else. */
  invalid: readonly number[];
  /** The RPM request's frame (invoke id 0), encoded on first use; each request sends a copy. */
  frame: () => Buffer;
  /** What the request pipeline calls it in errors and timeouts. */
  label: string;
}

function chunkPlan(refs: readonly BacnetPointRef[], indexes: readonly number[]): ChunkPlan {
  const rpm: number[] = [];
  const reads: RpmRead[] = [];
  const plans: ReadPlan[] = [];
  const single: number[] = [];
  const invalid: number[] = [];
  for (const i of indexes) {
    const ref = refs[i]!;
    const plan = planOf(ref);
    if (!plan.known) invalid.push(i);
    else if (ref.index === 0) single.push(i);
    else {
      rpm.push(i);
      reads.push(plan);
      plans.push(plan);
    }
  }
  const expect = new Int32Array(reads.length * 3);
  const expectIndex = new Uint32Array(reads.length);
  const simple = new Uint8Array(reads.length);
  for (let n = 0; n < reads.length; n++) {
    const read = plans[n]!;
    expect[n * 3] = read.objectType;
    expect[n * 3 + 1] = read.instance;
    expect[n * 3 + 2] = read.property;
    expectIndex[n] = read.index ?? ARRAY_ALL;
    // Index 0 goes by ReadProperty (never here); a whole array goes the general way.
    simple[n] = read.index === undefined && read.arrayProperty ? 0 : 1;
  }
  let frame: Buffer | undefined;
  return {
    rpm,
    reads,
    plans,
    expect,
    expectIndex,
    simple,
    lastType: new Int16Array(reads.length).fill(-1),
    lastRaw: new Float64Array(reads.length),
    lastValue: new Array<PointValue>(reads.length).fill(null),
    single,
    invalid,
    frame: () => {
      frame ??= encodeRpmRequest(reads, 0);
      return frame;
    },
    label: `rpm ${reads.length} objects`,
  };
}

/**
 * What a ref reads, in numbers: worked out once per parsed ref, not by name lookups every scan. The plan
 * is itself the RPM read (object type, instance, property, index): one object a point, not two (50,000
 * points: 2.4 MB of the live heap, heap snapshot 2026-12-02).
 */
interface ReadPlan extends RpmRead {
  /** False when BACnet defines no property of that name: never on the wire (property is then -1). */
  known: boolean;
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
  const property = propertyId(ref.property);
  plan = {
    objectType: objectTypeId(ref.objectType)!,
    instance: ref.instance,
    property: property ?? -1,
    known: property !== undefined,
    valueProperty:
      property === PROPERTIES.presentValue ||
      property === PROPERTIES.relinquishDefault ||
      property === PROPERTIES.priorityArray,
    arrayProperty: property !== undefined && isArrayProperty(property),
  };
  if (ref.index !== undefined) plan.index = ref.index;
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

/**
 * One walked RPM value (a reused object: never kept) of a `simple` place: one primitive value, checked
 * and converted, or the last one's answer when the device sent the same tag and value again. The walk
 * hands primitives only (null, a boolean, a number); an error value goes the general way.
 */
function decodeInPlace(plan: ChunkPlan, n: number, value: RpmValue, reply: ReplyReadings): ReadResult {
  const type = value.type;
  const raw = value.value as number | boolean | null;
  // The tag says which of null, boolean or number the raw value is: the number alone tells them apart.
  const number = typeof raw === "number" ? raw : raw === true ? 1 : 0;
  if (plan.lastType[n] === type && Object.is(plan.lastRaw[n], number)) return reply.good(plan.lastValue[n]!);
  const one = decodeOne(plan.plans[n]!, value);
  if (!one.ok) {
    plan.lastType[n] = -1;
    return badResult(`unexpected value from the device: ${one.problem}`, "decode_error", reply.now);
  }
  plan.lastType[n] = type;
  plan.lastRaw[n] = number;
  plan.lastValue[n] = one.value;
  return reply.good(one.value);
}

/**
 * The good readings of one RPM reply, all stamped with its arrival. The points of a reply that read
 * the same boolean or null (a device's binary inputs and outputs, empty priority slots) share one
 * reading: readings are never modified once made (a flow keeps them as they are, and SharedReads
 * already hands one reading to every flow that reads the point), so one object serves them all.
 */
class ReplyReadings {
  private on: ReadResult | undefined;
  private off: ReadResult | undefined;
  private none: ReadResult | undefined;

  constructor(readonly now: number) {}

  good(value: PointValue): ReadResult {
    if (value === true) {
      this.on ??= { value, quality: "good", timestamp: this.now };
      return this.on;
    }
    if (value === false) {
      this.off ??= { value, quality: "good", timestamp: this.now };
      return this.off;
    }
    if (value === null) {
      this.none ??= { value, quality: "good", timestamp: this.now };
      return this.none;
    }
    return { value, quality: "good", timestamp: this.now };
  }
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
    ? checkPresentValue(plan.objectType, v)
    : { ok: true, value: presentValueToJs(-1, v) };
}

function sameObject(a: unknown, type: number, instance: number): boolean {
  return isObjectId(a) && a.type === type && a.instance === instance;
}
