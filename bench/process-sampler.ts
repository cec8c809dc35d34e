import { readFileSync } from "node:fs";

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
