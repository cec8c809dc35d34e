import { type ChunkColumns, decodeChunk, encodeSamples } from "./history-codec";
import { SeriesSlab } from "./series-slab";

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
 * The samples of every point not yet sealed into a chunk (up to a 15-minute window, 180 samples at 5 s
 * and 900 at 1 s), one series per slot, each kept in time order in one region of a SeriesSlab: full
 * blocks of BLOCK_SAMPLES samples encoded with the chunk codec, then the newest samples as 17-byte raw
 * records. A sample at a timestamp already held replaces it: the last write for a timestamp wins, as the
 * old (point, ts) primary key did. A series' counters are columns indexed by its slot.
 *
 * Why columns and a slab, not an object per point (three typed arrays and a text map in session 4, one
 * byte array in session 5): at 50,000 points the objects, their typed arrays' headers, native backing
 * stores and boxed timestamps cost more than the samples (heap snapshots and smaps, issue 15). Appending
 * in time order (every poll) touches only the tail; anything else (a late or repeated timestamp, taking
 * the sealed prefix, a query) decodes the series into columns, which is what the chunk codec costs anyway
 * when the window is sealed.
 */
export class OpenSeriesTable {
  private readonly slab = new SeriesSlab();
  /** Samples held per slot, packed and raw. */
  private n = new Uint32Array(256);
  /** Packed blocks from offset 0 to `packedEnd` of the slot's region, then `tailN` raw records. */
  private packedEnd = new Uint32Array(256);
  private tailN = new Uint8Array(256);
  private lastTs = new Float64Array(256);
  /** Texts of text samples in a slot's tail, by tail index; only slots that have any (rare). */
  private readonly tailTexts = new Map<number, Map<number, string>>();

  /** A new, empty series. */
  open(): number {
    const slot = this.slab.open();
    if (slot >= this.n.length) this.grow();
    this.n[slot] = 0;
    this.packedEnd[slot] = 0;
    this.tailN[slot] = 0;
    return slot;
  }

  /** Drops the series and its samples; the slot may be handed out again. */
  close(slot: number): void {
    this.n[slot] = 0;
    this.tailTexts.delete(slot);
    this.slab.close(slot);
  }

  /** Samples the series holds. */
  count(slot: number): number {
    return this.n[slot]!;
  }

  /** Bytes the series holds in the slab for its samples. */
  byteLength(slot: number): number {
    return this.slab.capacity(slot);
  }

  /** Bytes the slab's chunks hold, and the bytes of live regions in them. */
  get stats(): { chunkBytes: number; liveBytes: number; chunks: number } {
    return this.slab.stats;
  }

  add(slot: number, ts: number, value: number, flag: number, text: string | undefined): void {
    if (this.n[slot]! > 0 && ts <= this.lastTs[slot]!) this.insert(slot, ts, value, flag, text);
    else this.append(slot, ts, value, flag, text);
  }

  /** Every sample held, decoded into columns (a copy: the series is unchanged). */
  columns(slot: number): ChunkColumns {
    const n = this.n[slot]!;
    const out: ChunkColumns = {
      n,
      ts: new Float64Array(n),
      values: new Float64Array(n),
      flags: new Uint8Array(n),
      texts: new Map(),
    };
    if (n === 0) return out;
    const bytes = this.slab.chunk(slot);
    const base = this.slab.base(slot);
    const packedEnd = base + this.packedEnd[slot]!;
    let at = 0;
    let offset = base;
    while (offset < packedEnd) {
      const length = readU32(bytes, offset);
      const block = decodeChunk(bytes.subarray(offset + BLOCK_HEADER, offset + BLOCK_HEADER + length));
      out.ts.set(block.ts, at);
      out.values.set(block.values, at);
      out.flags.set(block.flags, at);
      for (const [i, t] of block.texts) out.texts.set(at + i, t);
      at += block.n;
      offset += BLOCK_HEADER + length;
    }
    const texts = this.tailTexts.get(slot);
    for (let i = 0; i < this.tailN[slot]!; i++) {
      const record = packedEnd + i * RECORD;
      out.ts[at + i] = readF64(bytes, record);
      out.values[at + i] = readF64(bytes, record + 8);
      out.flags[at + i] = bytes[record + 16]!;
      const text = texts?.get(i);
      if (text !== undefined) out.texts.set(at + i, text);
    }
    return out;
  }

