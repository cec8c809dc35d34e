import { BitReader, BitWriter } from "./bit-stream";

/**
 * The compressed history chunk: one point's samples over one time window, as
 *  - timestamps: the first, the first delta, then delta-of-deltas (a steady 5 s poll costs 1 bit);
 *  - flags (quality and value kind) as runs: a point that stays good costs a few bits per chunk;
 *  - numbers: when every value of the chunk is a short decimal (m / 10^k, m × 10^-k, or the float32
 *    nearest m / 10^k, which is what a BACnet REAL of a decimal reading widens to), the integers m as
 *    deltas; otherwise Gorilla XOR of the 64 bits. Both are bit-exact: the decimal form is only chosen
 *    when every value comes back identical (so -0, NaN and ±Infinity always take the XOR form);
 *  - text values, length-prefixed UTF-8.
 * Measured on the analog chunks of the history bench (simulator physics read as float32 REALs, 5 s), the
 * samples take 1.50 bytes each in the decimal form and 2.10 in Gorilla XOR: the decimal form is chosen
 * whenever it applies, XOR keeps computed float64 values (which take 8-11 bytes a sample) exact.
 *
 * Timestamps are integer ms within ±2^50; the sequence is kept as given (out of order and repeated
 * timestamps come back as they went in; the store decides ordering, not the codec).
 */

export const KIND_NUMBER = 0;
export const KIND_NULL = 1;
export const KIND_TEXT = 2;

/** A sample's flag byte: quality code (0 good, 1 uncertain, 2 bad) in bits 0-1, kind in bits 2-3. */
export function flagOf(quality: number, kind: number): number {
  return quality | (kind << 2);
}
export const qualityOf = (flag: number): number => flag & 3;
export const kindOf = (flag: number): number => flag >> 2;

export interface ChunkColumns {
  n: number;
  ts: Float64Array;
  /** The number of sample i (0 where its kind is not a number). */
  values: Float64Array;
  flags: Uint8Array;
  /** The text of sample i where its kind is text. */
  texts: Map<number, string>;
}

/** Per-minute summary of a chunk's non-text samples; `count` counts numbers (nulls only lower quality). */
export interface MinuteSummary {
  minute: number;
  count: number;
  sum: number | null;
  min: number | null;
  max: number | null;
  last: number | null;
  lastTs: number;
  quality: number;
}

const VERSION = 1;
const TIMESTAMP_LIMIT = 2 ** 50;
const DECIMAL_LIMIT = 2 ** 49;
const MAX_SCALE = 9;
const POW10 = Array.from({ length: MAX_SCALE + 1 }, (_, k) => 10 ** k);
/** The literal constants a reading is multiplied by (0.1, 0.01, ...), which differ from 1 / 10^k. */
const NEG_POW10 = [1, 0.1, 0.01, 0.001, 0.0001, 0.00001, 0.000001, 0.0000001, 0.00000001, 0.000000001];

const OP_DIV = 0;
const OP_MUL = 1;
const OP_F32 = 2;

export interface DecimalScale {
  op: number;
  k: number;
}

export function isTimestamp(ts: number): boolean {
  return Number.isInteger(ts) && Math.abs(ts) < TIMESTAMP_LIMIT;
}

function fromDecimal(m: number, scale: DecimalScale): number {
  if (scale.op === OP_MUL) return m * NEG_POW10[scale.k]!;
  const v = m / POW10[scale.k]!;
  return scale.op === OP_F32 ? Math.fround(v) : v;
}

function toDecimal(v: number, scale: DecimalScale): number | undefined {
  const m = Math.round(v * POW10[scale.k]!);
  if (!(Math.abs(m) <= DECIMAL_LIMIT)) return undefined;
  return fromDecimal(m, scale) === v ? m : undefined;
}

/**
 * The decimal form all `count` numbers share with the fewest digits, or null (then XOR). -0 has no
 * decimal form (0 / 10^k is +0); NaN and infinities fail the comparison.
 */
