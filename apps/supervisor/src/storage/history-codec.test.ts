import { describe, expect, it } from "vitest";
import {
  type ChunkColumns,
  chooseScale,
  decodeChunk,
  decodeMinutes,
  encodeChunk,
  flagOf,
  KIND_NULL,
  KIND_NUMBER,
  KIND_TEXT,
  summarizeMinutes,
} from "./history-codec";

/** Deterministic PRNG (mulberry32): a failing case can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
function fromBits(hi: number, lo: number): number {
  words[1] = hi;
  words[0] = lo;
  return bits[0]!;
}
function bitsOf(v: number): string {
  bits[0] = v;
  return `${words[1]!.toString(16)}:${words[0]!.toString(16)}`;
}

function columns(
  ts: number[],
  values: (number | null | string)[],
  quality: number[] = ts.map(() => 0),
): ChunkColumns {
  const n = ts.length;
  const c: ChunkColumns = {
    n,
    ts: Float64Array.from(ts),
    values: new Float64Array(n),
    flags: new Uint8Array(n),
    texts: new Map(),
  };
  values.forEach((v, i) => {
    const kind = typeof v === "number" ? KIND_NUMBER : v === null ? KIND_NULL : KIND_TEXT;
    c.flags[i] = flagOf(quality[i]!, kind);
    if (typeof v === "number") c.values[i] = v;
    if (typeof v === "string") c.texts.set(i, v);
  });
  return c;
}

/** Bit-exact comparison: every timestamp, flag, text and the 64 bits of every number. */
function expectRoundTrip(c: ChunkColumns): Uint8Array {
  const encoded = encodeChunk(c);
  const back = decodeChunk(encoded.samples);
  expect(back.n).toBe(c.n);
  expect([...back.ts]).toEqual([...c.ts.subarray(0, c.n)]);
  expect([...back.flags]).toEqual([...c.flags.subarray(0, c.n)]);
  expect([...back.texts]).toEqual([...c.texts]);
  for (let i = 0; i < c.n; i++) {
    if (c.flags[i]! >> 2 !== KIND_NUMBER) continue;
    expect(bitsOf(back.values[i]!), `value ${i} (${c.values[i]})`).toBe(bitsOf(c.values[i]!));
  }
  return encoded.samples;
}

const T0 = Date.UTC(2026, 11, 1);
const regular = (n: number, step = 5000) => Array.from({ length: n }, (_, i) => T0 + i * step);

