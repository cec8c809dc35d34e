import { describe, expect, it } from "vitest";
import { SharedReads } from "./shared-reads";

const ref = (instance: number) => `bacnet:1/analogInput:${instance}.presentValue`;
const instanceOf = (ref: string) => Number(/:(\d+)\.presentValue$/.exec(ref)?.[1]);

function counting() {
  const batches: number[][] = [];
  let clock = 0;
  const reads = new SharedReads(
    async (refs) => {
      batches.push(refs.map(instanceOf));
      return refs.map((r) => ({ value: instanceOf(r) * 10, quality: "good" as const, timestamp: clock }));
    },
    () => clock,
  );
  return { reads, batches, advance: (ms: number) => (clock += ms) };
}

describe("SharedReads", () => {
  it("serves a point a faster flow read within half the slower flow's period", async () => {
    const { reads, batches, advance } = counting();
    await reads.readPoints([ref(1), ref(2)], 1000);
    advance(400);
    const values = await reads.readPoints([ref(1), ref(3)], 5000);
    expect(values.map((v) => v.value)).toEqual([10, 30]);
    expect(batches).toEqual([[1, 2], [3]]);
    expect(reads.saved).toBe(1);
    expect(reads.sent).toBe(3);
  });

  it("never hands a flow its own previous scan: one period later the point is read again", async () => {
    const { reads, batches, advance } = counting();
    await reads.readPoints([ref(1)], 1000);
    advance(1000);
    await reads.readPoints([ref(1)], 1000);
    expect(batches).toEqual([[1], [1]]);
    expect(reads.saved).toBe(0);
  });

  it("joins a read in flight instead of sending it twice", async () => {
    const { reads, batches } = counting();
    const [a, b] = await Promise.all([reads.readPoints([ref(1)], 1000), reads.readPoints([ref(1)], 1000)]);
    expect(a[0]?.value).toBe(10);
    expect(b[0]?.value).toBe(10);
    expect(batches).toEqual([[1]]);
  });

  it("counts the points whose latest read was bad, forgetting points nothing reads any more", async () => {
    let clock = 0;
    const bad = new Set([2]);
    const reads = new SharedReads(
      async (refs) =>
        refs.map((r) => ({
          value: 0,
          quality: bad.has(instanceOf(r)) ? ("bad" as const) : ("good" as const),
          timestamp: clock,
        })),
      () => clock,
    );
    await reads.readPoints([ref(1), ref(2), ref(3)], 1000);
    expect(reads.badPoints()).toBe(1);
    // Point 2 recovers, point 3 goes bad: the latest read decides.
    bad.clear();
    bad.add(3);
    clock += 1000;
    await reads.readPoints([ref(1), ref(2), ref(3)], 1000);
    expect(reads.badPoints()).toBe(1);
    // A removed flow's point 3 is no longer read: it stops counting once its last read is old.
    clock += 1000;
    await reads.readPoints([ref(1), ref(2)], 1000);
    expect(reads.badPoints(500)).toBe(0);
  });
});
