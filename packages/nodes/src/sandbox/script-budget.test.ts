// A script's time budget counts the time the script ran, not the time the machine took from it: a real
// child process evaluates the script and this test stops it (SIGSTOP) mid-run, as a loaded machine's
// scheduler would set the thread aside, then continues it (SIGCONT).
import { runStoppedChild } from "@bms/test-support";
import { describe, expect, it } from "vitest";
import type { ScriptOutcome } from "../core/script-runner";

const CHILD = "packages/nodes/src/testing/script-budget-child.ts";
const BUDGET_MS = 100;
const STOPPED_MS = 300;
/** How long after the child's "running" line the stop comes: inside its first run, on an idle machine. */
const STOP_AFTER_MS = 15;
/** Room on a busy 2-core machine past what the script itself is owed. */
const SLACK_MS = 60;
/** About 40 ms of work in QuickJS here (31 ms for 700,000 rounds, idle, 2026-12-02). */
const FORTY_MS_OF_WORK = "let s = 0; for (let i = 0; i < 900000; i++) s += i; return s;";
/**
 * Runaways whose time goes into a built-in, which QuickJS counts as one operation: its interrupt handler
 * is called only every ~5,000 `indexOf` calls, so one gap between polls is ~500 ms of CPU on 20,000
 * elements (2026-12-02; before the CPU check this loop ran 19 s on a 100 ms budget) and ~50 ms on 2,000.
 * Nothing in the thread can end a script inside a gap: it ends at the first poll past its budget.
 */
const builtInLoop = (elements: number) =>
  `const a = new Array(${elements}).fill(0); while (true) a.indexOf(-1);`;

interface Report {
  alone: string;
  /** Its time alone: wall time, or the process's CPU time if less (a busy machine stretches wall time). */
  aloneMs: number;
  /** Every run after "running": how it ended and its wall time. */
  runs: { ended: string; wallMs: number }[];
  /** The run that took at least the stop (with no stop, the first run). */
  hit?: { outcome: ScriptOutcome; wallMs: number; cpuMs: number };
}

/**
 * Runs `code` in a child process (its sandbox reading the thread's CPU time, or with "none" not, as in
 * a browser); with `stopMs`, stops the child that long once its runs start, and the
 * child reports the run the stop landed in.
 */
function runInChild(code: string, stopMs?: number, clock: "cpu" | "none" = "cpu"): Promise<Report> {
  return runStoppedChild<Report>(CHILD, [code, String(BUDGET_MS), String(stopMs ?? 0), clock], {
    ...(stopMs === undefined ? {} : { stopMs }),
    stopAfterMs: STOP_AFTER_MS,
  });
}

describe("script time budget: the time the script ran", { timeout: 30_000 }, () => {
  it(`a ~40 ms script with a ${BUDGET_MS} ms budget, stopped ${STOPPED_MS} ms mid-run, returns its result`, async () => {
    const report = await runInChild(FORTY_MS_OF_WORK, STOPPED_MS);
    // The script ends within its budget when it runs undisturbed ...
    expect(report.alone).toBe("ok");
    // ... the stop landed inside one run (else this test would prove nothing) ...
    expect(report.hit?.wallMs).toBeGreaterThanOrEqual(STOPPED_MS);
    // ... and that run, like every other, was not ended for it.
    expect(report.hit?.outcome).toEqual({ ok: true, result: 404999550000, state: {} });
    expect(report.runs.map((r) => r.ended)).toEqual(report.runs.map(() => "ok"));
  });

  it("a runaway loop still ends near its budget", async () => {
    const report = await runInChild("while (true) {}");
    expect(report.hit?.outcome).toMatchObject({ ok: false, code: "timeout" });
    expect(report.hit?.wallMs).toBeGreaterThanOrEqual(BUDGET_MS);
    // Wall time on an idle machine; on a busy one the CPU time shows it ran about its budget.
    expect(Math.min(report.hit?.wallMs ?? 0, report.hit?.cpuMs ?? 0)).toBeLessThan(BUDGET_MS + SLACK_MS);
  });

  it("a runaway loop stopped mid-run ends at its budget of running, past the stop", async () => {
    const report = await runInChild("while (true) {}", STOPPED_MS);
    expect(report.hit?.outcome).toMatchObject({ ok: false, code: "timeout" });
    // The stop counts at most a couple of ms: the run ends after about its budget of running.
    expect(report.hit?.wallMs).toBeGreaterThanOrEqual(STOPPED_MS + BUDGET_MS - 5);
    const ran = Math.min((report.hit?.wallMs ?? 0) - STOPPED_MS, report.hit?.cpuMs ?? 0);
    expect(ran).toBeLessThan(BUDGET_MS + SLACK_MS);
  });

  for (const clock of ["cpu", "none"] as const) {
    const how = clock === "cpu" ? "thread CPU read" : "no CPU clock, as in a browser";
    it(`a runaway loop inside a built-in ends at its budget plus one poll gap (${how})`, async () => {
      const small = await runInChild(builtInLoop(2_000), undefined, clock);
      expect(small.hit?.outcome).toMatchObject({ ok: false, code: "timeout" });
      const smallMs = Math.min(small.hit?.wallMs ?? 0, small.hit?.cpuMs ?? 0);
      expect(smallMs).toBeLessThan(BUDGET_MS + 100 + SLACK_MS);
      // The reviewer's case: one ~500 ms gap, where it ran 19 s.
      const big = await runInChild(builtInLoop(20_000), undefined, clock);
      expect(big.hit?.outcome).toMatchObject({ ok: false, code: "timeout" });
      expect(Math.min(big.hit?.wallMs ?? 0, big.hit?.cpuMs ?? 0)).toBeLessThan(1_500);
    });
  }
});
