// A script worker that starts, then never answers: it blocks its thread on the first job, as a script
// stuck where QuickJS's interrupt handler cannot reach would. Only termination ends it.
import { parentPort } from "node:worker_threads";

parentPort.on("message", () => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
});
parentPort.postMessage({ kind: "ready" });
