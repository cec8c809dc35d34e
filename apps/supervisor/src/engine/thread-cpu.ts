/**
 * CPU time of one thread of this process, from the Linux scheduler's own count: what the script pool's
 * watchdog reads to tell a worker that is running past its budget from one the machine set aside.
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

/** CPU time the thread `tid` of this process has used, in ms (NaN when it cannot be read). */
export function threadCpuMs(tid: number | undefined): number {
  if (tid === undefined) return Number.NaN;
  try {
    return Number(readFileSync(`/proc/self/task/${tid}/schedstat`, "latin1").split(" ")[0]) / 1e6;
  } catch {
    return Number.NaN;
  }
}
