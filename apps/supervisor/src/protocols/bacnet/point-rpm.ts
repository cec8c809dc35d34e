import type bacnetModule from "@bacnet-js/client";
import type { BACNetReadAccessSpecification } from "@bacnet-js/client";
import { ReadPropertyMultiple } from "@bacnet-js/client/dist/lib/services/index.js";
import { decodeRpmAck, encodeRpmRequest, type RpmRead, type RpmResult } from "@bms/bacnet";
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

/**
 * A ReadPropertyMultiple for point reads: our frame, sent without the library's per-request 1,476-byte
 * buffer and the transport's copy of it, and the answer decoded by our one-pass decoder, or by the
 * library's when it holds more than that decoder reads. A device behind a router goes the library's
 * way (its frame carries the routing information). Answers in the library's shape; rejects as it does.
 */
export async function readPointsRpm(
  client: bacnetModule,
  to: DeviceAddress,
  reads: readonly RpmRead[],
  specs: () => BACNetReadAccessSpecification[],
): Promise<{ values: RpmResult[] }> {
  const internals = client as unknown as ClientInternals;
  const transport = internals._transport;
  if (to.net !== undefined || !(transport instanceof UdpTransport)) {
    return client.readPropertyMultiple(to, specs()) as Promise<{ values: RpmResult[] }>;
  }
  const invokeId = internals._getInvokeId();
  transport.sendOwned(encodeRpmRequest(reads, invokeId), to.address);
  const answer = await internals._requestManager.add(invokeId);
  if (answer.msg.service !== undefined && answer.msg.service !== SERVICE_READ_PROPERTY_MULTIPLE) {
    throw new Error("INVALID_DECODING");
  }
  const values =
    decodeRpmAck(answer.buffer, answer.offset, answer.length) ??
    (ReadPropertyMultiple.decodeAcknowledge(answer.buffer, answer.offset, answer.length)?.values as
      | RpmResult[]
      | undefined);
  if (!values) throw new Error("INVALID_DECODING");
  return { values };
}
