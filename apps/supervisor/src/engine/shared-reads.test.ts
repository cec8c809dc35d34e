import { describe, expect, it } from "vitest";
import { DEVICES_PER_TURN, deviceOf, POINTS_PER_TURN, SharedReads } from "./shared-reads";

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

describe("SharedReads merges the flows of one tick per device", () => {
  const on = (device: number, instance: number) => `bacnet:${device}/analogInput:${instance}.presentValue`;

  it("sends what several flows ask for in one tick as one batch per device", async () => {
    const batches: string[][] = [];
    const reads = new SharedReads(async (refs) => {
      batches.push([...refs]);
      return refs.map((r) => ({ value: r.length, quality: "good" as const, timestamp: 0 }));
    });
    const [a, b] = await Promise.all([
      reads.readPoints([on(1, 1), on(2, 1), on(1, 9)], 1000),
      reads.readPoints([on(2, 2), on(1, 2), on(1, 1)], 1000),
    ]);
    expect(batches).toEqual([
      [on(1, 1), on(1, 9), on(1, 2)],
      [on(2, 1), on(2, 2)],
    ]);
    expect(a.map((r) => r.value)).toEqual([on(1, 1), on(2, 1), on(1, 9)].map((r) => r.length));
    expect(b.map((r) => r.value)).toEqual([on(2, 2), on(1, 2), on(1, 1)].map((r) => r.length));
    expect(reads.sent).toBe(5);
    expect(reads.saved).toBe(1);
    expect(reads.batches).toBe(2);
  });

  it("a flow waits only for its own devices: a silent device holds up nobody else", async () => {
    let release: () => void = () => undefined;
    const silent = new Promise<void>((r) => {
      release = r;
    });
    const reads = new SharedReads(async (refs) => {
      if (refs[0]!.startsWith("bacnet:2/")) await silent;
      return refs.map(() => ({ value: 1, quality: "good" as const, timestamp: 0 }));
    });
    let slowDone = false;
    const slow = reads.readPoints([on(1, 1), on(2, 1)], 1000).then((r) => {
      slowDone = true;
      return r;
    });
    const fast = await reads.readPoints([on(1, 2)], 1000);
    expect(fast[0]?.quality).toBe("good");
    expect(slowDone).toBe(false);
    release();
    expect((await slow).map((r) => r.value)).toEqual([1, 1]);
  });

  it("hands each device's readings over as that device answers, before a slower one has", async () => {
    let release: () => void = () => undefined;
    const slow = new Promise<void>((r) => {
      release = r;
    });
    const reads = new SharedReads(async (refs) => {
      if (refs[0]!.startsWith("bacnet:2/")) await slow;
      return refs.map((r) => ({ value: instanceOf(r), quality: "good" as const, timestamp: 0 }));
    });
    const seen = new Map<number, unknown>();
    const all = reads.readEach([on(1, 1), on(2, 7), on(1, 3)], 1000, (i, reading) => {
      seen.set(i, reading.value);
    });
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    // Device 1 answered: both of its points are in, in their places; device 2's is not.
    expect([...seen].sort()).toEqual([
      [0, 1],
      [2, 3],
    ]);
    release();
    await all;
    expect(seen.get(1)).toBe(7);
  });

  it("a failed device batch fails its readers and is read again next time, not served from cache", async () => {
    let fail = true;
    const reads = new SharedReads(async (refs) => {
      if (fail) throw new Error("socket closed");
      return refs.map(() => ({ value: 2, quality: "good" as const, timestamp: 0 }));
    });
    await expect(reads.readPoints([on(1, 1)], 1000)).rejects.toThrow("socket closed");
    fail = false;
    expect((await reads.readPoints([on(1, 1)], 1000))[0]?.value).toBe(2);
  });

  it.each([
    // The 50,000-point site's shape: 16 devices of 250 points a turn, the rest deferred.
    { perDevice: 250, devices: 35, turns: [16, 16, 3] },
    // A scan of 50 devices x 40 points goes out in one turn: no device waits a turn to be asked.
    { perDevice: 40, devices: 50, turns: [50] },
    // Many small devices: at most DEVICES_PER_TURN a turn, each a reply in the socket's buffer.
    { perDevice: 8, devices: DEVICES_PER_TURN + 10, turns: [DEVICES_PER_TURN, 10] },
    // A device over the budget still goes, alone in its turn.
    { perDevice: POINTS_PER_TURN + 1, devices: 2, turns: [1, 1] },
  ])(
    "hands a tick's device batches over turns of at most POINTS_PER_TURN points and DEVICES_PER_TURN devices ($devices x $perDevice)",
    async ({ perDevice, devices, turns: expected }) => {
      const turns: (() => void)[] = [];
      const handed: number[] = [];
      const reads = new SharedReads(
        async (refs) => {
          handed.push(turns.length);
          return refs.map(() => ({ value: 1, quality: "good" as const, timestamp: 0 }));
        },
        () => 0,
        (next) => turns.push(next),
      );
      const refs = Array.from({ length: devices }, (_, d) =>
        Array.from({ length: perDevice }, (_, i) => on(d + 1, i + 1)),
      ).flat();
      const all = reads.readPoints(refs, 5000);
      for (let turn = 0; turn < turns.length; turn++) turns[turn]!();
      expect((await all).every((r) => r.quality === "good")).toBe(true);
      // Turn 1 flushes; each turn hands whole devices up to the budget and defers the rest.
      expect(expected.map((_, t) => handed.filter((h) => h === t + 1).length)).toEqual(expected);
      expect(handed).toHaveLength(devices);
    },
  );

  it("hands a device the same list object while it is asked for the same points", async () => {
    const lists: (readonly string[])[] = [];
    let clock = 0;
    const reads = new SharedReads(
      async (refs) => {
        lists.push(refs);
        return refs.map(() => ({ value: 1, quality: "good" as const, timestamp: 0 }));
      },
      () => clock,
    );
    await reads.readPoints([on(1, 1), on(1, 2)], 1000);
    clock += 1000;
    await reads.readPoints([on(1, 1), on(1, 2)], 1000);
    clock += 1000;
    await reads.readPoints([on(1, 1), on(1, 3)], 1000);
    // Back to the first mix (clocks of two intervals meet on some ticks only): its list again.
    clock += 1000;
    await reads.readPoints([on(1, 1), on(1, 2)], 1000);
    expect(lists).toHaveLength(4);
    expect(lists[1]).toBe(lists[0]);
    expect(lists[2]).not.toBe(lists[0]);
    expect(lists[2]).toEqual([on(1, 1), on(1, 3)]);
    expect(lists[3]).toBe(lists[0]);
  });

  it("a device asked for part of its last list, or for it in another order, is sent exactly that", async () => {
    const lists: (readonly string[])[] = [];
    let clock = 0;
    const reads = new SharedReads(
      async (refs) => {
        lists.push(refs);
        return refs.map((r) => ({ value: instanceOf(r), quality: "good" as const, timestamp: clock }));
      },
      () => clock,
    );
    const asked = [
      [1, 2, 3],
      [1, 2],
      [2, 1],
      [1, 2, 3, 4],
      [1, 2, 3],
    ];
    for (const instances of asked) {
      const values = await reads.readPoints(
        instances.map((i) => ref(i)),
        1000,
      );
      expect(values.map((v) => v.value)).toEqual(instances);
      clock += 1000;
    }
    expect(lists.map((l) => l.map(instanceOf))).toEqual(asked);
    expect(lists[4]).toBe(lists[0]);
  });

  it("hands each value to its place when a flow's points alternate between devices", async () => {
    const { reads, batches } = counting();
    // 200 positions, each device's points every other one: 200 runs of one, grouped by batch instead.
    const refs = Array.from({ length: 200 }, (_, k) => `bacnet:${1 + (k % 2)}/analogInput:${k}.presentValue`);
    const seen: number[] = [];
    await reads.readEach(refs, 1000, (i, reading) => {
      seen[i] = reading.value as number;
    });
    expect(seen).toEqual(refs.map((_, k) => k * 10));
    expect(batches).toHaveLength(2);
  });

  it("a reader still waiting on a slow batch gets its own answer when a later scan reads the point again", async () => {
    // The same frozen list every scan, as a flow hands it: its entries are remembered and updated in place.
    const list = Object.freeze([ref(1), ref(2)]);
    const answers: ((results: { value: number; quality: "good"; timestamp: number }[]) => void)[] = [];
    const asked: string[][] = [];
    let clock = 0;
    const reads = new SharedReads(
      (refs) => {
        asked.push([...refs]);
        return new Promise((resolve) => answers.push(resolve));
      },
      () => clock,
    );
    const first = reads.readPoints(list, 100);
    await new Promise((r) => setImmediate(r));
    clock += 100;
    // The device has not answered the first read; the next scan asks again, in another batch, with the
    // points in another order (another flow's list came first this tick).
    const other = reads.readPoints([ref(2)], 100);
    const second = reads.readPoints(list, 100);
    await new Promise((r) => setImmediate(r));
    expect(asked).toEqual([
      [ref(1), ref(2)],
      [ref(2), ref(1)],
    ]);
    answers[1]!([
      { value: 22, quality: "good", timestamp: 2 },
      { value: 21, quality: "good", timestamp: 2 },
    ]);
    answers[0]!([
      { value: 11, quality: "good", timestamp: 1 },
      { value: 12, quality: "good", timestamp: 1 },
    ]);
    expect((await first).map((v) => v.value)).toEqual([11, 12]);
    expect((await second).map((v) => v.value)).toEqual([21, 22]);
    expect((await other).map((v) => v.value)).toEqual([22]);
  });

  it("names devices by the ref's text before its first slash", () => {
    expect(deviceOf("bacnet:1001/analogInput:1.presentValue")).toBe("bacnet:1001");
    expect(deviceOf("modbus:127.0.0.1:502:1/holding_register:40001")).toBe("modbus:127.0.0.1:502:1");
    expect(deviceOf("virtual:zone")).toBe("virtual");
  });
});

