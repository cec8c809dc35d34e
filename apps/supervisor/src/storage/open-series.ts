import { type ChunkColumns, decodeChunk, encodeSamples } from "./history-codec";

/** Samples a block packs: a full tail is encoded with the chunk codec (~2-3 bytes a sample, not 17). */
export const BLOCK_SAMPLES = 32;
/** A raw tail record: timestamp (f64), value (f64), flag (u8). */
const RECORD = 17;
/** Bytes before each packed block: its encoded length (u32, little-endian). */
const BLOCK_HEADER = 4;

// Moves a double to and from a series' bytes, bit for bit (NaN payloads and -0 included).
const scratch = new Float64Array(1);
const scratchBytes = new Uint8Array(scratch.buffer);

/**
 * One point's samples not yet sealed into a chunk (up to a 15-minute window, 180 samples at 5 s and 900
 * at 1 s), kept in time order, in one byte array per point: full blocks of BLOCK_SAMPLES samples encoded
 * with the chunk codec, then the newest samples as 17-byte raw records. A sample at a timestamp already
 * held replaces it: the last write for a timestamp wins, as the old (point, ts) primary key did.
 *
 * Why not three typed arrays and a text map per point, as before: at 50,000 points those objects'
 * headers alone were ~35 MB of the supervisor's heap before a single sample, and a window of 180 raw
 * samples took 3 KB a point (heap snapshot, issue 15). Appending in time order (every poll) touches only
 * the tail; anything else (a late or repeated timestamp, taking the sealed prefix, a query) decodes the
 * series into columns, which is what the chunk codec costs anyway when the window is sealed.
 */
export class OpenSeries {
  /** Samples held, packed and raw. */
  n = 0;
  /** Packed blocks from offset 0 to `packedEnd`, then `tailN` raw records. */
  private bytes: Uint8Array = new Uint8Array(4 * RECORD);
  private packedEnd = 0;
  private tailN = 0;
  /** Texts of text samples in the tail, by tail index; absent while there are none (the usual case). */
  private tailTexts: Map<number, string> | undefined;
  private lastTs = Number.NEGATIVE_INFINITY;

  /** Bytes this series holds for its samples (its memory, beside a fixed ~200-byte object cost). */
  get byteLength(): number {
    return this.bytes.byteLength;
  }

  add(ts: number, value: number, flag: number, text: string | undefined): void {
    if (this.n > 0 && ts <= this.lastTs) {
      this.insert(ts, value, flag, text);
      return;
    }
    this.append(ts, value, flag, text);
  }

  /** Every sample held, decoded into columns (a copy: the series is unchanged). */
  columns(): ChunkColumns {
    const n = this.n;
    const out: ChunkColumns = {
      n,
      ts: new Float64Array(n),
      values: new Float64Array(n),
      flags: new Uint8Array(n),
      texts: new Map(),
    };
    let at = 0;
    let offset = 0;
    while (offset < this.packedEnd) {
      const length = readU32(this.bytes, offset);
      const block = decodeChunk(this.bytes.subarray(offset + BLOCK_HEADER, offset + BLOCK_HEADER + length));
      out.ts.set(block.ts, at);
      out.values.set(block.values, at);
      out.flags.set(block.flags, at);
      for (const [i, t] of block.texts) out.texts.set(at + i, t);
      at += block.n;
      offset += BLOCK_HEADER + length;
    }
    for (let i = 0; i < this.tailN; i++) {
      const record = this.packedEnd + i * RECORD;
      out.ts[at + i] = readF64(this.bytes, record);
      out.values[at + i] = readF64(this.bytes, record + 8);
      out.flags[at + i] = this.bytes[record + 16]!;
      const text = this.tailTexts?.get(i);
      if (text !== undefined) out.texts.set(at + i, text);
    }
    return out;
  }

  /** Removes and returns the samples before `boundary` (a prefix, the series being in time order). */
  takeBefore(boundary: number): ChunkColumns | undefined {
    if (this.n === 0) return undefined;
    const all = this.columns();
    let k = 0;
    while (k < all.n && all.ts[k]! < boundary) k++;
    if (k === 0) return undefined;
    this.rebuild(all, k);
    if (k === all.n) return all;
    const taken: ChunkColumns = {
      n: k,
      ts: all.ts.slice(0, k),
      values: all.values.slice(0, k),
      flags: all.flags.slice(0, k),
      texts: new Map(),
    };
    for (const [i, t] of all.texts) if (i < k) taken.texts.set(i, t);
    return taken;
  }

