/**
 * BACnet bit strings in the library's in-memory form: bit n lives in value[n >> 3] at (1 << (n % 8));
 * the library's encoder reverses each octet to the wire's MSB-first order.
 */
export interface BitString {
  bitsUsed: number;
  value: number[];
}

export function bitString(bitsUsed: number, trueBits: Iterable<number>): BitString {
  const value = new Array<number>(Math.ceil(bitsUsed / 8)).fill(0);
  for (const bit of trueBits) {
    if (bit < 0 || bit >= bitsUsed) throw new RangeError(`bit ${bit} outside a ${bitsUsed}-bit string`);
    value[bit >> 3] = (value[bit >> 3] ?? 0) | (1 << (bit % 8));
  }
  return { bitsUsed, value };
}

export function bitIsSet(bits: BitString, bit: number): boolean {
  return ((bits.value[bit >> 3] ?? 0) & (1 << (bit % 8))) !== 0;
}

export interface StatusFlags {
  inAlarm: boolean;
  fault: boolean;
  overridden: boolean;
  outOfService: boolean;
}

/** BACnetStatusFlags: in-alarm(0), fault(1), overridden(2), out-of-service(3). */
export function statusFlagsBits(flags: StatusFlags): BitString {
  const bits: number[] = [];
  if (flags.inAlarm) bits.push(0);
  if (flags.fault) bits.push(1);
  if (flags.overridden) bits.push(2);
  if (flags.outOfService) bits.push(3);
  return bitString(4, bits);
}

export function statusFlagsFromBits(bits: BitString): StatusFlags {
  return {
    inAlarm: bitIsSet(bits, 0),
    fault: bitIsSet(bits, 1),
    overridden: bitIsSet(bits, 2),
    outOfService: bitIsSet(bits, 3),
  };
}
