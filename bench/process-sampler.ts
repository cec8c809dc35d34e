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

/** Where a process's resident memory is, in MB, from /proc/<pid>/smaps (one pass over its mappings). */
export interface RssSplit {
  /** Every mapping's Rss. */
  total: number;
  /** File-backed mappings: the node binary, shared libraries, ICU data (shared with other node processes). */
  file: number;
  /** Anonymous memory: the V8 heap pages, malloc's arenas, thread stacks. */
  anon: number;
  /** The brk heap ([heap]): glibc malloc's main arena (Buffers, ArrayBuffer backing stores, C++ objects). */
  brk: number;
  /** Anonymous mappings of 64 MB reservations or more: glibc's per-thread malloc arenas. */
  arenas: number;
}

export function rssSplit(pid: number): RssSplit {
  const split: RssSplit = { total: 0, file: 0, anon: 0, brk: 0, arenas: 0 };
  let name = "";
  let size = 0;
  // A thread arena is a 64 MB aligned reservation (HEAP_MAX_SIZE), mapped as a rw part and a ---p rest.
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      name = head[3]!;
      const start = Number.parseInt(head[1]!, 16);
      size = Number.parseInt(head[2]!, 16) - start;
      // The rw part of a thread arena starts on a 64 MB boundary.
      // (V8's own pages are 256 KB mappings, which a 64 MB boundary can also start.)
      if (name === "" && start % (64 * 2 ** 20) === 0 && size < 64 * 2 ** 20 && size !== 256 * 1024)
        name = "[arena]";
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (!rss) continue;
    const mb = Number(rss[1]) / 1024;
    split.total += mb;
    if (name.startsWith("/")) split.file += mb;
    else split.anon += mb;
    if (name === "[heap]") split.brk += mb;
    if (name === "[arena]") split.arenas += mb;
  }
  for (const k of Object.keys(split) as (keyof RssSplit)[]) split[k] = Number(split[k].toFixed(1));
  return split;
}
