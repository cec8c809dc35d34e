import { describe, expect, it } from "vitest";
import { flagOf, KIND_NUMBER } from "./history-codec";
import { BLOCK_SAMPLES, OpenSeriesTable } from "./open-series";
import { CHUNK_BYTES, SeriesSlab } from "./series-slab";

function seeded(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

describe("SeriesSlab", () => {
  it("keeps every region's bytes through growth, frees and evacuations", () => {
    const slab = new SeriesSlab();
    const random = seeded(7);
    // Each region holds its slot's marker byte in every position: a move that lost or mixed bytes shows.
    const slots: number[] = [];
    const size = new Map<number, number>();
    const check = (slot: number) => {
      if (size.get(slot) === 0) return;
      const bytes = slab.chunk(slot).subarray(slab.base(slot), slab.base(slot) + size.get(slot)!);
      expect(bytes.every((b) => b === (slot % 251) + 1)).toBe(true);
    };
    for (let step = 0; step < 60_000; step++) {
      const r = random();
      if (r < 0.1 || slots.length === 0) {
        const slot = slab.open();
        slots.push(slot);
        size.set(slot, 0);
      } else if (r < 0.13) {
        const slot = slots.splice(Math.floor(random() * slots.length), 1)[0]!;
        check(slot);
        slab.close(slot);
        size.delete(slot);
      } else {
        const slot = slots[Math.floor(random() * slots.length)]!;
        const next = size.get(slot)! + 1 + Math.floor(random() * 300);
        slab.resize(slot, next + 16, size.get(slot)!);
        slab.chunk(slot).fill((slot % 251) + 1, slab.base(slot) + size.get(slot)!, slab.base(slot) + next);
        size.set(slot, next);
      }
    }
    for (const slot of slots) check(slot);
    const { chunkBytes, liveBytes, evacuations } = slab.stats;
    expect(evacuations).toBeGreaterThan(10);
    // Evacuations ran (far more bytes were written than the slab holds) and kept the dead share bounded.
    expect(liveBytes).toBeGreaterThan(CHUNK_BYTES);
    expect(chunkBytes).toBeLessThanOrEqual(Math.max(liveBytes / 0.75, liveBytes + CHUNK_BYTES) + CHUNK_BYTES);
    for (const slot of slots) slab.close(slot);
    expect(slab.stats.liveBytes).toBe(0);
    expect(slab.stats.chunks).toBeLessThanOrEqual(1);
  });

  it("holds 50,000 open series of 18 polls in well under the byte array per point of before", () => {
    const table = new OpenSeriesTable();
    const series = Array.from({ length: 50_000 }, () => table.open());
    const start = 1_700_000_000_000;
    for (let poll = 0; poll < 18; poll++)
      for (const [i, s] of series.entries())
        table.add(
          s,
          start + poll * 5000,
          Math.fround(21 + Math.sin(i + poll / 20)),
          flagOf(0, KIND_NUMBER),
          undefined,
        );
    const { chunkBytes, liveBytes } = table.stats;
    // A packed block of the first BLOCK_SAMPLES and the rest as raw records, in regions grown four
    // records at a time: less than the 18 raw records alone. The chunks hold them with bounded dead room
    // (no per-point ArrayBuffer, backing store or malloc block).
    expect(BLOCK_SAMPLES).toBeLessThan(18);
    expect(liveBytes).toBeLessThan(50_000 * 18 * 17);
    expect(chunkBytes).toBeLessThanOrEqual(liveBytes / 0.75 + CHUNK_BYTES);
    for (const s of series) expect(table.takeBefore(s, Number.POSITIVE_INFINITY)?.n).toBe(18);
    expect(table.stats.liveBytes).toBe(0);
    expect(table.stats.chunks).toBeLessThanOrEqual(1);
    // 900,000 adds: seconds on a shared, loaded 2-core machine.
  }, 60_000);
});
