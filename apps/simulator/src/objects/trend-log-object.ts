import * as asn1 from "@bacnet-js/client/dist/lib/asn1.js";
import type { EncodeBuffer } from "@bacnet-js/client/dist/lib/types.js";
import { app, BACNET_ERRORS, ErrorClass, ErrorCode, PROPERTIES as P, statusFlagsBits } from "@bms/bacnet";
import {
  ARRAY_ALL,
  type ReadResult,
  readError,
  readIdentity,
  readOk,
  readPropertyList,
  type WriteResult,
  writeError,
} from "./property-access";
import type { ServiceObject } from "./service-object";
import type { SimObject } from "./sim-object";

export const TREND_LOG_TYPE = 20;

/** Trend Log properties (clause 12.25) by id; the shared PROPERTIES table holds the point ones. */
export const TL = {
  bufferSize: 126,
  logBuffer: 131,
  logDeviceObjectProperty: 132,
  enable: 133,
  logInterval: 134,
  recordCount: 141,
  stopWhenFull: 144,
  totalRecordCount: 145,
  loggingType: 197,
} as const;

/** One BACnetLogRecord: the sample's time, the logged value and the object's status flags then. */
export interface LogRecord {
  /** Sequence number: Total_Record_Count when the record was added (1, 2, …; 32-bit, wraps). */
  sequence: number;
  /** ms epoch on the device's clock, whole hundredths (what BACnetDateTime carries). */
  ts: number;
  value: number;
  kind: SimObject["kind"];
  flags: SimObject["statusFlags"];
}

const REQUIRED: number[] = [
  P.objectIdentifier,
  P.objectName,
  P.objectType,
  P.propertyList,
  TL.enable,
  TL.stopWhenFull,
  TL.bufferSize,
  TL.logBuffer,
  TL.recordCount,
  TL.totalRecordCount,
  TL.loggingType,
  P.statusFlags,
  P.eventState,
];
const OPTIONAL: number[] = [P.description, TL.logDeviceObjectProperty, TL.logInterval];
const ALL = [...REQUIRED, ...OPTIONAL];
/** Log_Buffer is read with ReadRange only (12.25.14): ReadProperty gets read-access-denied. */
const READ_ACCESS_DENIED = { errorClass: ErrorClass.PROPERTY, errorCode: ErrorCode.READ_ACCESS_DENIED };

/**
 * A polled Trend Log of one point's Present_Value, as a controller keeps one: a ring buffer of
 * Buffer_Size records, a record every Log_Interval on interval boundaries of the device's clock, and a
 * sequence number per record (Total_Record_Count) so a client can resume where it stopped.
 */
export class SimTrendLog implements ServiceObject {
  readonly type = TREND_LOG_TYPE;
  description = "";
  enable = true;
  totalRecordCount = 0;
  private readonly records: LogRecord[] = [];
  private nextDue: number | undefined;

  constructor(
    readonly instance: number,
    public name: string,
    readonly logged: SimObject,
    readonly intervalMs: number,
    readonly bufferSize: number,
  ) {}

  /** Called every physics tick with the device's clock: adds a record for each boundary passed. */
  poll(now: number): void {
    if (!this.enable) return;
    const boundary = Math.floor(now / this.intervalMs) * this.intervalMs;
    if (this.nextDue === undefined) this.nextDue = boundary;
    if (now < this.nextDue) return;
    // A late tick logs once, at the boundary it reached: a controller does not invent the missed values.
    this.add(boundary);
    this.nextDue = boundary + this.intervalMs;
  }

  private add(ts: number): void {
    this.totalRecordCount = this.totalRecordCount >= 0xffffffff ? 1 : this.totalRecordCount + 1;
    this.records.push({
      sequence: this.totalRecordCount,
      ts: Math.floor(ts / 10) * 10,
      value: this.logged.presentValue,
      kind: this.logged.kind,
      flags: this.logged.statusFlags,
    });
    if (this.records.length > this.bufferSize) this.records.shift();
  }

  propertySets() {
    return { required: REQUIRED, optional: OPTIONAL };
  }

