import { ReadRange } from "@bacnet-js/client/dist/lib/services/index.js";
import { BACNET_ERRORS, BIP_MAX_APDU, bitString, maxApduFromCode } from "@bms/bacnet";
import { encodeLogRecord, type LogRecord, type SimTrendLog, TL } from "../../objects/trend-log-object";
import type { ConfirmedRequest } from "../frame-decoder";
import { REJECT, type Reply, rejectMalformed, safeDecode } from "../reply";
import type { SimDevice } from "../sim-device";

/** The library's ReadRangeType: the range's request kind. */
const RANGE = { byPosition: 0, bySequence: 1, byTime: 2 } as const;
/** Octets of the ack around the records: APDU header, object id, property, flags, count, tags, sequence. */
const ACK_OVERHEAD = 32;

/** Picks the records a range names, in buffer order; `more` when the range went on past `count`. */
export function selectRecords(
  buffer: readonly LogRecord[],
  range: { type?: number; position: number; time?: Date; count: number },
): LogRecord[] {
  const { count } = range;
  if (range.type === undefined) return [...buffer];
  let matching: LogRecord[];
  if (range.type === RANGE.byPosition) {
    // Position 1 is the oldest record; a negative count reads backwards from the reference.
    const index = range.position - 1;
    if (index < 0 || index >= buffer.length) return [];
    return count > 0
      ? buffer.slice(index, index + count)
      : buffer.slice(Math.max(0, index + count + 1), index + 1);
  }
  if (range.type === RANGE.bySequence) {
    const ref = range.position;
    matching = count > 0 ? buffer.filter((r) => r.sequence >= ref) : buffer.filter((r) => r.sequence <= ref);
  } else {
    const ref = range.time?.getTime() ?? Number.NaN;
    matching = count > 0 ? buffer.filter((r) => r.ts > ref) : buffer.filter((r) => r.ts < ref);
  }
  return count > 0 ? matching.slice(0, count) : matching.slice(Math.max(0, matching.length + count));
}

/**
 * ReadRange (clause 15.8) of a Trend Log's Log_Buffer: by position, by sequence number or by time.
 * The records sent are cut to what fits the requester's max APDU, and More_Items says so, so a client
 * reads on from the last sequence number it got instead of meeting a segmented or aborted reply.
 */
export function readRange(device: SimDevice, request: ConfirmedRequest): Reply {
  const decoded = safeDecode(() => ReadRange.decode(request.buffer, request.offset, request.length));
  if (!decoded) return rejectMalformed(request.length);
  if (decoded.requestType !== undefined && (!Number.isInteger(decoded.count) || decoded.count === 0)) {
    return { kind: "reject", reason: REJECT.parameterOutOfRange };
  }
  const log = device.findTrendLog(decoded.objectId.type, decoded.objectId.instance);
  if (!log) return { kind: "error", error: BACNET_ERRORS.unknownObject };
  if (decoded.property.id !== TL.logBuffer) return { kind: "error", error: BACNET_ERRORS.unknownProperty };
  const wanted = selectRecords(log.buffer, {
    type: decoded.requestType,
    position: decoded.position,
    time: decoded.time,
    count: decoded.count,
  });
  return rangeAck(log, wanted, decoded.requestType, request.maxApduCode, device.link.maxApdu);
}

function rangeAck(
  log: SimTrendLog,
  wanted: LogRecord[],
  requestType: number | undefined,
  maxApduCode: number,
  deviceMaxApdu: number,
): Reply {
  const room = Math.min(maxApduFromCode(maxApduCode), deviceMaxApdu, BIP_MAX_APDU) - ACK_OVERHEAD;
  const data = { buffer: Buffer.alloc(BIP_MAX_APDU), offset: 0 };
  let sent = 0;
  for (const record of wanted) {
    const before = data.offset;
    encodeLogRecord(data, record);
    if (data.offset > room) {
      data.offset = before;
      break;
    }
    sent++;
  }
  const records = wanted.slice(0, sent);
  const first = records[0];
  const last = records.at(-1);
  const oldest = log.buffer[0];
  const newest = log.buffer.at(-1);
  // BACnetResultFlags: first-item(0), last-item(1), more-items(2).
  const flags = bitString(3, [
    ...(first && first === oldest ? [0] : []),
    ...(last && last === newest ? [1] : []),
    ...(sent < wanted.length ? [2] : []),
  ]);
  const applicationData = data.buffer.subarray(0, data.offset);
  return {
    kind: "complexAck",
    body: (buf) =>
      ReadRange.encodeAcknowledge(
        buf,
        { type: log.type, instance: log.instance },
        TL.logBuffer,
        0xffffffff,
        flags,
        sent,
        applicationData,
        requestType ?? RANGE.byPosition,
        first?.sequence ?? 0,
      ),
  };
}
