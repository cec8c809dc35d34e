// Where the scan benches' processes run (issue 15, session 9). On a site the BACnet devices are other
// hardware: they never take the supervisor's CPU. On the 2-vCPU bench machine the simulated building
// shares both vCPUs with every client, and after a scan's idle the scheduler ran the client and the
// simulator one after the other on one vCPU (session 8, bench/supervisor.bench.ts). The "device on its
// own CPU" topology gives the simulator one vCPU and every client under test (the bench process's raw
// loop and the supervisor alike) the other; "shared" leaves all of them on every allowed CPU, as before.
// Affinity is changed on the running processes (taskset -a: every thread, the tsx loader's and V8's
// included; threads made later inherit it), so both topologies are measured on the same processes.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";

export type Topology = "shared_cpus" | "device_own_cpu";

const TASKSET = "/usr/bin/taskset";

/** The CPUs this process may run on (a cpuset or an outer taskset may allow fewer than the machine has). */
export function allowedCpus(): number[] {
  const list = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? "";
  return list.split(",").flatMap((part) => {
    const [from, to] = part.split("-").map(Number);
    if (from === undefined || !Number.isInteger(from)) return [];
    const last = to ?? from;
    return Array.from({ length: last - from + 1 }, (_, i) => from + i);
  });
}

export interface CpuPlan {
  /** All allowed CPUs: the shared topology, and what every process is given back afterwards. */
  all: number[];
  /** The device-on-own-CPU topology: the simulator's CPU and the clients' CPU. */
  device: number;
  clients: number;
}

/** The plan, or why the device-on-own-CPU topology cannot be measured here. */
export function cpuPlan(): CpuPlan | { skip: string } {
  if (!existsSync(TASKSET)) return { skip: `${TASKSET} is not installed` };
  const all = allowedCpus();
  if (all.length < 2)
    return { skip: `only ${all.length} CPU allowed (${all.join(",")}): no CPU to give the devices alone` };
  return { all, clients: all[0]!, device: all[all.length - 1]! };
}

/** Pins every thread of `pid` to `cpus`. */
export function pin(pid: number, cpus: readonly number[]): void {
  execFileSync(TASKSET, ["-a", "-p", "-c", cpus.join(","), String(pid)], { stdio: "ignore" });
}

/** Places the simulator and the clients (the bench process, the supervisor) for `topology`. */
export function applyTopology(
  plan: CpuPlan,
  topology: Topology,
  processes: { device: number; clients: readonly number[] },
): void {
  const own = topology === "device_own_cpu";
  pin(processes.device, own ? [plan.device] : plan.all);
  for (const pid of processes.clients) pin(pid, own ? [plan.clients] : plan.all);
  const expect = (pid: number, cpus: readonly number[]) => {
    const got = [...threadAffinities(pid)];
    const want = cpus.length === 1 ? String(cpus[0]) : formatCpus(cpus);
    if (got.some((g) => g !== want))
      throw new Error(`pid ${pid}: threads allowed ${got.join(" / ")}, not ${want}`);
  };
  expect(processes.device, own ? [plan.device] : plan.all);
  for (const pid of processes.clients) expect(pid, own ? [plan.clients] : plan.all);
}

/** A CPU list as the kernel prints it (0-1, 0,2-3). */
export function formatCpus(cpus: readonly number[]): string {
  const sorted = [...cpus].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** Every thread's allowed CPUs (Cpus_allowed_list), so a bench can check the placement took. */
export function threadAffinities(pid: number): Set<string> {
  const out = new Set<string>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, "utf8");
      out.add(/Cpus_allowed_list:\s*(\S+)/.exec(status)?.[1] ?? "?");
    } catch {
      // a thread that ended meanwhile
    }
  }
  return out;
}