  read(id: number, index: number): ReadResult {
    return readTrendLogProperty(this, id, index);
  }

  structured(id: number) {
    return id === TL.logDeviceObjectProperty
      ? (buf: EncodeBuffer) => encodeLogReference(buf, this)
      : undefined;
  }

  /** The log's configuration is fixed by the site file; Enable is what operators switch. */
  write(id: number, values: ReadonlyArray<{ type: number; value: unknown }>): WriteResult {
    if (!ALL.includes(id)) return writeError(BACNET_ERRORS.unknownProperty);
    if (id !== TL.enable) return writeError(BACNET_ERRORS.writeAccessDenied);
    const first = values[0];
    if (values.length !== 1 || typeof first?.value !== "boolean")
      return writeError(BACNET_ERRORS.invalidDataType);
    this.enable = first.value;
    return { ok: true };
  }

  /** The buffer, oldest first (position 1 is the oldest record). */
  get buffer(): readonly LogRecord[] {
    return this.records;
  }
}

export function readTrendLogProperty(o: SimTrendLog, id: number, index: number): ReadResult {
  if (!ALL.includes(id)) return readError(BACNET_ERRORS.unknownProperty);
  if (id === TL.logBuffer) return readError(READ_ACCESS_DENIED);
  if (id === TL.logDeviceObjectProperty) return readError(BACNET_ERRORS.invalidDataType);
  if (index !== ARRAY_ALL && id !== P.propertyList) return readError(BACNET_ERRORS.propertyIsNotAnArray);
  const identity = readIdentity(o, id);
  if (identity) return identity;
  switch (id) {
    case P.propertyList:
      return readPropertyList(ALL, index);
    case TL.enable:
      return readOk([app.boolean(o.enable)]);
    case TL.stopWhenFull:
      return readOk([app.boolean(false)]);
    case TL.bufferSize:
      return readOk([app.unsigned(o.bufferSize)]);
    case TL.recordCount:
      return readOk([app.unsigned(o.buffer.length)]);
    case TL.totalRecordCount:
      return readOk([app.unsigned(o.totalRecordCount)]);
    case TL.loggingType:
      return readOk([app.enumerated(0)]); // polled
    case TL.logInterval:
      return readOk([app.unsigned(Math.round(o.intervalMs / 10))]); // centiseconds
    case P.statusFlags:
      return readOk([
        app.bits(statusFlagsBits({ inAlarm: false, fault: false, overridden: false, outOfService: false })),
      ]);
    case P.eventState:
      return readOk([app.enumerated(0)]);
    default:
      return readError(BACNET_ERRORS.unknownProperty);
  }
}

/** Log_DeviceObjectProperty: a BACnetDeviceObjectPropertyReference to the logged Present_Value. */
export function encodeLogReference(buf: EncodeBuffer, o: SimTrendLog): void {
  asn1.encodeContextObjectId(buf, 0, o.logged.type, o.logged.instance);
  asn1.encodeContextEnumerated(buf, 1, P.presentValue);
}

/**
 * BACnetLogRecord (clause 12.25.14): {timestamp [0] DateTime, log-datum [1] CHOICE, status-flags [2]};
 * the datum is real-value [2], enumerated-value [3] or unsigned-value [4] by the logged object's kind.
 */
export function encodeLogRecord(buf: EncodeBuffer, record: LogRecord): void {
  const at = new Date(record.ts);
  asn1.encodeOpeningTag(buf, 0);
  asn1.encodeApplicationDate(buf, at);
  asn1.encodeApplicationTime(buf, at);
  asn1.encodeClosingTag(buf, 0);
  asn1.encodeOpeningTag(buf, 1);
  if (record.kind === "analog") asn1.encodeContextReal(buf, 2, record.value);
  else asn1.encodeContextUnsigned(buf, record.kind === "binary" ? 3 : 4, record.value);
  asn1.encodeClosingTag(buf, 1);
  asn1.encodeContextBitstring(buf, 2, statusFlagsBits(record.flags));
}
