import type { BACNetObjectID } from "@bacnet-js/client";
import { ApplicationTag, objectTypeName, PROPERTIES } from "@bms/bacnet";
import type { BacnetService } from "./bacnet-service";

export const TREND_LOG_TYPE = 20;
const DEVICE_TYPE = 8;

/** Trend Log property ids (clause 12.25). */
const TL = {
  logDeviceObjectProperty: 132,
  logInterval: 134,
  recordCount: 141,
  totalRecordCount: 145,
} as const;

/** The library's ReadRangeType numbers (its encoder's switch). */
const RANGE_TYPE = { position: 0, sequence: 1, time: 2 } as const;

/**
 * Records per ReadRange: 50 real-valued records are about 1,100 octets, inside one 1476-octet APDU, and
 * a device whose frame is smaller cuts the answer itself and sets More_Items.
 */
export const RECORDS_PER_READ = 50;

/** Thrown when a device's answer is not a Trend Log's: the caller reports it and keeps what it had. */
export class TrendLogShapeError extends Error {
  readonly code = "trend_log_shape";
}

export interface TrendLogInfo {
  name: string;
  recordCount: number;
  totalRecordCount: number;
  /** Log_Interval in ms (polled logs), or null when the device does not say. */
  intervalMs: number | null;
  /** What the log records (Log_DeviceObjectProperty), when it is a Present_Value of this device. */
  logged: { objectType: string; instance: number; property: number } | null;
}

export interface TrendRecord {
  sequence: number;
  ts: number;
  value: number;
  /** The logged object's In_Alarm/Fault/Overridden/Out_Of_Service then, when the record carries them. */
  fault: boolean;
}

export type RangeQuery =
  | { by: "position"; index: number; count: number }
  | { by: "sequence"; from: number; count: number }
  | { by: "time"; after: Date; count: number };

export interface RangeAnswer {
  records: TrendRecord[];
  /** More_Items: the range went on past what the device sent. */
  more: boolean;
}

type Tagged = { type: number; value: unknown };

function unsignedOf(values: Tagged[] | undefined, what: string): number {
  const v = values?.[0];
  if (
    v?.type !== ApplicationTag.UNSIGNED_INTEGER ||
    typeof v.value !== "number" ||
    !Number.isInteger(v.value)
  ) {
    throw new TrendLogShapeError(`${what} is not an Unsigned`);
  }
  return v.value;
}

/** Reads what the backfill needs to know about one Trend Log: counts, interval and what it logs. */
export async function readTrendLogInfo(
  bacnet: BacnetService,
  deviceId: number,
  instance: number,
): Promise<TrendLogInfo> {
  const read = (property: number) =>
    bacnet.readProperty(deviceId, TREND_LOG_TYPE, instance, property) as Promise<{ values: Tagged[] }>;
  const [name, count, total] = await Promise.all([
    read(PROPERTIES.objectName),
    read(TL.recordCount),
    read(TL.totalRecordCount),
  ]);
  // Optional properties: a device without them still backfills (with an explicit mapping).
  const optional = async (property: number) => {
    try {
      return (await read(property)).values;
    } catch {
      return undefined;
    }
  };
  const [interval, reference] = await Promise.all([
    optional(TL.logInterval),
    optional(TL.logDeviceObjectProperty),
  ]);
  const nameValue = name.values[0];
  if (nameValue?.type !== ApplicationTag.CHARACTER_STRING || typeof nameValue.value !== "string") {
    throw new TrendLogShapeError("Object_Name is not a CharacterString");
  }
  let intervalMs: number | null = null;
  try {
    if (interval) intervalMs = unsignedOf(interval, "Log_Interval") * 10;
  } catch {
    intervalMs = null;
  }
  return {
    name: nameValue.value.slice(0, 255),
    recordCount: unsignedOf(count.values, "Record_Count"),
    totalRecordCount: unsignedOf(total.values, "Total_Record_Count"),
    intervalMs: intervalMs && intervalMs > 0 ? intervalMs : null,
    logged: loggedReference(reference?.[0]),
  };
}