  /** A sample at or before the newest: decode, put it in its place (or replace its timestamp), rebuild. */
  private insert(ts: number, value: number, flag: number, text: string | undefined): void {
    const c = this.columns();
    let lo = 0;
    let hi = c.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c.ts[mid]! < ts) lo = mid + 1;
      else hi = mid;
    }
    const replace = c.ts[lo] === ts;
    const n = replace ? c.n : c.n + 1;
    const next: ChunkColumns = {
      n,
      ts: new Float64Array(n),
      values: new Float64Array(n),
      flags: new Uint8Array(n),
      texts: new Map(),
    };
    const skip = replace ? 1 : 0;
    next.ts.set(c.ts.subarray(0, lo));
    next.values.set(c.values.subarray(0, lo));
    next.flags.set(c.flags.subarray(0, lo));
    next.ts.set(c.ts.subarray(lo + skip), lo + 1);
    next.values.set(c.values.subarray(lo + skip), lo + 1);
    next.flags.set(c.flags.subarray(lo + skip), lo + 1);
    next.ts[lo] = ts;
    next.values[lo] = value;
    next.flags[lo] = flag;
    for (const [i, t] of c.texts) {
      if (i < lo) next.texts.set(i, t);
      else if (i > lo || !replace) next.texts.set(i - skip + 1, t);
    }
    if (text !== undefined) next.texts.set(lo, text);
    this.rebuild(next, 0);
  }

  /** Holds exactly the samples of `c` from index `from` on (in time order). */
  private rebuild(c: ChunkColumns, from: number): void {
    this.n = 0;
    this.packedEnd = 0;
    this.tailN = 0;
    this.tailTexts = undefined;
    this.lastTs = Number.NEGATIVE_INFINITY;
    const held = c.n - from;
    const blocks = Math.floor(held / BLOCK_SAMPLES);
    // Room for the raw records plus the encoded blocks at up to a raw record's size each (then trimmed).
    this.bytes = new Uint8Array(Math.max(4, held) * RECORD + blocks * BLOCK_HEADER);
    for (let i = from; i < c.n; i++) this.append(c.ts[i]!, c.values[i]!, c.flags[i]!, c.texts.get(i));
    this.trim();
  }

  private append(ts: number, value: number, flag: number, text: string | undefined): void {
    const record = this.packedEnd + this.tailN * RECORD;
    // Doubling, but never past room for a full tail: the tail is packed at BLOCK_SAMPLES records.
    if (record + RECORD > this.bytes.length)
      this.resize(Math.min(this.bytes.length * 2, this.packedEnd + BLOCK_SAMPLES * RECORD));
    writeF64(this.bytes, record, ts);
    writeF64(this.bytes, record + 8, value);
    this.bytes[record + 16] = flag;
    if (text !== undefined) {
      this.tailTexts ??= new Map();
      this.tailTexts.set(this.tailN, text);
    }
    this.tailN++;
    this.n++;
    this.lastTs = ts;
    if (this.tailN === BLOCK_SAMPLES) this.pack();
  }

  /** Encodes the full tail as one block in its own place (a block is never larger than its raw records). */
  private pack(): void {
    const tail: ChunkColumns = {
      n: this.tailN,
      ts: new Float64Array(this.tailN),
      values: new Float64Array(this.tailN),
      flags: new Uint8Array(this.tailN),
      texts: this.tailTexts ?? new Map(),
    };
    for (let i = 0; i < this.tailN; i++) {
      const record = this.packedEnd + i * RECORD;
      tail.ts[i] = readF64(this.bytes, record);
      tail.values[i] = readF64(this.bytes, record + 8);
      tail.flags[i] = this.bytes[record + 16]!;
    }
    const { bytes } = encodeSamples(tail);
    const end = this.packedEnd + BLOCK_HEADER + bytes.length;
    if (end > this.bytes.length) this.resize(end + RECORD);
    writeU32(this.bytes, this.packedEnd, bytes.length);
    this.bytes.set(bytes, this.packedEnd + BLOCK_HEADER);
    this.packedEnd = end;
    this.tailN = 0;
    this.tailTexts = undefined;
  }

  /** Drops spare room beyond one more block's raw records (after a rebuild, and never below 4 records). */
  private trim(): void {
    const used = this.packedEnd + this.tailN * RECORD;
    const keep = Math.max(4 * RECORD, used + RECORD);
    if (this.bytes.length > keep * 2) this.resize(keep);
  }

  private resize(capacity: number): void {
    const bytes = new Uint8Array(capacity);
    bytes.set(this.bytes.subarray(0, Math.min(capacity, this.packedEnd + this.tailN * RECORD)));
    this.bytes = bytes;
  }
}

function writeF64(bytes: Uint8Array, offset: number, value: number): void {
  scratch[0] = value;
  for (let i = 0; i < 8; i++) bytes[offset + i] = scratchBytes[i]!;
}

function readF64(bytes: Uint8Array, offset: number): number {
  for (let i = 0; i < 8; i++) scratchBytes[i] = bytes[offset + i]!;
  return scratch[0]!;
}

function writeU32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
  bytes[offset + 2] = (value >>> 16) & 0xff;
  bytes[offset + 3] = value >>> 24;
}

function readU32(bytes: Uint8Array, offset: number): number {
  return (
    (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16)) + bytes[offset + 3]! * 2 ** 24
  );
}
