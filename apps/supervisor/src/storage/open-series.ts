import type { ChunkColumns } from "./history-codec";

/**
 * One point's samples not yet sealed into a chunk, in flat typed arrays (17 bytes a sample, not a JS
 * object each), kept in time order. A sample at a timestamp already held replaces it: the last write
 * for a timestamp wins, as the old (point, ts) primary key did.
 */
export class OpenSeries {
  n = 0;
  ts = new Float64Array(8);
  values = new Float64Array(8);
  flags = new Uint8Array(8);
  texts = new Map<number, string>();

  add(ts: number, value: number, flag: number, text: string | undefined): void {
    let at = this.n;
    if (this.n > 0 && ts <= this.ts[this.n - 1]!) {
      // Out of order or repeated (rare): binary search for the first slot not before ts.
      let lo = 0;
      let hi = this.n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.ts[mid]! < ts) lo = mid + 1;
        else hi = mid;
      }
      at = lo;
      if (this.ts[at] === ts) {
        this.set(at, ts, value, flag, text);
        return;
      }
    }
    if (this.n === this.ts.length) this.grow();
    if (at < this.n) {
      this.ts.copyWithin(at + 1, at, this.n);
      this.values.copyWithin(at + 1, at, this.n);
      this.flags.copyWithin(at + 1, at, this.n);
      if (this.texts.size > 0) {
        const moved = new Map<number, string>();
        for (const [i, t] of this.texts) moved.set(i >= at ? i + 1 : i, t);
        this.texts = moved;
      }
    }
    this.n++;
    this.set(at, ts, value, flag, text);
  }

  /** Removes and returns the samples before `boundary` (a prefix, the series being in time order). */
  takeBefore(boundary: number): ChunkColumns | undefined {
    let k = 0;
    while (k < this.n && this.ts[k]! < boundary) k++;
    if (k === 0) return undefined;
    const taken: ChunkColumns = {
      n: k,
      ts: this.ts.slice(0, k),
      values: this.values.slice(0, k),
      flags: this.flags.slice(0, k),
      texts: new Map(),
    };
    const rest = new Map<number, string>();
    for (const [i, t] of this.texts) {
      if (i < k) taken.texts.set(i, t);
      else rest.set(i - k, t);
    }
    this.ts.copyWithin(0, k, this.n);
    this.values.copyWithin(0, k, this.n);
    this.flags.copyWithin(0, k, this.n);
    this.texts = rest;
    this.n -= k;
    if (this.n < this.ts.length / 4 && this.ts.length > 64) this.shrink();
    return taken;
  }

  private set(at: number, ts: number, value: number, flag: number, text: string | undefined): void {
    this.ts[at] = ts;
    this.values[at] = value;
    this.flags[at] = flag;
    if (text === undefined) this.texts.delete(at);
    else this.texts.set(at, text);
  }

  private grow(): void {
    this.resize(this.ts.length * 2);
  }

  private shrink(): void {
    this.resize(Math.max(8, this.n * 2));
  }

  private resize(capacity: number): void {
    const ts = new Float64Array(capacity);
    ts.set(this.ts.subarray(0, this.n));
    const values = new Float64Array(capacity);
    values.set(this.values.subarray(0, this.n));
    const flags = new Uint8Array(capacity);
    flags.set(this.flags.subarray(0, this.n));
    this.ts = ts;
    this.values = values;
    this.flags = flags;
  }
}