describe("SharedReads keeps each point's read state in columns by slot", () => {
  /** A device per hundred instances; each answer is the instance x 10, bad where `bad` says. */
  function site() {
    let clock = 0;
    const bad = new Set<number>();
    const batches: number[][] = [];
    const held: (() => void)[] = [];
    let hold = false;
    const reads = new SharedReads(
      async (refs) => {
        batches.push(refs.map(instanceOf));
        if (hold) await new Promise<void>((resolve) => held.push(resolve));
        return refs.map((r) => {
          const n = instanceOf(r);
          return bad.has(n)
            ? {
                value: null,
                quality: "bad" as const,
                code: "timeout" as const,
                reason: "no answer",
                timestamp: clock,
              }
            : { value: n * 10, quality: "good" as const, timestamp: clock };
        });
      },
      () => clock,
    );
    return {
      reads,
      bad,
      batches,
      advance: (ms: number) => (clock += ms),
      holdReads: (on: boolean) => (hold = on),
      release: () => {
        for (const go of held.splice(0)) go();
      },
    };
  }
  const refs = (from: number, to: number) =>
    Array.from(
      { length: to - from + 1 },
      (_, i) => `bacnet:${Math.floor((from + i) / 100)}/analogInput:${from + i}.presentValue`,
    );
  const valuesOf = (list: readonly { value: unknown }[]) => list.map((r) => r.value);

  it.each([
    { case: "all good", bad: [], expectBad: 0 },
    { case: "one bad among good", bad: [102], expectBad: 1 },
    { case: "a whole device bad", bad: [200, 201, 202], expectBad: 3 },
  ])("hands each position its own reading and counts bad ones: $case", async ({ bad, expectBad }) => {
    const s = site();
    for (const n of bad) s.bad.add(n);
    const list = Object.freeze([...refs(100, 102), ...refs(200, 202)]);
    const out = await s.reads.readPoints(list, 1000);
    expect(out.map((r) => (r.quality === "bad" ? r.code : r.value))).toEqual(
      [100, 101, 102, 200, 201, 202].map((n) => (bad.includes(n) ? "timeout" : n * 10)),
    );
    expect(s.reads.badPoints()).toBe(expectBad);
  });

  it("a ref two flows read is one slot: read once, each flow gets it at its own place", async () => {
    const s = site();
    const a = Object.freeze(refs(100, 104));
    const b = Object.freeze([a[3]!, `bacnet:3/analogInput:300.presentValue`, a[0]!]);
    const [ra, rb] = await Promise.all([s.reads.readPoints(a, 1000), s.reads.readPoints(b, 1000)]);
    expect(valuesOf(ra)).toEqual([1000, 1010, 1020, 1030, 1040]);
    expect(valuesOf(rb)).toEqual([1030, 3000, 1000]);
    expect(s.batches).toEqual([[100, 101, 102, 103, 104], [300]]);
    // The point goes bad: both flows see it, and it counts once.
    s.bad.add(100);
    s.advance(1000);
    const [ra2, rb2] = await Promise.all([s.reads.readPoints(a, 1000), s.reads.readPoints(b, 1000)]);
    expect(ra2[0]!.quality).toBe("bad");
    expect(rb2[2]!.quality).toBe("bad");
    expect(s.reads.badPoints()).toBe(1);
  });

  it("grows its columns while a reader waits, and that reader's delivery lands in the grown ones", async () => {
    const s = site();
    s.bad.add(101);
    s.holdReads(true);
    const waiting = s.reads.readPoints(Object.freeze(refs(100, 101)), 1000);
    await new Promise((r) => setImmediate(r));
    // 500 new refs: the columns (64 slots at first) are reallocated while the first batch is out.
    s.holdReads(false);
    const many = await s.reads.readPoints(Object.freeze(refs(1000, 1499)), 1000);
    expect(many.every((r, i) => r.value === (1000 + i) * 10)).toBe(true);
    s.release();
    expect(valuesOf(await waiting)).toEqual([1000, null]);
    expect(s.reads.badPoints()).toBe(1);
  });

  it("frees the slots of refs nothing read for an hour and reuses them for new refs, old lists looked up afresh", async () => {
    const s = site();
    const old = Object.freeze(refs(100, 102));
    s.bad.add(101);
    await s.reads.readPoints(old, 1000);
    expect(s.reads.badPoints(Number.POSITIVE_INFINITY)).toBe(1);
    // An hour and more later (a prune runs at most once a minute), other refs take the freed slots.
    s.advance(3_700_000);
    const fresh = Object.freeze(refs(200, 202));
    expect(valuesOf(await s.reads.readPoints(fresh, 1000))).toEqual([2000, 2010, 2020]);
    s.advance(61_000);
    expect(valuesOf(await s.reads.readPoints(fresh, 1000))).toEqual([2000, 2010, 2020]);
    // The freed bad point no longer counts; the old list, read again, gets its own values.
    expect(s.reads.badPoints(Number.POSITIVE_INFINITY)).toBe(0);
    s.advance(1000);
    const again = await s.reads.readPoints(old, 1000);
    expect(again.map((r) => r.quality === "bad" || r.value)).toEqual([1000, true, 1020]);
    expect(s.reads.badPoints(Number.POSITIVE_INFINITY)).toBe(1);
  });

  it("a slow flow served a reading over an hour old gets it, though the prune in its own call frees that slot", async () => {
    // Regression: two 4-hour flows sharing a point, the second scanning 70 min after the first. Its read
    // is fresh (within half its period) yet over an hour old, so the prune in the same readEach freed the
    // slot (batch set to the never-settling NO_BATCH) before the call awaited it: the scan hung for good.
    const { reads, batches, advance } = counting();
    const fourHours = 4 * 3_600_000;
    await reads.readPoints([ref(1)], fourHours);
    advance(70 * 60_000);
    const late = await Promise.race([
      reads.readPoints([ref(1)], fourHours),
      new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 500)),
    ]);
    expect(late).not.toBe("hung");
    expect((late as { value: unknown }[]).map((r) => r.value)).toEqual([10]);
    expect(batches).toEqual([[1]]);
  });

  it("a failed batch's slots are read afresh, unless a later batch took them over meanwhile", async () => {
    let failNext = true;
    let clock = 0;
    const sent: number[][] = [];
    const reads = new SharedReads(
      async (list) => {
        sent.push(list.map(instanceOf));
        if (failNext) {
          failNext = false;
          throw new Error("socket closed");
        }
        return list.map((r) => ({ value: instanceOf(r), quality: "good" as const, timestamp: clock }));
      },
      () => clock,
    );
    const list = Object.freeze(refs(100, 101));
    await expect(reads.readPoints(list, 1000)).rejects.toThrow("socket closed");
    // Within the same period: not served from the failed batch, asked again.
    clock += 10;
    expect(valuesOf(await reads.readPoints(list, 1000))).toEqual([100, 101]);
    expect(sent).toEqual([
      [100, 101],
      [100, 101],
    ]);
  });
});