export function chooseScale(values: Float64Array, flags: Uint8Array, n: number): DecimalScale | null {
  let best: DecimalScale | null = null;
  for (const op of [OP_DIV, OP_MUL, OP_F32]) {
    for (let k = 0; k <= MAX_SCALE && (best === null || k < best.k); k++) {
      const scale = { op, k };
      let fits = true;
      for (let i = 0; i < n && fits; i++) {
        if (kindOf(flags[i]!) !== KIND_NUMBER) continue;
        const v = values[i]!;
        if (v === 0 && 1 / v < 0) fits = false;
        else if (toDecimal(v, scale) === undefined) fits = false;
      }
      if (fits) {
        best = scale;
        break;
      }
    }
  }
  return best;
}

// --- integers: zigzag, then a prefix code sized for small deltas --------------------------------------

function writeUnsigned(w: BitWriter, z: number): void {
  if (z === 0) w.write(0, 1);
  else if (z < 64) {
    w.write(0b10, 2);
    w.write(z, 6);
  } else if (z < 8192) {
    w.write(0b110, 3);
    w.write(z, 13);
  } else if (z < 1_048_576) {
    w.write(0b1110, 4);
    w.write(z, 20);
  } else if (z < 4_294_967_296) {
    w.write(0b11110, 5);
    w.write(z, 32);
  } else {
    w.write(0b11111, 5);
    w.writeLarge(z, 53);
  }
}

function readUnsigned(r: BitReader): number {
  if (!r.bit()) return 0;
  if (!r.bit()) return r.read(6);
  if (!r.bit()) return r.read(13);
  if (!r.bit()) return r.read(20);
  if (!r.bit()) return r.read(32);
  return r.readLarge(53);
}

function writeSigned(w: BitWriter, x: number): void {
  writeUnsigned(w, x >= 0 ? x * 2 : -x * 2 - 1);
}

function readSigned(r: BitReader): number {
  const z = readUnsigned(r);
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/** A list of integers as zigzag deltas (the journal's point ids). */
export function encodeIntegers(values: ArrayLike<number>, n: number): Uint8Array {
  const w = new BitWriter(16 + n * 2);
  writeUnsigned(w, n);
  let prev = 0;
  for (let i = 0; i < n; i++) {
    writeSigned(w, values[i]! - prev);
    prev = values[i]!;
  }
  return w.finish();
}

export function decodeIntegers(data: Uint8Array): number[] {
  const r = new BitReader(data);
  const n = readUnsigned(r);
  const out: number[] = new Array(n);
  let prev = 0;
  for (let i = 0; i < n; i++) {
    prev += readSigned(r);
    out[i] = prev;
  }
  return out;
}

// --- floats: Gorilla XOR on the 64 bits, as two 32-bit halves ------------------------------------------

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = LITTLE_ENDIAN ? 1 : 0;

const ctz32 = (x: number): number => 31 - Math.clz32(x & -x);

class XorWriter {
  private hi = 0;
  private lo = 0;
  private lead = -1;
  private trail = 0;
  private first = true;

  constructor(private readonly w: BitWriter) {}

  put(v: number): void {
    f64[0] = v;
    const hi = u32[HI]!;
    const lo = u32[LO]!;
    const w = this.w;
    if (this.first) {
      this.first = false;
      w.write(hi, 32);
      w.write(lo, 32);
      this.hi = hi;
      this.lo = lo;
      return;
    }
    const xh = (hi ^ this.hi) >>> 0;
    const xl = (lo ^ this.lo) >>> 0;
    this.hi = hi;
    this.lo = lo;
    if (xh === 0 && xl === 0) {
      w.write(0, 1);
      return;
    }
    const lead = xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl);
    const trail = xl !== 0 ? ctz32(xl) : 32 + ctz32(xh);
    if (this.lead >= 0 && lead >= this.lead && trail >= this.trail) {
      // Inside the previous window: the meaningful bits only.
      w.write(0b10, 2);
      writeShifted(w, xh, xl, this.trail, 64 - this.lead - this.trail);
      return;
    }
    const length = 64 - lead - trail;
    w.write(0b11, 2);
    w.write(lead, 6);
    w.write(length - 1, 6);
    writeShifted(w, xh, xl, trail, length);
    this.lead = lead;
    this.trail = trail;
  }
}

