import { type ChunkColumns, decodeChunk, encodeSamples } from "./history-codec";
import type { SeriesSlab } from "./series-slab";

/** Samples a block packs: a full tail is encoded with the chunk codec (~2-3 bytes a sample, not 17). */
export const BLOCK_SAMPLES = 16;
/** A raw tail record: timestamp (f64), value (f64), flag (u8). */
const RECORD = 17;
/** Bytes before each packed block: its encoded length (u32, little-endian). */
const BLOCK_HEADER = 4;
/** Room a region grows by: four raw records. */
const GROW = 4 * RECORD;

// Moves a double to and from a series' bytes, bit for bit (NaN payloads and -0 included).
const scratch = new Float64Array(1);
const scratchBytes = new Uint8Array(scratch.buffer);

/**
 * One point's samples not yet sealed into a chunk (up to a 15-minute window, 180 samples at 5 s and 900
 * at 1 s), kept in time order, in one region of the repo's SeriesSlab: full blocks of BLOCK_SAMPLES
 * samples encoded with the chunk codec, then the newest samples as 17-byte raw records. A sample at a
 * timestamp already held replaces it: the last write for a timestamp wins, as the old (point, ts) primary
 * key did. An empty series holds no slot in the slab.
 *
 * Why not three typed arrays and a text map per point (session 4), nor a byte array per point (session 5):
 * at 50,000 points the typed arrays' headers and native backing stores cost more than the samples (heap
 * snapshot and smaps, issue 15); series-slab.ts keeps every region in a few large chunks. Appending in
 * time order (every poll) touches only the tail; anything else (a late or repeated timestamp, taking the
 * sealed prefix, a query) decodes the series into columns, which is what the chunk codec costs anyway
 * when the window is sealed.
 */
export class OpenSeries {
  /** Samples held, packed and raw. */
  n = 0;
  /** The series' slot in the slab, -1 while it holds nothing. */
  private slot = -1;
  /** Packed blocks from offset 0 to `packedEnd` of the region, then `tailN` raw records. */
  private packedEnd = 0;
  private tailN = 0;
  /** Texts of text samples in the tail, by tail index; absent while there are none (the usual case). */
  private tailTexts: Map<number, string> | undefined;
  private lastTs = Number.NEGATIVE_INFINITY;

  constructor(private readonly slab: SeriesSlab) {}

  /** Bytes this series holds in the slab for its samples (beside a fixed ~100-byte object cost). */
  get byteLength(): number {
    return this.slot < 0 ? 0 : this.slab.capacity(this.slot);
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
    if (this.slot < 0) return out;
    const bytes = this.slab.chunk(this.slot);
    const base = this.slab.base(this.slot);
    let at = 0;
    let offset = base;
    while (offset < base + this.packedEnd) {
      const length = readU32(bytes, offset);
      const block = decodeChunk(bytes.subarray(offset + BLOCK_HEADER, offset + BLOCK_HEADER + length));
      out.ts.set(block.ts, at);
      out.values.set(block.values, at);
      out.flags.set(block.flags, at);
      for (const [i, t] of block.texts) out.texts.set(at + i, t);
      at += block.n;
      offset += BLOCK_HEADER + length;
    }
    for (let i = 0; i < this.tailN; i++) {
      const record = base + this.packedEnd + i * RECORD;
      out.ts[at + i] = readF64(bytes, record);
      out.values[at + i] = readF64(bytes, record + 8);
      out.flags[at + i] = bytes[record + 16]!;
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
    if (held === 0) {
      if (this.slot >= 0) this.slab.close(this.slot);
      this.slot = -1;
      return;
    }
    if (this.slot < 0) this.slot = this.slab.open();
    const blocks = Math.floor(held / BLOCK_SAMPLES);
    // Room for the raw records plus the encoded blocks at up to a raw record's size each (then trimmed).
    this.slab.resize(this.slot, held * RECORD + blocks * BLOCK_HEADER, 0);
    for (let i = from; i < c.n; i++) this.append(c.ts[i]!, c.values[i]!, c.flags[i]!, c.texts.get(i));
    const used = this.packedEnd + this.tailN * RECORD;
    this.slab.resize(this.slot, used + GROW, used);
  }

  private append(ts: number, value: number, flag: number, text: string | undefined): void {
    if (this.slot < 0) {
      this.slot = this.slab.open();
      this.slab.resize(this.slot, GROW, 0);
    }
    const at = this.packedEnd + this.tailN * RECORD;
    // A few records more at a time, never past room for a full tail (packed at BLOCK_SAMPLES records):
    // the slab moves a region that grows, so small steps cost a short copy and no idle room.
    if (at + RECORD > this.slab.capacity(this.slot))
      this.slab.resize(this.slot, Math.min(at + GROW, this.packedEnd + BLOCK_SAMPLES * RECORD), at);
    const bytes = this.slab.chunk(this.slot);
    const record = this.slab.base(this.slot) + at;
    writeF64(bytes, record, ts);
    writeF64(bytes, record + 8, value);
    bytes[record + 16] = flag;
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
    let bytes = this.slab.chunk(this.slot);
    let base = this.slab.base(this.slot);
    for (let i = 0; i < this.tailN; i++) {
      const record = base + this.packedEnd + i * RECORD;
      tail.ts[i] = readF64(bytes, record);
      tail.values[i] = readF64(bytes, record + 8);
      tail.flags[i] = bytes[record + 16]!;
    }
    const encoded = encodeSamples(tail).bytes;
    const end = this.packedEnd + BLOCK_HEADER + encoded.length;
    if (end > this.slab.capacity(this.slot)) {
      this.slab.resize(this.slot, end + GROW, this.packedEnd + this.tailN * RECORD);
      bytes = this.slab.chunk(this.slot);
      base = this.slab.base(this.slot);
    }
    writeU32(bytes, base + this.packedEnd, encoded.length);
    bytes.set(encoded, base + this.packedEnd + BLOCK_HEADER);
    this.packedEnd = end;
    this.tailN = 0;
    this.tailTexts = undefined;
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
