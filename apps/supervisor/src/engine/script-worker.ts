/**
 * One script worker thread: loads QuickJS once, then evaluates the jobs the pool posts, one at a time.
 * The code reaches QuickJS as text and nothing else: no eval, Function or node:vm here either.
 */
import { parentPort } from "node:worker_threads";
import { evaluateScript, loadScriptEngine } from "@bms/nodes/script-sandbox";
import type { PoolToWorker, WorkerToPool } from "./script-worker-protocol";

const port = parentPort;
if (!port) throw new Error("script-worker.ts runs as a worker thread only");

const quickjs = await loadScriptEngine();
const memory = quickjs.getWasmMemory();

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
port.postMessage({ kind: "ready" } satisfies WorkerToPool);
