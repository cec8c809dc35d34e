/**
 * A child process for the script-budget tests: evaluates a script in this process's main thread, the
 * way a supervisor worker does, so the test can stop and continue the whole process (SIGSTOP/SIGCONT)
 * while the script runs, as a loaded machine's scheduler would.
 *
 * argv: <code> <timeoutMs> <stoppedMs> [clock]. With clock "cpu" (the default) the sandbox reads this
 * thread's CPU time, as a supervisor worker does; with "none" it does not, as in a browser. It warms the engine on the script and runs it once undisturbed
 * (its time alone), prints "running", then runs it again and again until one run took at least
 * `stoppedMs` of wall time (the run the parent's stop landed in; 0: the first run), at most 200 runs.
 * The parent's stop may come a few runs late on a busy machine; running on keeps the stop inside a run.
 * Last line: a JSON report.
 */
import { evaluateScript, loadScriptEngine, setThreadCpuClock } from "../sandbox/quickjs-sandbox";
import { ownThreadCpuMs } from "../sandbox/thread-cpu";

const [code = "", timeout = "100", stopped = "0", clock = "cpu"] = process.argv.slice(2);
if (clock === "cpu") setThreadCpuClock(ownThreadCpuMs);
const stoppedMs = Number(stopped);
const quickjs = await loadScriptEngine();
const job = {
  code,
  input: JSON.stringify({ inputs: {}, quality: {}, state: {}, now: 0, dt: 0 }),
  timeoutMs: Number(timeout),
  memoryBytes: 8 * 1024 * 1024,
};
// Warm: V8 first runs the interpreter's WebAssembly unoptimised and tiers it up while it runs, so a
// first run of a loop takes several times its later runs.
for (let i = 0; i < 3; i++) evaluateScript(quickjs, job);

let started = performance.now();
let cpuAtStart = process.cpuUsage();
const alone = evaluateScript(quickjs, job);
const aloneMs = performance.now() - started;
const aloneCpu = process.cpuUsage(cpuAtStart);

// process.stdout is synchronous on a pipe (Linux): the line is out before the script starts.
process.stdout.write("running\n");
const runs: { ended: string; wallMs: number }[] = [];
/** The run's wall time, and the CPU time this process used meanwhile (all its threads). */
let hit: { outcome: unknown; wallMs: number; cpuMs: number } | undefined;
while (!hit && runs.length < 200) {
  started = performance.now();
  cpuAtStart = process.cpuUsage();
  const outcome = evaluateScript(quickjs, job);
  const wallMs = performance.now() - started;
  runs.push({ ended: outcome.ok ? "ok" : outcome.code, wallMs });
  const cpu = process.cpuUsage(cpuAtStart);
  if (wallMs >= stoppedMs) hit = { outcome, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}
const report = {
  alone: alone.ok ? "ok" : alone.code,
  aloneMs: Math.min(aloneMs, (aloneCpu.user + aloneCpu.system) / 1000),
  runs,
  hit,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
