// A script worker that starts, tells its thread id, then never answers while it keeps its thread busy,
// as a long native operation the interrupt handler cannot reach would. Only termination ends it.
import { readlinkSync } from "node:fs";
import { parentPort } from "node:worker_threads";

parentPort.on("message", () => {
  for (;;) Math.sqrt(Math.random());
});
parentPort.postMessage({ kind: "ready", tid: Number(readlinkSync("/proc/thread-self").split("/").at(-1)) });
