// A script worker that starts, tells its thread id, then blocks its thread without running on the first
// job (stuck, not busy). Only termination ends it.
import { readlinkSync } from "node:fs";
import { parentPort } from "node:worker_threads";

parentPort.on("message", () => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
});
parentPort.postMessage({ kind: "ready", tid: Number(readlinkSync("/proc/thread-self").split("/").at(-1)) });
