/**
 * One script worker thread: loads QuickJS once, then evaluates the jobs the pool posts, one at a time.
 * The code reaches QuickJS as text and nothing else: no eval, Function or node:vm here either.
 */
import { parentPort } from "node:worker_threads";
import { evaluateScript, loadScriptEngine, setThreadCpuClock } from "@bms/nodes/script-sandbox";
import { currentThreadId, ownThreadCpuMs } from "@bms/nodes/thread-cpu";
import type { PoolToWorker, WorkerToPool } from "./script-worker-protocol";

const port = parentPort;
if (!port) throw new Error("script-worker.ts runs as a worker thread only");

// The interrupt handler counts a long gap between its polls as the CPU this thread really ran.
setThreadCpuClock(ownThreadCpuMs);
const quickjs = await loadScriptEngine();
const memory = quickjs.getWasmMemory();
// One evaluation before saying ready, so the engine's code is compiled and warm: a fresh worker's first
// real job would otherwise spend part of its budget on that.
evaluateScript(quickjs, {
  code: "return 1;",
  input: JSON.stringify({ inputs: {}, quality: {}, state: {}, now: 0, dt: 0 }),
  timeoutMs: 10_000,
  memoryBytes: 1024 * 1024,
});

port.on("message", (message: PoolToWorker) => {
  const outcome = evaluateScript(quickjs, message.job);
  const reply: WorkerToPool = {
    kind: "done",
    id: message.id,
    outcome,
    wasmBytes: memory.buffer.byteLength,
  };
  port.postMessage(reply);
});
// Ready once this thread's event loop turns: a worker's first turn comes some 50 ms after its entry
// module finishes, and a job posted in that gap would spend its budget waiting to be received.
setImmediate(() => port.postMessage({ kind: "ready", tid: currentThreadId() } satisfies WorkerToPool));
