/**
 * Bit-level writer and reader for the history codec: fields of 1..32 bits, most significant bit first,
 * and integers up to 2^53 split into a high and a low part (JS bitwise operators stop at 32 bits).
 */
const TWO_32 = 4_294_967_296;

export class BitWriter {
  private buf: Uint8Array;
  private pos = 0;
  private acc = 0;
  private accBits = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  /** Writes the low `bits` bits (0..32) of `value`. */
  write(value: number, bits: number): void {
    let left = bits;
    while (left > 0) {
      const take = Math.min(left, 8 - this.accBits);
      const shift = left - take;
      const part = (value >>> shift) & ((1 << take) - 1);
      this.acc = (this.acc << take) | part;
      this.accBits += take;
      left = shift;
      if (this.accBits === 8) this.pushByte();
    }
  }

  /** Writes a non-negative integer below 2^bits, bits up to 53. */
  writeLarge(value: number, bits: number): void {
    if (bits <= 32) {
      this.write(value, bits);
      return;
    }
    this.write(Math.floor(value / TWO_32), bits - 32);
    this.write(value % TWO_32, 32);
  }

  bit(on: boolean): void {
    this.write(on ? 1 : 0, 1);
  }

  /** Pads to a byte boundary and copies raw bytes (text values). */
  bytes(data: Uint8Array): void {
    if (this.accBits > 0) this.write(0, 8 - this.accBits);
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  finish(): Uint8Array {
    if (this.accBits > 0) this.write(0, 8 - this.accBits);
    return this.buf.slice(0, this.pos);
  }

  private pushByte(): void {
    this.ensure(1);
    this.buf[this.pos++] = this.acc;
    this.acc = 0;
    this.accBits = 0;
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + extra));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
}

export class BitReader {
  private pos = 0;
  private bitPos = 0;

  constructor(private readonly buf: Uint8Array) {}

  read(bits: number): number {
    let value = 0;
    let left = bits;
    while (left > 0) {
      if (this.pos >= this.buf.length) throw new RangeError("history chunk ends early");
      const available = 8 - this.bitPos;
      const take = Math.min(left, available);
      const part = (this.buf[this.pos]! >>> (available - take)) & ((1 << take) - 1);
      // Unsigned accumulation: a 32-bit field must not turn negative.
      value = value * (1 << take) + part;
      this.bitPos += take;
      left -= take;
      if (this.bitPos === 8) {
        this.bitPos = 0;
        this.pos++;
      }
    }
    return value;
  }

  readLarge(bits: number): number {
    if (bits <= 32) return this.read(bits);
    const high = this.read(bits - 32);
    return high * TWO_32 + this.read(32);
  }

  bit(): boolean {
    return this.read(1) === 1;
  }

  bytes(length: number): Uint8Array {
    if (this.bitPos > 0) {
      this.bitPos = 0;
      this.pos++;
    }
    if (this.pos + length > this.buf.length) throw new RangeError("history chunk ends early");
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
}