/** Writes `length` bits of the 64-bit (xh, xl) shifted right by `trail`. */
function writeShifted(w: BitWriter, xh: number, xl: number, trail: number, length: number): void {
  let vh: number;
  let vl: number;
  if (trail === 0) {
    vh = xh;
    vl = xl;
  } else if (trail >= 32) {
    vh = 0;
    vl = xh >>> (trail - 32);
  } else {
    vh = xh >>> trail;
    vl = ((xl >>> trail) | (xh << (32 - trail))) >>> 0;
  }
  if (length > 32) {
    w.write(vh, length - 32);
    w.write(vl, 32);
  } else w.write(vl, length);
}

class XorReader {
  private hi = 0;
  private lo = 0;
  private lead = 0;
  private trail = 0;
  private first = true;

  constructor(private readonly r: BitReader) {}

  get(): number {
    const r = this.r;
    if (this.first) {
      this.first = false;
      this.hi = r.read(32);
      this.lo = r.read(32);
    } else if (r.bit()) {
      if (r.bit()) {
        this.lead = r.read(6);
        this.trail = 64 - this.lead - (r.read(6) + 1);
      }
      const length = 64 - this.lead - this.trail;
      let vh = 0;
      let vl: number;
      if (length > 32) {
        vh = r.read(length - 32);
        vl = r.read(32);
      } else vl = r.read(length);
      const t = this.trail;
      let xh: number;
      let xl: number;
      if (t === 0) {
        xh = vh;
        xl = vl;
      } else if (t >= 32) {
        xh = (vl << (t - 32)) >>> 0;
        xl = 0;
      } else {
        xh = ((vh << t) | (vl >>> (32 - t))) >>> 0;
        xl = (vl << t) >>> 0;
      }
      this.hi = (this.hi ^ xh) >>> 0;
      this.lo = (this.lo ^ xl) >>> 0;
    }
    u32[HI] = this.hi;
    u32[LO] = this.lo;
    return f64[0]!;
  }
}

/** One column of numbers: decimal deltas when the chunk has a scale, XOR otherwise. */
class FloatColumnWriter {
  private readonly xor: XorWriter | undefined;
  private prev = 0;

  constructor(
    private readonly w: BitWriter,
    private readonly scale: DecimalScale | null,
  ) {
    this.xor = scale ? undefined : new XorWriter(w);
  }

  put(v: number): void {
    if (this.xor) {
      this.xor.put(v);
      return;
    }
    const m = toDecimal(v, this.scale!)!;
    writeSigned(this.w, m - this.prev);
    this.prev = m;
  }
}

class FloatColumnReader {
  private readonly xor: XorReader | undefined;
  private prev = 0;

  constructor(
    private readonly r: BitReader,
    private readonly scale: DecimalScale | null,
  ) {
    this.xor = scale ? undefined : new XorReader(r);
  }

  get(): number {
    if (this.xor) return this.xor.get();
    this.prev += readSigned(this.r);
    return fromDecimal(this.prev, this.scale!);
  }
}

function writeScale(w: BitWriter, scale: DecimalScale | null): void {
  if (!scale) {
    w.write(0, 1);
    return;
  }
  w.write(1, 1);
  w.write(scale.op, 2);
  w.write(scale.k, 4);
}

