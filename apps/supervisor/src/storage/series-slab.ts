/** Bytes of one slab chunk: 50,000 points' open series at 5 s fill a few dozen. */
export const CHUNK_BYTES = 1 << 20;
/** A region larger than this gets a chunk of its own (a day of 1 s samples imported at once). */
const LARGE = CHUNK_BYTES / 4;
/** Evacuate chunks while the dead bytes in them exceed this share of the bytes the chunks hold. */
const GARBAGE_SHARE = 0.25;

/**
 * The memory of every open history series of one repo, in a few large byte arrays ("chunks") with a
 * per-series table of where each region is (chunk, offset, capacity): one region per series, its bytes
 * in `chunk(slot)` from `base(slot)` on.
 *
 * Why not one Uint8Array per series, as before: at 50,000 points each array cost a typed array and an
 * ArrayBuffer on the JS heap plus a native backing store and its bookkeeping in malloc (~250 bytes a
 * point before its first sample), and every growth freed a malloc block of a new size, so the arenas
 * fragmented (issue 15, scale-50k bench).
 *
 * Allocation bumps through the current chunk. A region that grows moves to the bump pointer, and its old
 * bytes are dead. A chunk whose bytes are all dead is dropped at once. When the dead bytes pass a quarter
 * of all chunk bytes, the chunk with the fewest live bytes is evacuated: its regions move to the bump
 * pointer and it is dropped. So the slab holds at most about 4/3 of the live bytes plus one chunk, and a
 * move copies only the region itself. Regions move only inside `alloc`/`resize`/`free`, so a caller
 * reads `chunk(slot)` and `base(slot)` again after any of those calls.
 */
export class SeriesSlab {
  private chunks: (Uint8Array | undefined)[] = [];
  /** Live bytes in each chunk (regions not yet moved or freed). */
  private live: number[] = [];
  private spareChunks: number[] = [];
  private current = -1;
  private top = 0;
  /** Bytes held by chunks, and by live regions in them. */
  private chunkBytes = 0;
  private liveBytes = 0;
  /** Chunks evacuated so far. */
  private evacuations = 0;
  // The per-series table; capacity 0 means the series holds no region.
  private chunkOf = new Uint32Array(256);
  private baseOf = new Uint32Array(256);
  private capacityOf = new Uint32Array(256);
  private slots = 0;
  private spareSlots: number[] = [];

  /** A new series' slot, with no region yet. */
  open(): number {
    const slot = this.spareSlots.pop() ?? this.slots++;
    if (slot >= this.capacityOf.length) this.growTable();
    this.capacityOf[slot] = 0;
    return slot;
  }

  /** Frees the slot and its region; the slot number may be handed out again. */
  close(slot: number): void {
    this.free(slot);
    this.spareSlots.push(slot);
  }

  chunk(slot: number): Uint8Array {
    return this.chunks[this.chunkOf[slot]!]!;
  }

  base(slot: number): number {
    return this.baseOf[slot]!;
  }

  capacity(slot: number): number {
    return this.capacityOf[slot]!;
  }

  /** Bytes the chunks hold (live and dead), and bytes of live regions. */
  get stats(): { chunks: number; chunkBytes: number; liveBytes: number; evacuations: number } {
    return {
      evacuations: this.evacuations,
      chunks: this.chunks.filter(Boolean).length,
      chunkBytes: this.chunkBytes,
      liveBytes: this.liveBytes,
    };
  }

  /** Gives the series a region of `capacity` bytes holding its first `keep` bytes (the rest zero). */
  resize(slot: number, capacity: number, keep: number): void {
    const oldCapacity = this.capacityOf[slot]!;
    const oldChunk = this.chunkOf[slot]!;
    const oldBase = this.baseOf[slot]!;
    const { chunk, base } = this.place(capacity);
    const target = this.chunks[chunk]!;
    const n = Math.min(keep, oldCapacity, capacity);
    if (n > 0) target.set(this.chunks[oldChunk]!.subarray(oldBase, oldBase + n), base);
    target.fill(0, base + n, base + capacity);
    if (oldCapacity > 0) this.release(oldChunk, oldCapacity);
    this.chunkOf[slot] = chunk;
    this.baseOf[slot] = base;
    this.capacityOf[slot] = capacity;
    this.compact();
  }

