/**
 * CPU time of one thread of this process, from the Linux scheduler's own count (Node only; NaN elsewhere).
 * Two readers use it: the sandbox's interrupt handler, to count a long gap between its polls as the time
 * the thread really ran (quickjs-sandbox.ts, installed through setThreadCpuClock), and the supervisor's
 * script pool, whose watchdog tells a worker running past its budget from one the machine set aside.
 */
import { readFileSync, readlinkSync } from "node:fs";

/** This thread's id as the kernel knows it (run inside a worker), or undefined off Linux. */
export function currentThreadId(): number | undefined {
  try {
    // "/proc/thread-self" links to "<pid>/task/<tid>".
    const tid = Number(readlinkSync("/proc/thread-self").split("/").at(-1));
    return Number.isInteger(tid) ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** The first field of a schedstat file (ns on the CPU) in ms, or NaN. */
function schedstatMs(path: string): number {
  try {
    return Number(readFileSync(path, "latin1").split(" ")[0]) / 1e6;
  } catch {
    return Number.NaN;
  }
}

/** CPU time the thread `tid` of this process has used, in ms (NaN when it cannot be read). */
export function threadCpuMs(tid: number | undefined): number {
  return tid === undefined ? Number.NaN : schedstatMs(`/proc/self/task/${tid}/schedstat`);
}

/** CPU time the calling thread has used, in ms (NaN when it cannot be read). */
export function ownThreadCpuMs(): number {
  return schedstatMs("/proc/thread-self/schedstat");
}
