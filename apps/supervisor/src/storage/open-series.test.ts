import { describe, expect, it } from "vitest";
import { type ChunkColumns, flagOf, KIND_NUMBER, KIND_TEXT } from "./history-codec";
import { BLOCK_SAMPLES, OpenSeriesTable } from "./open-series";

interface Sample {
  ts: number;
  value: number;
  flag: number;
  text: string | undefined;
}

/** The obvious model: a sorted list where the last write for a timestamp wins. */
function modelAdd(model: Sample[], s: Sample): void {
  const at = model.findIndex((m) => m.ts >= s.ts);
  if (at < 0) model.push(s);
  else if (model[at]!.ts === s.ts) model[at] = s;
  else model.splice(at, 0, s);
}

function rows(c: ChunkColumns | undefined): Sample[] {
  if (!c) return [];
  return Array.from({ length: c.n }, (_, i) => ({
    ts: c.ts[i]!,
    value: c.values[i]!,
    flag: c.flags[i]!,
    text: c.texts.get(i),
  }));
}

/** Bit-exact comparison of values (NaN payloads and -0 count). */
function bits(samples: Sample[]): string[] {
  const f = new Float64Array(1);
  const u = new BigUint64Array(f.buffer);
  return samples.map((s) => {
    f[0] = s.value;
    return `${s.ts}|${u[0]!.toString(16)}|${s.flag}|${s.text ?? ""}`;
  });
}

function seeded(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

describe("OpenSeriesTable", () => {
  it("holds what the model holds through appends, late and repeated timestamps, texts and prefix takes", () => {
    const nan = new Float64Array(new BigUint64Array([0x7ff8_0000_dead_beefn]).buffer)[0]!;
    for (let seed = 1; seed <= 20; seed++) {
      const random = seeded(seed);
      const table = new OpenSeriesTable();
      // A neighbour series shares the slab: its samples must not move the other's.
      const other = table.open();
      const series = table.open();
      const model: Sample[] = [];
      let t = 1_700_000_000_000;
      for (let step = 0; step < 400; step++) {
        const r = random();
        const late = r < 0.08;
        if (!late) t += 5000;
        const ts = late ? t - Math.floor(random() * 200_000) : t;
        const kindRoll = random();
        const text = kindRoll < 0.05 ? `state ${Math.floor(random() * 5)}` : undefined;
        const value =
          text !== undefined ? 0 : kindRoll < 0.08 ? nan : kindRoll < 0.1 ? -0 : Math.fround(20 + random());
        const flag = flagOf(Math.floor(random() * 3), text !== undefined ? KIND_TEXT : KIND_NUMBER);
        const sample = { ts, value, flag, text };
        table.add(series, ts, value, flag, text);
        table.add(other, ts, -value, flag, text);
        modelAdd(model, sample);
        if (random() < 0.02) {
          const boundary = t - Math.floor(random() * 300_000);
          const taken = table.takeBefore(series, boundary);
          const cut = model.filter((m) => m.ts < boundary);
          expect(bits(rows(taken))).toEqual(bits(cut));
          model.splice(0, cut.length);
        }
        expect(table.count(series)).toBe(model.length);
      }
      expect(bits(rows(table.columns(series)))).toEqual(bits(model));
      expect(bits(rows(table.takeBefore(series, Number.POSITIVE_INFINITY)))).toEqual(bits(model));
      expect(table.count(series)).toBe(0);
      expect(table.byteLength(series)).toBe(0);
      expect(table.takeBefore(series, Number.POSITIVE_INFINITY)).toBeUndefined();
      table.close(series);
      table.close(other);
      expect(table.stats.liveBytes).toBe(0);
    }
  });

  it("packs a 15-minute window of a polled analog value in about a third of its raw 17 bytes a sample, a quarter of the old layout", () => {
    const table = new OpenSeriesTable();
    const series = table.open();
    const start = 1_700_000_000_000;
    // 180 polls at 5 s of a float32 reading, as a BACnet REAL widens to a double.
    for (let i = 0; i < 180; i++)
      table.add(
        series,
        start + i * 5000,
        Math.fround(21 + 2 * Math.sin(i / 20)),
        flagOf(0, KIND_NUMBER),
        undefined,
      );
    expect(table.count(series)).toBe(180);
    // Raw: 180 × 17 = 3,060 bytes (the old layout held 256 × 17 = 4,352 with its doubling).
    expect(table.byteLength(series)).toBeLessThan(180 * 17 * 0.35);
    const c = table.columns(series);
    expect(c.ts[179]).toBe(start + 179 * 5000);
    expect(c.values[100]).toBe(Math.fround(21 + 2 * Math.sin(100 / 20)));
    expect(BLOCK_SAMPLES).toBeGreaterThan(1);
  });
});
