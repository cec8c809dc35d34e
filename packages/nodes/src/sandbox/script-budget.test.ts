// A script's time budget counts the time the script ran, not the time the machine took from it: a real
// child process evaluates the script and this test stops it (SIGSTOP) mid-run, as a loaded machine's
// scheduler would set the thread aside, then continues it (SIGCONT).
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { ScriptOutcome } from "../core/script-runner";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
const CHILD = join(REPO_ROOT, "packages/nodes/src/testing/script-budget-child.ts");
const BUDGET_MS = 100;
const STOPPED_MS = 300;
/** How long after the child's "running" line the stop comes: inside its first run, on an idle machine. */
const STOP_AFTER_MS = 15;
/** Room on a busy 2-core machine past what the script itself is owed. */
const SLACK_MS = 60;
/** About 40 ms of work in QuickJS here (31 ms for 700,000 rounds, idle, 2026-12-02). */
const FORTY_MS_OF_WORK = "let s = 0; for (let i = 0; i < 900000; i++) s += i; return s;";

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
 * Runs `code` in a child process; with `stopMs`, stops the child that long once its runs start, and the
 * child reports the run the stop landed in.
 */
function runInChild(code: string, stopMs?: number): Promise<Report> {
  return new Promise((resolve, reject) => {
    const args = [CHILD, code, String(BUDGET_MS), String(stopMs ?? 0)];
    const child = spawn(process.execPath, ["--import", "tsx", ...args], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let stopped = false;
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (stopMs !== undefined && !stopped && out.includes("running\n")) {
        stopped = true;
        // A moment after the line, so the stop lands inside a run (a late one lands in a later run).
        setTimeout(() => {
          child.kill("SIGSTOP");
          setTimeout(() => child.kill("SIGCONT"), stopMs);
        }, STOP_AFTER_MS);
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      const last = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !last.startsWith("{")) reject(new Error(`child exited ${code}: ${out}${err}`));
      else resolve(JSON.parse(last) as Report);
    });
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
});
