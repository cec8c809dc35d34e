import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ownershipProblem } from "./deployer";
import { PhaseClocks, ScanScheduler } from "./scan-scheduler";
import { SharedReads } from "./shared-reads";
import { diffFlows } from "./site-engine";

describe("diffFlows", () => {
  const running = new Map([
    ["ahu", { checksum: "a1", name: "AHU-1" }],
    ["vav", { checksum: "v1", name: "VAV" }],
    ["plant", { checksum: "p1", name: "Plant" }],
  ]);
  it.each([
    [
      "same content: left alone",
      [{ flow_id: "ahu", name: "AHU-1", checksum: "a1" }],
      ["ahu:unchanged", "vav:removed", "plant:removed"],
    ],
    [
      "one flow edited, one added, one removed",
      [
        { flow_id: "ahu", name: "AHU-1", checksum: "a1" },
        { flow_id: "vav", name: "VAV", checksum: "v2" },
        { flow_id: "light", name: "Lighting", checksum: "l1" },
      ],
      ["ahu:unchanged", "vav:restarted", "light:added", "plant:removed"],
    ],
    [
      "a renamed flow keeps its id: a change, not a removal",
      [
        { flow_id: "ahu", name: "AHU-1 north", checksum: "a2" },
        { flow_id: "vav", name: "VAV", checksum: "v1" },
        { flow_id: "plant", name: "Plant", checksum: "p1" },
      ],
      ["ahu:restarted", "vav:unchanged", "plant:unchanged"],
    ],
  ])("%s", (_name, next, expected) => {
    expect(diffFlows(running, next).map((c) => `${c.flow_id}:${c.action}`)).toEqual(expected);
  });

  it("a first deploy adds every flow", () => {
    expect(diffFlows(new Map(), [{ flow_id: "ahu", name: "AHU-1", checksum: "a1" }])).toEqual([
      { flow_id: "ahu", name: "AHU-1", action: "added" },
    ]);
  });
});

describe("ownershipProblem", () => {
  const alpha = { project_id: "alpha", project_name: "Alpha tower" };
  it.each([
    ["empty supervisor", undefined, "beta", "update", false],
    ["same project", alpha, "alpha", "update", false],
    ["another project", alpha, "beta", "update", true],
    ["another project, replace asked for", alpha, "beta", "replace", false],
  ] as const)("%s", (_name, active, incoming, mode, refused) => {
    const problem = ownershipProblem(active, { id: incoming, name: "Beta annex" }, mode);
    expect(problem !== undefined).toBe(refused);
    if (problem) {
      expect(problem.path).toBe("project.id");
      expect(problem.message).toContain('runs project "Alpha tower" (alpha)');
      expect(problem.message).toContain('mode "replace"');
    }
  });
});

describe("phase clocks: flows on one interval scan on the same tick", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_130 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const every = (ms: number) => ({ type: "interval" as const, interval_ms: ms });
  const on = (device: number) => `bacnet:${device}/analogInput:1.presentValue`;

  /** A flow whose scan reads its points through the shared reads, recording when each scan started. */
  function flow(clocks: PhaseClocks, reads: SharedReads, periodMs: number, points: string[]) {
    const starts: number[] = [];
    const scheduler = new ScanScheduler(
      every(periodMs),
      async () => {
        starts.push(Date.now());
        await reads.readPoints(points, periodMs);
      },
      clocks,
    );
    return { scheduler, starts };
  }

  it("aligns flows started at different times to whole periods and merges their reads per device", async () => {
    const batches: string[][] = [];
    const reads = new SharedReads(async (refs) => {
      batches.push([...refs]);
      return refs.map(() => ({ value: 1, quality: "good" as const, timestamp: Date.now() }));
    });
    const clocks = new PhaseClocks();
    const a = flow(clocks, reads, 1000, [on(1), on(2)]);
    const b = flow(clocks, reads, 1000, [on(1), on(3)]);
    const slow = flow(clocks, reads, 5000, [on(3)]);
    a.scheduler.start();
    await vi.advanceTimersByTimeAsync(370);
    b.scheduler.start();
    slow.scheduler.start();
    await vi.advanceTimersByTimeAsync(10_000);
    // After the start-up scan, every scan of both 1 s flows is on a whole second, at the same instant.
    const ticks = (starts: number[]) => starts.slice(1);
    expect(ticks(a.starts).every((t) => t % 1000 === 0)).toBe(true);
    expect(ticks(b.starts)).toEqual(ticks(a.starts).filter((t) => t - b.starts[0]! >= 500));
    expect(ticks(slow.starts).every((t) => t % 5000 === 0)).toBe(true);
    expect(clocks.periods().sort()).toEqual([1000, 5000]);
    // On a shared tick, device 1 (read by both) goes out once, in one batch with nothing else.
    const onTick = batches.slice(-3);
    expect(onTick).toContainEqual([on(1)]);
    expect(batches.filter((b) => b.includes(on(1))).every((b) => b.length === 1)).toBe(true);
    a.scheduler.stop();
    b.scheduler.stop();
    slow.scheduler.stop();
    expect(clocks.periods()).toEqual([]);
  });

  it("ticks once per period even when timers fire a millisecond before the wall clock's due time", async () => {
    // The wall clock reads a millisecond short of every whole second, as it does when a timer fires early.
    const early = new PhaseClocks(() => {
      const t = Date.now();
      return t % 1000 === 0 ? t - 1 : t;
    });
    const at: number[] = [];
    const leave = early.join(1000, () => at.push(Date.now()));
    await vi.advanceTimersByTimeAsync(10_000);
    leave();
    expect(at).toHaveLength(10);
    expect(new Set(at).size).toBe(10);
  });

  it("keeps ticking when the wall clock is stepped back an hour", async () => {
    let offset = 0;
    const clocks = new PhaseClocks(() => Date.now() - offset);
    let ticks = 0;
    const leave = clocks.join(1000, () => {
      ticks++;
      if (ticks === 3) offset = 3_600_000;
    });
    await vi.advanceTimersByTimeAsync(10_000);
    leave();
    expect(ticks).toBeGreaterThanOrEqual(9);
  });

  it("a slow flow overruns on its own; the fast flow beside it keeps every tick", async () => {
    const reads = new SharedReads(async (refs) => {
      // Device 9 answers after 2.5 s (a slow network); device 1 at once.
      if (refs[0] === on(9)) await new Promise((r) => setTimeout(r, 2500));
      return refs.map(() => ({ value: 1, quality: "good" as const, timestamp: Date.now() }));
    });
    const clocks = new PhaseClocks();
    const fast = flow(clocks, reads, 1000, [on(1)]);
    const slow = flow(clocks, reads, 1000, [on(1), on(9)]);
    fast.scheduler.start();
    slow.scheduler.start();
    await vi.advanceTimersByTimeAsync(12_000);
    fast.scheduler.stop();
    slow.scheduler.stop();
    // 1 start-up scan + 12 ticks (the first tick, 870 ms after start-up, is more than half a period on).
    expect(fast.starts.length).toBe(13);
    expect(fast.scheduler.overruns).toBe(0);
    // The slow flow scans every third tick and counts the ticks it missed; it never piles scans up.
    expect(slow.starts.length).toBeLessThanOrEqual(5);
    expect(slow.scheduler.overruns).toBeGreaterThanOrEqual(7);
    expect(slow.starts.slice(1).every((t) => t % 1000 === 0)).toBe(true);
  });
});