  /** Removes and returns the samples before `boundary` (a prefix, the series being in time order). */
  takeBefore(slot: number, boundary: number): ChunkColumns | undefined {
    if (this.n[slot] === 0) return undefined;
    const all = this.columns(slot);
    let k = 0;
    while (k < all.n && all.ts[k]! < boundary) k++;
    if (k === 0) return undefined;
    this.rebuild(slot, all, k);
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
  private insert(slot: number, ts: number, value: number, flag: number, text: string | undefined): void {
    const c = this.columns(slot);
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
    this.rebuild(slot, next, 0);
  }

  /** Holds exactly the samples of `c` from index `from` on (in time order); an empty series frees its region. */
  private rebuild(slot: number, c: ChunkColumns, from: number): void {
    this.n[slot] = 0;
    this.packedEnd[slot] = 0;
    this.tailN[slot] = 0;
    this.tailTexts.delete(slot);
    const held = c.n - from;
    if (held === 0) {
      this.slab.free(slot);
      return;
    }
    const blocks = Math.floor(held / BLOCK_SAMPLES);
    // Room for the raw records plus the encoded blocks at up to a raw record's size each (then trimmed).
    this.slab.resize(slot, held * RECORD + blocks * BLOCK_HEADER, 0);
    for (let i = from; i < c.n; i++) this.append(slot, c.ts[i]!, c.values[i]!, c.flags[i]!, c.texts.get(i));
    const used = this.packedEnd[slot]! + this.tailN[slot]! * RECORD;
    this.slab.resize(slot, used + GROW, used);
  }

  private append(slot: number, ts: number, value: number, flag: number, text: string | undefined): void {
    const packedEnd = this.packedEnd[slot]!;
    const tailN = this.tailN[slot]!;
    const at = packedEnd + tailN * RECORD;
    // A few records more at a time, never past room for a full tail (packed at BLOCK_SAMPLES records):
    // the slab moves a region that grows, so small steps cost a short copy and no idle room.
    if (at + RECORD > this.slab.capacity(slot))
      this.slab.resize(slot, Math.min(at + GROW, packedEnd + BLOCK_SAMPLES * RECORD), at);
    const bytes = this.slab.chunk(slot);
    const record = this.slab.base(slot) + at;
    writeF64(bytes, record, ts);
    writeF64(bytes, record + 8, value);
    bytes[record + 16] = flag;
    if (text !== undefined) {
      let texts = this.tailTexts.get(slot);
      if (!texts) {
        texts = new Map();
        this.tailTexts.set(slot, texts);
      }
      texts.set(tailN, text);
    }
    this.tailN[slot] = tailN + 1;
    this.n[slot] = this.n[slot]! + 1;
    this.lastTs[slot] = ts;
    if (tailN + 1 === BLOCK_SAMPLES) this.pack(slot);
  }

  /** Encodes the full tail as one block in its own place (a block is never larger than its raw records). */
  private pack(slot: number): void {
    const tailN = this.tailN[slot]!;
    const packedEnd = this.packedEnd[slot]!;
    const tail: ChunkColumns = {
      n: tailN,
      ts: new Float64Array(tailN),
      values: new Float64Array(tailN),
      flags: new Uint8Array(tailN),
      texts: this.tailTexts.get(slot) ?? new Map(),
    };
    let bytes = this.slab.chunk(slot);
    let base = this.slab.base(slot);
    for (let i = 0; i < tailN; i++) {
      const record = base + packedEnd + i * RECORD;
      tail.ts[i] = readF64(bytes, record);
      tail.values[i] = readF64(bytes, record + 8);
      tail.flags[i] = bytes[record + 16]!;
    }
    const encoded = encodeSamples(tail).bytes;
    const end = packedEnd + BLOCK_HEADER + encoded.length;
    if (end > this.slab.capacity(slot)) {
      this.slab.resize(slot, end + GROW, packedEnd + tailN * RECORD);
      bytes = this.slab.chunk(slot);
      base = this.slab.base(slot);
    }
    writeU32(bytes, base + packedEnd, encoded.length);
    bytes.set(encoded, base + packedEnd + BLOCK_HEADER);
    this.packedEnd[slot] = end;
    this.tailN[slot] = 0;
    this.tailTexts.delete(slot);
  }

  private grow(): void {
    const size = this.n.length * 2;
    const n = new Uint32Array(size);
    const packedEnd = new Uint32Array(size);
    const tailN = new Uint8Array(size);
    const lastTs = new Float64Array(size);
    n.set(this.n);
    packedEnd.set(this.packedEnd);
    tailN.set(this.tailN);
    lastTs.set(this.lastTs);
    this.n = n;
    this.packedEnd = packedEnd;
    this.tailN = tailN;
    this.lastTs = lastTs;
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