/**
 * Log_DeviceObjectProperty as the library decodes it. The library puts a Device_Identifier [3], when
 * present, where the object identifier was: a reference to another device's object is therefore not
 * used as a default (map such a log explicitly with --trend-log).
 */
function loggedReference(value: Tagged | undefined): TrendLogInfo["logged"] {
  if (!value || value.type !== ApplicationTag.OBJECT_PROPERTY_REFERENCE) return null;
  const ref = value.value as {
    objectId?: { objectType?: unknown; instance?: unknown };
    id?: { value?: unknown };
  };
  const type = ref.objectId?.objectType;
  const instance = ref.objectId?.instance;
  const property = ref.id?.value;
  if (typeof type !== "number" || typeof instance !== "number" || typeof property !== "number") return null;
  if (type === DEVICE_TYPE || !Number.isInteger(instance) || instance < 0 || instance > 4194302) return null;
  return { objectType: objectTypeName(type), instance, property };
}

/**
 * One ReadRange of a Trend Log's Log_Buffer. Every record is checked: a time that is a real date, a
 * finite number or a boolean/enumerated value, sequence numbers that count up by one from
 * First_Sequence_Number. A record that fails is refused, and so is the answer.
 */
export async function readTrendRecords(
  bacnet: BacnetService,
  deviceId: number,
  instance: number,
  query: RangeQuery,
): Promise<RangeAnswer> {
  const objectId = { type: TREND_LOG_TYPE, instance } as BACNetObjectID;
  const [reference, options] =
    query.by === "position"
      ? [query.index, { rangeType: RANGE_TYPE.position }]
      : query.by === "sequence"
        ? [query.from, { rangeType: RANGE_TYPE.sequence }]
        : [0, { rangeType: RANGE_TYPE.time, referenceTime: query.after }];
  const answer = await bacnet.call(deviceId, `ReadRange trendLog:${instance}`, (client, to) =>
    client.readRange(to, objectId, reference, query.count, options),
  );
  if (answer.objectId?.type !== TREND_LOG_TYPE || answer.objectId.instance !== instance) {
    throw new TrendLogShapeError(`the answer names another object than trendLog:${instance}`);
  }
  const values = answer.values ?? [];
  if (values.length !== answer.itemCount) {
    throw new TrendLogShapeError(`Item_Count says ${answer.itemCount}, ${values.length} records decoded`);
  }
  // By position carries no sequence numbers: the caller knows them from Total_Record_Count.
  const first = query.by === "position" ? 0 : answer.firstSequence;
  if (values.length > 0 && (typeof first !== "number" || !Number.isInteger(first))) {
    throw new TrendLogShapeError("First_Sequence_Number is missing");
  }
  const records: TrendRecord[] = values.map((record, i) => {
    const ts = record.timestamp instanceof Date ? record.timestamp.getTime() : Number.NaN;
    if (!Number.isFinite(ts)) throw new TrendLogShapeError(`record ${i}: the time is not a date`);
    const value = typeof record.value === "boolean" ? Number(record.value) : record.value;
    if (record.isLogStatus || record.isTimeChange) {
      return { sequence: (first ?? 0) + i, ts, value: Number.NaN, fault: true };
    }
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new TrendLogShapeError(`record ${i}: the value is not a number`);
    }
    return { sequence: (first ?? 0) + i, ts, value, fault: record.status?.fault === true };
  });
  for (let i = 1; i < records.length; i++) {
    if ((records[i]?.ts ?? 0) < (records[i - 1]?.ts ?? 0)) {
      throw new TrendLogShapeError(`record ${i} is older than the one before it`);
    }
  }
  const flags = answer.resultFlag?.value?.[0] ?? 0;
  // BACnetResultFlags in the library's bit order: first-item 1, last-item 2, more-items 4.
  return { records: records.filter((r) => !Number.isNaN(r.value)), more: (flags & 4) !== 0 };
}
