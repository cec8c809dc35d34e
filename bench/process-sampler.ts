import { readdirSync, readFileSync } from "node:fs";

/** Resident set size of a running process, in bytes (VmRSS of /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
}

/**
 * CPU time a process has used, user + system, in seconds (clock ticks are 100 Hz on Linux). The fields
 * are counted after the ")" that closes the command name, which may itself hold spaces.
 */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU time of a process in ns, from the scheduler's own per-thread count (/proc/<pid>/task/<tid>/schedstat),
 * not /proc/<pid>/stat's 10 ms ticks: 30 s at 1.5 % of a core is 45 ticks, so one tick was 2 % of a figure.
 * `main` is the JavaScript thread (the event loop: scans, HTTP, BACnet); the rest is V8's helpers (GC,
 * compiler) and libuv's pool. Node's threads live as long as the process, so none is lost in a window.
 */
export interface ThreadCpu {
  /** ns, every thread. */
  all: number;
  /** ns, the JavaScript thread. */
  main: number;
  /** s, utime + stime from /proc/<pid>/stat (10 ms ticks). */
  ticks: number;
}

export function threadCpu(pid: number): ThreadCpu {
  let all = 0;
  let main = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let ns: number;
    try {
      ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      continue; // a thread that ended between the listing and the read
    }
    all += ns;
    if (tid === String(pid)) main = ns;
  }
  // utime + stime (all threads, clock ticks of 10 ms): the old figure, kept as a cross-check.
  return { all, main, ticks: cpuSeconds(pid) };
}