  /** Drops the series' region (the slot stays open, with no region). */
  free(slot: number): void {
    const capacity = this.capacityOf[slot]!;
    if (capacity === 0) return;
    this.capacityOf[slot] = 0;
    this.release(this.chunkOf[slot]!, capacity);
    this.compact();
  }

  /** Room for `capacity` bytes: at the bump pointer, in a new chunk, or in a chunk of its own. */
  private place(capacity: number): { chunk: number; base: number } {
    this.liveBytes += capacity;
    if (capacity > LARGE) {
      const chunk = this.newChunk(capacity);
      this.live[chunk] = capacity;
      return { chunk, base: 0 };
    }
    if (this.current < 0 || this.top + capacity > CHUNK_BYTES) {
      const previous = this.current;
      this.current = this.newChunk(CHUNK_BYTES);
      this.top = 0;
      // The chunk left behind may already be all dead.
      if (previous >= 0 && this.live[previous] === 0) this.drop(previous);
    }
    const base = this.top;
    this.top += capacity;
    this.live[this.current] = this.live[this.current]! + capacity;
    return { chunk: this.current, base };
  }

  private release(chunk: number, capacity: number): void {
    this.liveBytes -= capacity;
    this.live[chunk] = this.live[chunk]! - capacity;
    if (this.live[chunk] === 0 && chunk !== this.current) this.drop(chunk);
  }

  private newChunk(bytes: number): number {
    const chunk = this.spareChunks.pop() ?? this.chunks.length;
    this.chunks[chunk] = new Uint8Array(bytes);
    this.live[chunk] = 0;
    this.chunkBytes += bytes;
    return chunk;
  }

  private drop(chunk: number): void {
    this.chunkBytes -= this.chunks[chunk]!.length;
    this.chunks[chunk] = undefined;
    this.spareChunks.push(chunk);
  }

  /**
   * Evacuates the emptiest chunks while dead bytes exceed their share (see the class comment), at most a
   * few per call so no call copies more than a few chunks' live bytes.
   */
  private compact(): void {
    for (let round = 0; round < 4; round++) {
      if (this.chunkBytes - this.liveBytes <= Math.max(CHUNK_BYTES, this.chunkBytes * GARBAGE_SHARE)) return;
      let emptiest = -1;
      let share = 1;
      for (let c = 0; c < this.chunks.length; c++) {
        const bytes = this.chunks[c]?.length;
        if (c === this.current || bytes === undefined) continue;
        if (this.live[c]! / bytes < share) {
          emptiest = c;
          share = this.live[c]! / bytes;
        }
      }
      if (emptiest < 0) return;
      this.evacuate(emptiest);
    }
  }

  /** Moves every region of `chunk` to the bump pointer; the chunk is dropped when its last one leaves. */
  private evacuate(chunk: number): void {
    this.evacuations++;
    for (let slot = 0; slot < this.slots; slot++) {
      const capacity = this.capacityOf[slot]!;
      if (capacity === 0 || this.chunkOf[slot] !== chunk) continue;
      const from = this.baseOf[slot]!;
      const to = this.place(capacity);
      this.chunks[to.chunk]!.set(this.chunks[chunk]!.subarray(from, from + capacity), to.base);
      this.chunkOf[slot] = to.chunk;
      this.baseOf[slot] = to.base;
      this.release(chunk, capacity);
      if (this.chunks[chunk] === undefined) return;
    }
  }

  private growTable(): void {
    const grow = (a: Uint32Array) => {
      const b = new Uint32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.chunkOf = grow(this.chunkOf);
    this.baseOf = grow(this.baseOf);
    this.capacityOf = grow(this.capacityOf);
  }
}
