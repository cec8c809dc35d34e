import type bacnetModule from "@bacnet-js/client";
import type { BACNetReadAccessSpecification } from "@bacnet-js/client";
import { ReadPropertyMultiple } from "@bacnet-js/client/dist/lib/services/index.js";
import { decodeRpmAck, type RpmResult, rpmRequestWithInvokeId } from "@bms/bacnet";
import type { DeviceAddress } from "./device-address";
import { UdpTransport } from "./udp-transport";

/**
 * The parts of the library's client a point read uses: its invoke ids and its table of requests in
 * flight, which matches the reply (or error, reject, abort, timeout) to the request as for every other
 * service. Only the frame and the answer's decoding are ours (@bms/bacnet read-property-multiple).
 */
interface ClientInternals {
  _getInvokeId(): number;
  _requestManager: {
    add(
      invokeId: number,
    ): Promise<{ msg: { service?: number }; buffer: Buffer; offset: number; length: number }>;
  };
  _transport: unknown;
}

const SERVICE_READ_PROPERTY_MULTIPLE = 14;

/** An RPM answer: decoded by the library (a routed device), or the ack's service data to decode. */
export type RpmAnswer =
  | { values: RpmResult[]; ack?: undefined }
  | { ack: { buffer: Buffer; offset: number; length: number }; values?: undefined };

/**
 * A ReadPropertyMultiple for point reads: our frame, sent without the library's per-request 1,476-byte
 * buffer and the transport's copy of it, and the answer handed back undecoded, for the caller to walk
 * with visitRpmAck straight into its readings (or to decode with `decodeRpmAnswer`). `template` is the
 * request's frame (encodeRpmRequest) as the caller remembers it for the list, sent as a copy with this
 * request's invoke id: a scan encodes nothing. A device behind a router goes the library's way (its
 * frame carries the routing information). Rejects as the library does.
 */
export async function requestRpm(
  client: bacnetModule,
  to: DeviceAddress,
  template: () => Buffer,
  specs: () => BACNetReadAccessSpecification[],
): Promise<RpmAnswer> {
  const internals = client as unknown as ClientInternals;
  const transport = internals._transport;
  if (to.net !== undefined || !(transport instanceof UdpTransport)) {
    return client.readPropertyMultiple(to, specs()) as Promise<{ values: RpmResult[] }>;
  }
  const invokeId = internals._getInvokeId();
  transport.sendOwned(rpmRequestWithInvokeId(template(), invokeId), to.address);
  const answer = await internals._requestManager.add(invokeId);
  if (answer.msg.service !== undefined && answer.msg.service !== SERVICE_READ_PROPERTY_MULTIPLE) {
    throw new Error("INVALID_DECODING");
  }
  return { ack: { buffer: answer.buffer, offset: answer.offset, length: answer.length } };
}

/** An ack's results in the library's shape: our one-pass decoder, or the library's for richer answers. */
export function decodeRpmAnswer(ack: { buffer: Buffer; offset: number; length: number }): RpmResult[] {
  const values =
    decodeRpmAck(ack.buffer, ack.offset, ack.length) ??
    (ReadPropertyMultiple.decodeAcknowledge(ack.buffer, ack.offset, ack.length)?.values as
      | RpmResult[]
      | undefined);
  if (!values) throw new Error("INVALID_DECODING");
  return values;
}