describe("history codec", () => {
  it("keeps NaN payloads, ±Infinity, -0, subnormals and extremes bit-exactly", () => {
    const specials = [
      Number.NaN,
      fromBits(0x7ff80000, 0x12345), // quiet NaN with a payload
      fromBits(0xfff00000, 0x1), // signalling-pattern NaN, sign set
      fromBits(0x7ff7ffff, 0xffffffff),
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -0,
      0,
      Number.MIN_VALUE,
      -Number.MIN_VALUE,
      fromBits(0x000fffff, 0xffffffff), // largest subnormal
      2.2250738585072014e-308,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      Number.EPSILON,
      Number.MAX_SAFE_INTEGER,
      1 / 3,
    ];
    expectRoundTrip(columns(regular(specials.length), specials));
    // Each alone and after a decimal run: the chunk must fall back to XOR and still be exact.
    for (const v of specials) expectRoundTrip(columns(regular(4), [21.5, 21.6, v, 21.7]));
  });

  it("round-trips random walks, constants, steps, float32 readings and random bit patterns", () => {
    for (let seed = 1; seed <= 120; seed++) {
      const random = rng(seed);
      const n = 1 + Math.floor(random() * 400);
      const shape = seed % 6;
      const values: number[] = [];
      let x = random() * 100 - 50;
      for (let i = 0; i < n; i++) {
        if (shape === 0)
          x += (random() - 0.5) * 0.3; // random walk, full float64
        else if (shape === 1)
          x = 42.5; // constant
        else if (shape === 2)
          x = i % 50 < 25 ? 0 : 1; // binary steps
        else if (shape === 3)
          x = Math.round((x + (random() - 0.5)) / 0.01) * 0.01; // simulator quantize
        else if (shape === 4)
          x = Math.fround(Math.round((20 + random() * 5) * 100) / 100); // BACnet REAL
        else x = fromBits((random() * 2 ** 32) >>> 0, (random() * 2 ** 32) >>> 0); // any 64 bits
        values.push(x);
      }
      const ts = regular(n).map((t) => t + Math.floor(random() * 40));
      const quality = values.map(() => (random() < 0.05 ? Math.floor(random() * 3) : 0));
      expectRoundTrip(columns(ts, values, quality));
    }
  });

  it("keeps irregular, equal, decreasing and extreme timestamps as given", () => {
    const random = rng(7);
    const irregular = [T0];
    for (let i = 1; i < 300; i++) irregular.push(irregular[i - 1]! + Math.floor(random() * 120_000));
    expectRoundTrip(
      columns(
        irregular,
        irregular.map((_, i) => i),
      ),
    );
    expectRoundTrip(columns([T0, T0, T0, T0 + 1, T0 + 1], [1, 2, 3, 4, 5]));
    expectRoundTrip(columns([T0 + 9000, T0, T0 + 5000, T0 - 86_400_000, T0 + 1], [1, 2, 3, 4, 5]));
    expectRoundTrip(columns([-(2 ** 50) + 1, 0, 2 ** 50 - 1, -5], [1, 2, 3, 4]));
    expect(() => encodeChunk(columns([T0 + 0.5], [1]))).toThrow(RangeError);
    expect(() => encodeChunk(columns([2 ** 50], [1]))).toThrow(RangeError);
  });

  it("keeps nulls, texts (unicode included) and quality runs", () => {
    const values = [1.5, null, "Occupied", "", "Ünïcödé ✓ 🌡", 2.5, null, 3];
    expectRoundTrip(columns(regular(values.length), values, [0, 2, 0, 1, 0, 0, 2, 1]));
  });

  it("picks the decimal form only when every value comes back identical", () => {
    const c = (vs: number[]) => columns(regular(vs.length), vs);
    const scaleOf = (vs: number[]) => {
      const x = c(vs);
      return chooseScale(x.values, x.flags, x.n);
    };
    expect(scaleOf([1, 0, 1, 1])).toEqual({ op: 0, k: 0 });
    expect(scaleOf([21.37, 21.4, 21.35])).toEqual({ op: 0, k: 2 });
    expect(scaleOf([Math.round(2137) * 0.01, 0.07 * 3])).not.toBeNull();
    expect(scaleOf([Math.fround(21.37), Math.fround(21.38)])).toEqual({ op: 2, k: 2 });
    expect(scaleOf([1.5, -0])).toBeNull();
    expect(scaleOf([1.5, Number.NaN])).toBeNull();
    expect(scaleOf([Math.PI])).toBeNull();
  });

  it("measures: a float32 reading with jittered 5 s timestamps costs under 2 bytes a sample", () => {
    const random = rng(3);
    let x = 21;
    const values = regular(720).map(() => {
      x += (random() - 0.5) * 0.05;
      return Math.fround(Math.round(x * 100) / 100);
    });
    const ts = regular(720).map((t) => t + Math.floor(random() * 15));
    const bytes = expectRoundTrip(columns(ts, values)).length;
    expect(bytes / 720).toBeLessThan(2);
  });

  it("summarises minutes as the raw samples do, and keeps the summaries through encoding", () => {
    const random = rng(11);
    for (const form of ["decimal", "xor"] as const) {
      const n = 360;
      const ts = regular(n, 1000).map((t) => t + Math.floor(random() * 900));
      const values = ts.map((_, i) =>
        i % 37 === 5 ? null : form === "decimal" ? Math.round(random() * 1000) / 100 : random() * 10,
      );
      const quality = ts.map((_, i) => (i % 37 === 5 ? 2 : 0));
      const c = columns(ts, values, quality);
      const expected = summarizeMinutes(c);
      const back = decodeMinutes(encodeChunk(c).minutes);
      expect(back).toHaveLength(expected.length);
      back.forEach((m, i) => {
        const e = expected[i]!;
        expect({ ...m, sum: null }).toEqual({ ...e, sum: null });
        expect(m.sum).toBeCloseTo(e.sum!, 9);
      });
      // Every minute's count and extremes agree with a direct fold of the samples.
      const direct = new Map<number, number[]>();
      values.forEach((v, i) => {
        if (typeof v !== "number") return;
        const minute = Math.floor(ts[i]! / 60_000) * 60_000;
        direct.set(minute, [...(direct.get(minute) ?? []), v]);
      });
      for (const m of back) {
        const vs = direct.get(m.minute) ?? [];
        expect(m.count).toBe(vs.length);
        if (vs.length > 0) expect([m.min, m.max]).toEqual([Math.min(...vs), Math.max(...vs)]);
      }
    }
  });
});
