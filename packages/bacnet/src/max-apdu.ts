/** Max-APDU-length-accepted codes of a confirmed request header (clause 20.1.2.5) and their octets. */
const MAX_APDU_OCTETS = [50, 128, 206, 480, 1024, 1476] as const;

/** BACnet/IP's largest APDU. The library announces 1482, which is illegal on B/IP. */
export const BIP_MAX_APDU = 1476;

export function maxApduFromCode(code: number): number {
  return MAX_APDU_OCTETS[code] ?? BIP_MAX_APDU;
}
