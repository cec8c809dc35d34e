// The script pool with real worker threads, each running QuickJS: what every kind of script ends as,
// and what the main thread sees meanwhile.
import type { ScriptErrorCode, ScriptJob } from "@bms/nodes";
import { runStoppedChild } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScriptWorkerPool } from "./script-pool";

const BUDGET_MS = 100;
/** The pool's grace past the budget, and room for a busy 2-core machine on top. */
const GRACE_MS = 50;
const SLACK_MS = 60;

function job(code: string, memoryMb = 8): ScriptJob {
  return {
    code,
    input: JSON.stringify({ inputs: { in1: 21 }, quality: { in1: "good" }, state: {}, now: 0, dt: 0 }),
    timeoutMs: BUDGET_MS,
    memoryBytes: memoryMb * 1024 * 1024,
  };
}

/** The longest the main thread's event loop went without a turn while `work` ran. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 2);
  try {
    const result = await work();
    return { result, stallMs };
  } finally {
    clearInterval(timer);
  }
}

describe("script worker pool", () => {
  const pool = new ScriptWorkerPool({ size: 2, graceMs: GRACE_MS });

  beforeAll(async () => {
    // Workers start on demand; the first job waits for them (outside any job's budget).
    expect(await pool.run(job("return 1;"))).toEqual({ ok: true, result: 1, state: {} });
  });
  afterAll(() => pool.close());

  const cases: {
    name: string;
    code: string;
    memoryMb?: number;
    ok?: unknown;
    fails?: [ScriptErrorCode, RegExp];
  }[] = [
    { name: "normal script", code: "return inputs.in1 * 2;", ok: 42 },
    { name: "syntax error", code: "return (;", fails: ["syntax", /^SyntaxError: /] },
    {
      name: "runaway loop",
      code: "while (true) {}",
      fails: ["timeout", /^script exceeded its time budget$/],
    },
    {
      name: "memory hog",
      code: "const keep = []; while (true) keep.push(new Float64Array(10000));",
      memoryMb: 4,
      // Stopped by the memory ceiling, or by the watchdog if filling memory outlasts the budget.
      fails: ["memory", /out of memory|time budget/],
    },
    {
      name: "throwing script",
      code: "throw new Error('no valve');",
      fails: ["exception", /^Error: no valve$/],
    },
  ];

  it.each(cases)("$name: an outcome within budget + grace, the main thread never stalled", async (c) => {
    const started = performance.now();
    const cpuAtStart = process.cpuUsage();
    const { result, stallMs } = await longestStall(() => pool.run(job(c.code, c.memoryMb)));
    // The wall time, or this process's CPU time (all threads) if less: the watchdog counts the worker's
    // CPU time, so on a busy machine a job may end later in wall time, never after more running.
    const cpu = process.cpuUsage(cpuAtStart);
    const took = Math.min(performance.now() - started, (cpu.user + cpu.system) / 1000);
    if (c.ok !== undefined) expect(result).toEqual({ ok: true, result: c.ok, state: {} });
    else {
      const [code, message] = c.fails!;
      if (c.name === "memory hog") expect(["memory", "timeout"]).toContain(result.ok ? "" : result.code);
      else expect(result).toMatchObject({ ok: false, code });
      expect(result.ok ? "" : result.message).toMatch(message);
    }
    expect(took).toBeLessThan(BUDGET_MS + GRACE_MS + SLACK_MS);
    // The script ran on another thread: the event loop kept turning. (Evaluated on this thread, the
    // runaway loop would have held it for its whole budget.)
    expect(stallMs).toBeLessThan(BUDGET_MS * 0.75);
  });

  it("ends a runaway loop inside a built-in near budget + grace, not after 19 s", async () => {
    // A worker recycled after the memory hog may still be starting: its start-up would count here.
    for (let i = 0; i < 1000 && pool.stats().ready < 2; i++) await new Promise((r) => setTimeout(r, 5));
    // One indexOf on 20,000 elements is one QuickJS operation, so its polls come ~500 ms of CPU apart:
    // the interrupt counts that gap as the thread's CPU, or the watchdog ends it at budget + grace of CPU.
    const started = performance.now();
    const cpuAtStart = process.cpuUsage();
    const result = await pool.run(job("const a = new Array(20000).fill(0); while (true) a.indexOf(-1);"));
    const cpu = process.cpuUsage(cpuAtStart);
    expect(result).toEqual({ ok: false, code: "timeout", message: "script exceeded its time budget" });
    // The watchdog's path (rechecks, terminating a thread) is slower than the interrupt's: a wider slack.
    const took = Math.min(performance.now() - started, (cpu.user + cpu.system) / 1000);
    expect(took).toBeLessThan(BUDGET_MS + GRACE_MS + 4 * SLACK_MS);
  });

  it("runs two runaway scripts at once on its two workers, and a third waits for a free one", async () => {
    // A worker recycled after the memory hog may still be starting: wait until both take jobs.
    for (let i = 0; i < 1000 && pool.stats().ready < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const running = Promise.all([1, 2, 3].map(() => pool.run(job("while (true) {}"))));
    expect(pool.stats()).toMatchObject({ workers: 2, ready: 2, busy: 2, queued: 1 });
    const outcomes = await running;
    expect(outcomes.map((o) => (o.ok ? "ok" : o.code))).toEqual(["timeout", "timeout", "timeout"]);
    expect(pool.stats()).toMatchObject({ busy: 0, queued: 0 });
  });

  it("ends jobs as unavailable when it is closed", async () => {
    const closing = new ScriptWorkerPool({ size: 1 });
    const running = closing.run(job("while (true) {}"));
    await closing.close();
    expect(await running).toMatchObject({ ok: false, code: "unavailable" });
    expect(await closing.run(job("return 1;"))).toEqual({
      ok: false,
      code: "unavailable",
      message: "script workers are shut down",
    });
  });
});

describe("script worker pool: workers that misbehave", () => {
  it("terminates a worker that outlives its job's budget, and replaces it", async () => {
    const events: string[] = [];
    const stuck = new ScriptWorkerPool({
      size: 1,
      graceMs: GRACE_MS,
      onEvent: (level, message) => events.push(`${level}: ${message}`),
      entry: new URL("../../test/script-workers/stuck.mjs", import.meta.url),
    });
    try {
      // Round 1 on the first worker, round 2 on its replacement: each terminated at budget + grace (the
      // wait for a worker to start is not part of a job's budget).
      for (const round of [1, 2]) {
        const started = performance.now();
        const outcome = await stuck.run(job("return 1;"));
        expect(outcome).toEqual({ ok: false, code: "timeout", message: "script exceeded its time budget" });
        expect(performance.now() - started).toBeGreaterThanOrEqual(BUDGET_MS + GRACE_MS);
        expect(stuck.stats()).toMatchObject({ terminated: round });
      }
      expect(stuck.stats()).toMatchObject({ terminated: 2, workers: 1 });
      expect(events).toEqual([
        "warn: script worker terminated: no answer 50 ms past a 100 ms budget; replaced",
        "warn: script worker terminated: no answer 50 ms past a 100 ms budget; replaced",
      ]);
    } finally {
      await stuck.close();
    }
  });

  it("terminates a worker whose thread keeps running past budget + grace of CPU time", async () => {
    const events: string[] = [];
    const spinning = new ScriptWorkerPool({
      size: 1,
      graceMs: GRACE_MS,
      onEvent: (level, message) => events.push(`${level}: ${message}`),
      entry: new URL("../../test/script-workers/spinning.mjs", import.meta.url),
    });
    try {
      const started = performance.now();
      const outcome = await spinning.run(job("return 1;"));
      const took = performance.now() - started;
      expect(outcome).toEqual({ ok: false, code: "timeout", message: "script exceeded its time budget" });
      expect(took).toBeGreaterThanOrEqual(BUDGET_MS + GRACE_MS);
      expect(events).toHaveLength(1);
      const ran = Number(
        /^warn: script worker terminated: it ran (\d+) ms on a 100 ms budget; replaced$/.exec(
          events[0] ?? "",
        )?.[1],
      );
      // Ended once its thread had run the allowance: no sooner, and about then (it had a core of its own).
      expect(ran).toBeGreaterThanOrEqual(BUDGET_MS + GRACE_MS);
      expect(ran).toBeLessThan(BUDGET_MS + GRACE_MS + SLACK_MS);
    } finally {
      await spinning.close();
    }
  });

  it("terminates a worker blocked without running once it has been silent budget + grace + 1 s (under ten times that)", async () => {
    const events: string[] = [];
    const blocked = new ScriptWorkerPool({
      size: 1,
      graceMs: GRACE_MS,
      onEvent: (level, message) => events.push(`${level}: ${message}`),
      entry: new URL("../../test/script-workers/blocked.mjs", import.meta.url),
    });
    try {
      const started = performance.now();
      const outcome = await blocked.run(job("return 1;"));
      expect(outcome).toEqual({ ok: false, code: "timeout", message: "script exceeded its time budget" });
      // min(10 × 150, 150 + 1,000) = 1,150 ms: the cap, which bounds how long a flow's scan waits.
      expect(performance.now() - started).toBeGreaterThanOrEqual(BUDGET_MS + GRACE_MS + 1_000);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatch(
        /^warn: script worker terminated: no answer in 1[1-9]\d\d ms on a 100 ms budget \(stalled\); replaced$/,
      );
    } finally {
      await blocked.close();
    }
  });

  it("fails the waiting jobs as unavailable when a worker cannot start, and does not respawn on its own", async () => {
    const events: string[] = [];
    const broken = new ScriptWorkerPool({
      size: 1,
      onEvent: (level, message) => events.push(`${level}: ${message}`),
      entry: new URL("../../test/script-workers/broken.mjs", import.meta.url),
    });
    try {
      const outcome = await broken.run(job("return 1;"));
      expect(outcome).toMatchObject({ ok: false, code: "unavailable" });
      expect(outcome.ok ? "" : outcome.message).toMatch(/^script worker failed to start: .*engine missing/);
      expect(broken.stats()).toMatchObject({ workers: 0, crashed: 1 });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatch(/^error: script worker failed to start: .*engine missing/);
    } finally {
      await broken.close();
    }
  });
});

describe("script worker pool on a machine that sets it aside", () => {
  const CHILD = "apps/supervisor/test/script-pool-child.ts";
  const STOPPED_MS = 300;
  /** About 40 ms of work in QuickJS here (31 ms for 700,000 rounds, idle, 2026-12-02). */
  const FORTY_MS_OF_WORK = "let s = 0; for (let i = 0; i < 900000; i++) s += i; return s;";

  interface Report {
    runs: { ended: string; wallMs: number }[];
    hit?: { outcome: unknown; wallMs: number; cpuMs: number };
    terminated: number;
    events: string[];
  }

  /** A real pool in a child process; stopped STOPPED_MS a moment after its jobs start (a real SIGSTOP). */
  const stoppedPool = (code: string) =>
    runStoppedChild<Report>(CHILD, [code, String(BUDGET_MS), String(STOPPED_MS)], { stopMs: STOPPED_MS });

  it("a ~40 ms script with a 100 ms budget, its process stopped 300 ms mid-job, returns its result", {
    timeout: 60_000,
  }, async () => {
    const report = await stoppedPool(FORTY_MS_OF_WORK);
    // The stop landed inside one job (else this test would prove nothing) ...
    expect(report.hit?.wallMs).toBeGreaterThanOrEqual(STOPPED_MS);
    // ... and neither the worker's interrupt handler nor the pool's watchdog ended it for that.
    expect(report.hit?.outcome).toEqual({ ok: true, result: 404999550000, state: {} });
    expect(report.runs.map((r) => r.ended)).toEqual(report.runs.map(() => "ok"));
    expect({ terminated: report.terminated, events: report.events }).toEqual({ terminated: 0, events: [] });
  });

  it("a runaway loop stopped mid-job still ends as a timeout, after about its budget of running", {
    timeout: 60_000,
  }, async () => {
    const report = await stoppedPool("while (true) {}");
    expect(report.hit?.outcome).toMatchObject({ ok: false, code: "timeout" });
    expect(report.hit?.wallMs).toBeGreaterThanOrEqual(STOPPED_MS + BUDGET_MS - 5);
    // Wall time past the stop on an idle machine; on a busy one the process's CPU time.
    const ran = Math.min((report.hit?.wallMs ?? 0) - STOPPED_MS, report.hit?.cpuMs ?? 0);
    expect(ran).toBeLessThan(BUDGET_MS + GRACE_MS + SLACK_MS);
  });
});