function readScale(r: BitReader): DecimalScale | null {
  if (!r.bit()) return null;
  const op = r.read(2);
  const k = r.read(4);
  if (op > OP_F32 || k > MAX_SCALE) throw new RangeError("history chunk has an unknown number form");
  return { op, k };
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

// --- chunks ---------------------------------------------------------------------------------------------

export interface EncodedChunk {
  samples: Uint8Array;
  minutes: Uint8Array;
}

/** Encodes the first `n` samples of the columns, and their per-minute summaries. */
export function encodeChunk(c: ChunkColumns): EncodedChunk {
  const { bytes, scale } = encodeSamples(c);
  return { samples: bytes, minutes: encodeMinutes(summarizeMinutes(c), scale) };
}

/** The samples alone (the crash journal of not-yet-sealed samples needs no summaries). */
export function encodeSamples(c: ChunkColumns): { bytes: Uint8Array; scale: DecimalScale | null } {
  const { n, ts, values, flags, texts } = c;
  const w = new BitWriter(64 + n * 4);
  w.write(VERSION, 4);
  writeUnsigned(w, n);
  let prevTs = 0;
  let prevDelta = 0;
  for (let i = 0; i < n; i++) {
    const t = ts[i]!;
    if (!isTimestamp(t)) throw new RangeError(`history timestamp ${t} is not an integer ms within ±2^50`);
    if (i === 0) writeSigned(w, t);
    else {
      const delta = t - prevTs;
      writeSigned(w, i === 1 ? delta : delta - prevDelta);
      prevDelta = delta;
    }
    prevTs = t;
  }
  for (let i = 0; i < n; ) {
    const flag = flags[i]!;
    let j = i + 1;
    while (j < n && flags[j] === flag) j++;
    w.write(flag, 4);
    writeUnsigned(w, j - i - 1);
    i = j;
  }
  const scale = chooseScale(values, flags, n);
  writeScale(w, scale);
  const column = new FloatColumnWriter(w, scale);
  for (let i = 0; i < n; i++) if (kindOf(flags[i]!) === KIND_NUMBER) column.put(values[i]!);
  for (let i = 0; i < n; i++) {
    if (kindOf(flags[i]!) !== KIND_TEXT) continue;
    const bytes = utf8.encode(texts.get(i) ?? "");
    writeUnsigned(w, bytes.length);
    w.bytes(bytes);
  }
  return { bytes: w.finish(), scale };
}

export function decodeChunk(data: Uint8Array): ChunkColumns {
  const r = new BitReader(data);
  if (r.read(4) !== VERSION) throw new RangeError("history chunk has an unknown version");
  const n = readUnsigned(r);
  const ts = new Float64Array(n);
  const values = new Float64Array(n);
  const flags = new Uint8Array(n);
  const texts = new Map<number, string>();
  let prev = 0;
  let delta = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0) prev = readSigned(r);
    else {
      delta = i === 1 ? readSigned(r) : delta + readSigned(r);
      prev += delta;
    }
    ts[i] = prev;
  }
  for (let i = 0; i < n; ) {
    const flag = r.read(4);
    const run = readUnsigned(r) + 1;
    flags.fill(flag, i, Math.min(n, i + run));
    i += run;
  }
  const column = new FloatColumnReader(r, readScale(r));
  for (let i = 0; i < n; i++) if (kindOf(flags[i]!) === KIND_NUMBER) values[i] = column.get();
  for (let i = 0; i < n; i++) {
    if (kindOf(flags[i]!) !== KIND_TEXT) continue;
    texts.set(i, fromUtf8.decode(r.bytes(readUnsigned(r))));
  }
  return { n, ts, values, flags, texts };
}

// --- per-minute summaries ---------------------------------------------------------------------------------

const MINUTE = 60_000;

/** Minute summaries of the non-text samples, in minute order (samples may come in any order). */
export function summarizeMinutes(c: ChunkColumns): MinuteSummary[] {
  const byMinute = new Map<number, MinuteSummary>();
  for (let i = 0; i < c.n; i++) {
    const kind = kindOf(c.flags[i]!);
    if (kind === KIND_TEXT) continue;
    const t = c.ts[i]!;
    const minute = Math.floor(t / MINUTE) * MINUTE;
    let m = byMinute.get(minute);
    if (!m) {
      m = { minute, count: 0, sum: null, min: null, max: null, last: null, lastTs: -Infinity, quality: 0 };
      byMinute.set(minute, m);
    }
    const quality = qualityOf(c.flags[i]!);
    if (quality > m.quality) m.quality = quality;
    const v = kind === KIND_NUMBER ? c.values[i]! : null;
    if (v !== null) {
      m.count++;
      m.sum = (m.sum ?? 0) + v;
      m.min = m.min === null ? v : Math.min(m.min, v);
      m.max = m.max === null ? v : Math.max(m.max, v);
    }
    if (t >= m.lastTs) {
      m.last = v;
      m.lastTs = t;
    }
  }
  return [...byMinute.values()].sort((a, b) => a.minute - b.minute);
}

