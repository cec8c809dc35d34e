/**
 * A child process for the script pool's budget test: a real pool with one worker, running one script
 * again and again, so the test can stop and continue the whole process (SIGSTOP/SIGCONT) while a job
 * runs, as a loaded machine's scheduler would (the pool's thread and the worker are both set aside).
 *
 * argv: <code> <timeoutMs> <stoppedMs>. It warms the worker, prints "running", then runs the script until
 * one job took at least `stoppedMs` of wall time (the job the parent's stop landed in), at most 200 jobs.
 * Last line: a JSON report.
 */
import { ScriptWorkerPool } from "../src/engine/script-pool";

const [code = "", timeout = "100", stopped = "0"] = process.argv.slice(2);
const stoppedMs = Number(stopped);
const job = {
  code,
  input: JSON.stringify({ inputs: {}, quality: {}, state: {}, now: 0, dt: 0 }),
  timeoutMs: Number(timeout),
  memoryBytes: 8 * 1024 * 1024,
};
const events: string[] = [];
const pool = new ScriptWorkerPool({ size: 1, onEvent: (_level, message) => events.push(message) });
// Warm: the worker starts, and V8 tiers up the interpreter's WebAssembly on the script's loop.
for (let i = 0; i < 3; i++) await pool.run(job);

process.stdout.write("running\n");
const runs: { ended: string; wallMs: number }[] = [];
/** The run's wall time, and the CPU time this process used meanwhile (all its threads). */
let hit: { outcome: unknown; wallMs: number; cpuMs: number } | undefined;
while (!hit && runs.length < 200) {
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const outcome = await pool.run(job);
  const wallMs = performance.now() - started;
  runs.push({ ended: outcome.ok ? "ok" : outcome.code, wallMs });
  const cpu = process.cpuUsage(cpuAtStart);
  if (wallMs >= stoppedMs) hit = { outcome, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}
const { terminated } = pool.stats();
await pool.close();
process.stdout.write(`${JSON.stringify({ runs, hit, terminated, events })}\n`);