/**
 * Minute summaries in the chunk's own number form: min, max and last exactly, and the sum as the sum of
 * the decimal integers (exact to the values' resolution; it only feeds averages).
 */
export function encodeMinutes(minutes: readonly MinuteSummary[], scale: DecimalScale | null): Uint8Array {
  const w = new BitWriter(16 + minutes.length * 8);
  writeUnsigned(w, minutes.length);
  writeScale(w, scale);
  if (minutes.length === 0) return w.finish();
  const base = minutes[0]!.minute / MINUTE;
  writeSigned(w, base);
  const sumScale = scale && sumsFitDecimal(minutes, scale) ? scale : null;
  w.bit(sumScale !== null);
  const mins = new FloatColumnWriter(w, scale);
  const maxs = new FloatColumnWriter(w, scale);
  const lasts = new FloatColumnWriter(w, scale);
  const sums = sumScale ? undefined : new XorWriter(w);
  let prevIndex = -1;
  let prevCount = 0;
  let prevOffset = 0;
  let prevSum = 0;
  for (const m of minutes) {
    const index = m.minute / MINUTE - base;
    writeUnsigned(w, index - prevIndex - 1);
    prevIndex = index;
    writeSigned(w, m.count - prevCount);
    prevCount = m.count;
    w.write(m.quality, 2);
    const offset = m.lastTs - m.minute;
    writeSigned(w, offset - prevOffset);
    prevOffset = offset;
    w.bit(m.last === null);
    if (m.count > 0) {
      mins.put(m.min!);
      maxs.put(m.max!);
      if (sums) sums.put(m.sum!);
      else {
        const s = decimalSum(m, sumScale!);
        writeSigned(w, s - prevSum);
        prevSum = s;
      }
    }
    if (m.last !== null) lasts.put(m.last);
  }
  return w.finish();
}

/** The sum of a minute's decimal integers (the float sum is exact to well below the resolution). */
function decimalSum(m: MinuteSummary, scale: DecimalScale): number {
  return Math.round(m.sum! * POW10[scale.k]!);
}

function sumsFitDecimal(minutes: readonly MinuteSummary[], scale: DecimalScale): boolean {
  return minutes.every((m) => m.sum === null || Math.abs(m.sum * POW10[scale.k]!) < DECIMAL_LIMIT);
}

export function decodeMinutes(data: Uint8Array): MinuteSummary[] {
  const r = new BitReader(data);
  const count = readUnsigned(r);
  const scale = readScale(r);
  const out: MinuteSummary[] = [];
  if (count === 0) return out;
  const base = readSigned(r);
  const decimalSums = r.bit();
  const mins = new FloatColumnReader(r, scale);
  const maxs = new FloatColumnReader(r, scale);
  const lasts = new FloatColumnReader(r, scale);
  const sums = decimalSums ? undefined : new XorReader(r);
  const k = scale ? POW10[scale.k]! : 1;
  let index = -1;
  let n = 0;
  let offset = 0;
  let sum = 0;
  for (let i = 0; i < count; i++) {
    index += readUnsigned(r) + 1;
    n += readSigned(r);
    const quality = r.read(2);
    offset += readSigned(r);
    const lastNull = r.bit();
    const minute = (base + index) * MINUTE;
    const m: MinuteSummary = {
      minute,
      count: n,
      sum: null,
      min: null,
      max: null,
      last: null,
      lastTs: minute + offset,
      quality,
    };
    if (n > 0) {
      m.min = mins.get();
      m.max = maxs.get();
      if (sums) m.sum = sums.get();
      else {
        sum += readSigned(r);
        m.sum = sum / k;
      }
    }
    if (!lastNull) m.last = lasts.get();
    out.push(m);
  }
  return out;
}
