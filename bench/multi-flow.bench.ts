// Many flows benchmark (issue 12), run by `pnpm bench multi-flow`. A site of 20 flows × 100 nodes against
// 50 simulated devices, compared with one flow holding the same 2,000 nodes:
//  1. CPU of the supervisor process per second of real time, with every flow at 1 s (the same work both
//     ways: the ratio is the cost of running many flows instead of one; goal ≤ 1.10);
//  2. the same site on mixed intervals (1 s, 5 s, 60 s): CPU per second, and CPU per node execution
//     against the single flow's (the overhead normalised for the lighter load);
//  3. reads saved by sharing: ten points every flow reads, at every interval, must go on the wire once
//     per period of their fastest reader (goal: reads sent / ideal = 1.0);
//  4. BACnet requests per second, 20 flows against one: flows on one interval share a phase clock and
//     their reads are merged per device (goal: the same requests as the single flow).
// Before the phase clock (same bench, 2026-12-01): 1.31× the CPU, 40.3 requests/s against 27.
//
// Method (2026-12-01, session 5). The figure is small (15-20 ms of CPU per second) and the machine is
// shared, so the old method (one supervisor, 20 s windows, alternating runs, 5 rounds, /proc/<pid>/stat)
// spread 1.10-1.71 per round: a neighbour's build in one window and not the next moved the ratio more
// than anything measured, and stat's 10 ms ticks were 2-4 % of a window's CPU. Now:
//  - two supervisors run side by side, one with the 20 flows and one with the single flow, and both are
//    measured over the same window, so whatever else the machine does falls on both; the roles swap
//    every round, as one supervisor ran ~8 % costlier than the other in either role;
//  - the headline is each role's CPU summed over all its windows, divided (a major GC falls in one window
//    and not the next; the sums average it), with the spread of pairs of rounds (geometric mean of a
//    round and its swap) and of single rounds as min/median/max, and the load average beside it;
//  - CPU is the scheduler's ns count per thread (schedstat), all threads (the figure) and the JavaScript
//    thread alone (the event loop; the rest is GC and compiler helpers), with stat's ticks as a cross-check;
//  - 8 rounds of 30 s after a warm-up of each role on each supervisor, the windows opened after and
//    closed before the bench's own HTTP calls.
// The work is the and unchanged: 20 × 100 nodes at 1 s against 1 × 2,000 at 1 s, the same
// devices and points; mixed intervals and read sharing are measured on one supervisor alone, as before.
// What 20 flows cost beyond one (2026-12-02; --cpu-prof and --trace-gc of both supervisors over one 60 s
// and two 120 s windows side by side, BMS_CHILD_NODE_ARGS):
//  - node state: each math node's `last` changes every scan, so ~1,000 rows are upserted a second either
//    way (~25 % of the CPU, the largest item), but 20 flows did it in 20 transactions a tick against one.
//    Saves are now written once per event-loop turn for every flow (measured ~2 transactions a tick);
//  - GC: 20 flows kept 20,000 timeline events (100 s of completions) against the single flow's 5,000
//    (25 s), and ran 4 major GCs in 120 s against 2 (~560 ms of marking against ~250 ms). A site now keeps
//    what one flow of its nodes keeps: 2 against 2 in the next window;
//  - a scan that commands nothing no longer goes through the write path's promises;
//  - left, outside this bench's files: the interpreter's per-scan set-up (scanOnce self time ~3x the
//    single flow's in the profile) and SharedReads.readPoints (every flow asks for the 10 common points:
//    1,000 refs a tick against 810, each with its own quality record).
// Measured with this method the same hour (load 0.3-17.6): the engine before these changes 1.076 (round
// pairs 1.001-1.136; JavaScript thread 1.124, pairs 1.104-1.157); after them 1.032 (pairs 1.017-1.045;
// JavaScript thread 1.045, pairs 1.039-1.063). The old method gave 1.12-1.33 on the code before.
// Results: bench/results/multi-flow.json and summary.json keys multi_flow_*. BENCH_SECONDS sets the
// windows (default 30), BENCH_ROUNDS the rounds (default 8).
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { buildSitePackage, type FlowConfigurationInput } from "@bms/schemas";
import { api, REPO_ROOT, startSimulator, startSupervisor } from "@bms/test-support";
import { type ThreadCpu, threadCpu } from "./process-sampler";
import { writeSummary } from "./report";

const DEVICES = 50;
const FIRST = 10001;
// Reserved for this file: 127.0.46.0/24 (.101-.150 the devices, .1 supervisor A) and 127.0.72.1 (supervisor B),
// BACnet ports 47893 and 47859.
const SIM_BIND = "127.0.46.101";
const SIM_PORT = 47893;
const SUP_PORT = 47859;
const FLOWS = 20;
const READS_PER_FLOW = 50;
/** Points every flow reads (an outdoor temperature, a plant status): what sharing must read once. */
const COMMON = 10;
const MEASURE_S = Number(process.env.BENCH_SECONDS ?? 30);
/** Even: each supervisor runs each role in as many rounds. */
const ROUNDS = 2 * Math.ceil(Number(process.env.BENCH_ROUNDS ?? 8) / 2);
/** After a deploy, before a window opens: the first scans compile and allocate what later ones reuse. */
const SETTLE_MS = 5000;
/** Each role once on each supervisor before any round is measured. */
const WARMUP_MS = 8000;
/** The mixed window covers a whole 60 s period, so the slow flows' scans are in it. */
const MIXED_S = 66;

/** 40 points per simulated device: AI, AV, BI, BO 1..10; the flows read the analog ones and the binary inputs. */
const OBJECTS = (["analogInput", "analogValue", "binaryInput"] as const).flatMap((name) =>
  Array.from({ length: 10 }, (_, i) => `${name}:${i + 1}`),
);
const POOL = Array.from({ length: DEVICES }, (_, d) => OBJECTS.map((o) => `bacnet:${FIRST + d}/${o}`)).flat();
const common = POOL.slice(0, COMMON);

/** Flow f's reads: the common points and its own, never another flow's own. */
function readsOf(f: number): string[] {
  const own = READS_PER_FLOW - COMMON;
  return [...common, ...POOL.slice(COMMON + f * own, COMMON + (f + 1) * own)];
}

/** 1 s for flows 0-9, 5 s for 10-16, 60 s for 17-19: an AHU, VAV loops and schedules. */
function mixedInterval(f: number): number {
  return f < 10 ? 1000 : f < 17 ? 5000 : 60_000;
}

const uuid = (n: number) => `8b0c1d2e-3f40-4a5b-9c6d-${n.toString(16).padStart(12, "0")}`;

/** 100 nodes per flow: each read feeds a math node (scaling, as a real sequence does with its inputs). */
function nodesOf(f: number, prefix = ""): Pick<FlowConfigurationInput, "nodes" | "connections"> {
  const reads = readsOf(f);
  return {
    nodes: reads.flatMap((point, i) => [
      { id: `${prefix}r${i}`, type: "sensor_read", config: { point } },
      { id: `${prefix}m${i}`, type: "math", config: { input_count: 1, expression: "a * 1.01 + 0.5" } },
    ]),
    connections: reads.map((_, i) => ({
      from_node: `${prefix}r${i}`,
      from_output: "value",
      to_node: `${prefix}m${i}`,
      to_input: "a",
    })),
  };
}

function flow(
  id: number,
  name: string,
  intervalMs: number,
  body: Pick<FlowConfigurationInput, "nodes" | "connections">,
): FlowConfigurationInput {
  return {
    metadata: {
      flow_id: uuid(id),
      flow_name: name,
      version: "1.0.0",
      generated_at: new Date().toISOString(),
    },
    execution: {
      trigger: { type: "interval", interval_ms: intervalMs },
      error_handling: { retry_count: 0, timeout_ms: 5000, on_failure: "continue" },
    },
    ...body,
  };
}

function site(flows: FlowConfigurationInput[]) {
  return buildSitePackage({
    project: { id: "bench-multi-flow", name: "Many flows benchmark", version: "1.0.0" },
    flows,
    created_at: new Date().toISOString(),
  });
}

const multi = (interval: (f: number) => number) =>
  site(Array.from({ length: FLOWS }, (_, f) => flow(f + 1, `Flow ${f + 1}`, interval(f), nodesOf(f))));

function single() {
  const parts = Array.from({ length: FLOWS }, (_, f) => nodesOf(f, `f${f}_`));
  return site([
    flow(1000, "One flow", 1000, {
      nodes: parts.flatMap((p) => p.nodes),
      connections: parts.flatMap((p) => p.connections),
    }),
  ]);
}

interface FlowRow {
  flow_id: string;
  scan_count: number;
  nodes: number;
  overruns: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** min / median / max, rounded: how far the rounds spread is part of the figure. */
function spread(values: number[], digits = 3) {
  const round = (v: number) => Number(v.toFixed(digits));
  return {
    min: round(Math.min(...values)),
    median: round(median(values)),
    max: round(Math.max(...values)),
  };
}

const loadavg1 = () => Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);

type Package = ReturnType<typeof site>;

interface Snapshot {
  flows: FlowRow[];
  metrics: { engine: { reads_saved: number; reads_sent: number }; bacnet: { requests?: number } };
  cpu: ThreadCpu;
  at: number;
}

/** One supervisor under test, with the calls the bench makes of it. */
class Subject {
  readonly pid: number;

  constructor(
    readonly name: string,
    private readonly sup: Awaited<ReturnType<typeof startSupervisor>>,
  ) {
    this.pid = sup.child.pid!;
  }

  async deploy(pkg: Package) {
    const deployed = await api(this.sup.url, "/api/config/deploy", { body: pkg, token: this.sup.token });
    if (deployed.status !== 200)
      throw new Error(`${this.name}: deploy answered ${deployed.status}: ${JSON.stringify(deployed.body)}`);
  }

  async discover() {
    await api(this.sup.url, "/api/devices/discover?wait=true", {
      body: { timeout_ms: 2000 },
      token: this.sup.token,
    });
  }

  /**
   * The window opens after the HTTP calls and closes before them, so the bench's own requests are
   * never in the CPU measured.
   */
  async open(): Promise<Snapshot> {
    const [flows, metrics] = [await this.flows(), await this.metrics()];
    return { flows, metrics, cpu: threadCpu(this.pid), at: performance.now() };
  }

  async close(): Promise<Snapshot> {
    const [cpu, at] = [threadCpu(this.pid), performance.now()];
    return { cpu, at, flows: await this.flows(), metrics: await this.metrics() };
  }

  stop() {
    return this.sup.stop();
  }

  private async flows() {
    return (await api<{ flows: FlowRow[] }>(this.sup.url, "/api/flows")).body.flows;
  }

  private async metrics() {
    return (
      await api<Snapshot["metrics"]>(this.sup.url, "/api/monitoring/metrics", { token: this.sup.token })
    ).body;
  }
}

/** What a supervisor did between two snapshots. */
function measured(a: Snapshot, b: Snapshot) {
  const wall = (b.at - a.at) / 1000;
  const executions = b.flows.reduce(
    (n, f) => n + (f.scan_count - (a.flows.find((g) => g.flow_id === f.flow_id)?.scan_count ?? 0)) * f.nodes,
    0,
  );
  return {
    cpu_per_s: (b.cpu.all - a.cpu.all) / 1e9 / wall,
    main_thread_cpu_per_s: (b.cpu.main - a.cpu.main) / 1e9 / wall,
    ticks_cpu_per_s: (b.cpu.ticks - a.cpu.ticks) / wall,
    node_executions_per_s: executions / wall,
    reads_sent: b.metrics.engine.reads_sent - a.metrics.engine.reads_sent,
    reads_saved: b.metrics.engine.reads_saved - a.metrics.engine.reads_saved,
    // BACnet requests on the wire: flows on one interval scan on one tick and their reads are merged
    // per device, so 20 flows should send what one flow holding the same points sends.
    bacnet_requests_per_s: ((b.metrics.bacnet.requests ?? 0) - (a.metrics.bacnet.requests ?? 0)) / wall,
    overruns: b.flows.reduce((n, f) => n + f.overruns, 0),
    wall_s: wall,
  };
}
type Measure = ReturnType<typeof measured>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  console.log(`starting ${DEVICES} simulated devices and two supervisors...`);
  const sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, devices: DEVICES });
  const subjects: Subject[] = [];
  try {
    for (const [name, bind] of [
      ["A", "127.0.46.1"],
      ["B", "127.0.72.1"],
    ] as const) {
      const sup = await startSupervisor({
        bacnetBind: bind,
        bacnetPort: SUP_PORT,
        broadcast: `127.255.255.255:${SIM_PORT}`,
      });
      subjects.push(new Subject(name, sup));
    }
    const [a, b] = subjects as [Subject, Subject];
    await Promise.all(subjects.map((s) => s.discover()));
    const multiPkg = () => multi(() => 1000);

    // 1. Same work: 20 × 100 at 1 s against 1 × 2,000 at 1 s, measured side by side in the same window
    // (one supervisor each), the roles swapped every round. A warm-up of each role on each supervisor
    // first, so no round measures the JIT compiling a configuration for the first time.
    for (const [m, s] of [
      [a, b],
      [b, a],
    ] as const) {
      await m.deploy(multiPkg());
      await s.deploy(single());
      await sleep(WARMUP_MS);
    }
    const sameMulti: (Measure & { supervisor: string; loadavg_1m: number })[] = [];
    const sameSingle: (Measure & { supervisor: string; loadavg_1m: number })[] = [];
    const ratios: number[] = [];
    const mainRatios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [m, s] = round % 2 === 0 ? [a, b] : [b, a];
      await m.deploy(multiPkg());
      await s.deploy(single());
      await sleep(SETTLE_MS);
      const load = loadavg1();
      // Opened and closed in swapped order every round, so neither role is always measured first.
      const order = round % 4 < 2 ? [m, s] : [s, m];
      const opened = new Map<Subject, Snapshot>();
      for (const sub of order) opened.set(sub, await sub.open());
      await sleep(MEASURE_S * 1000);
      const closed = new Map<Subject, Snapshot>();
      for (const sub of order) closed.set(sub, await sub.close());
      const mm = measured(opened.get(m)!, closed.get(m)!);
      const ss = measured(opened.get(s)!, closed.get(s)!);
      sameMulti.push({ ...mm, supervisor: m.name, loadavg_1m: load });
      sameSingle.push({ ...ss, supervisor: s.name, loadavg_1m: load });
      ratios.push(mm.cpu_per_s / ss.cpu_per_s);
      mainRatios.push(mm.main_thread_cpu_per_s / ss.main_thread_cpu_per_s);
      console.log(
        `round ${round + 1} (load ${load.toFixed(2)}): 20 flows on ${m.name} ${(mm.cpu_per_s * 1000).toFixed(2)} ms/s ` +
          `(main ${(mm.main_thread_cpu_per_s * 1000).toFixed(2)}), one flow on ${s.name} ${(ss.cpu_per_s * 1000).toFixed(2)} ms/s ` +
          `(main ${(ss.main_thread_cpu_per_s * 1000).toFixed(2)}); ratio ${ratios.at(-1)!.toFixed(3)}, ` +
          `requests/s ${mm.bacnet_requests_per_s.toFixed(0)} vs ${ss.bacnet_requests_per_s.toFixed(0)}`,
      );
    }
    // The headline: each role's CPU summed over all its windows (the same windows for both), divided. A
    // major GC of ~50 ms lands in one 30 s window and not the next (±10 % on a round), and each supervisor
    // runs each role equally often, so the sums average both out. Pairs of rounds (the roles on one
    // supervisor, then swapped) give the spread: a pair's geometric mean cancels a supervisor's own bias.
    const total = (runs: readonly Measure[], key: "cpu_per_s" | "main_thread_cpu_per_s") =>
      runs.reduce((n, m) => n + m[key] * m.wall_s, 0) / runs.reduce((n, m) => n + m.wall_s, 0);
    const cpuMulti = total(sameMulti, "cpu_per_s");
    const cpuSingle = total(sameSingle, "cpu_per_s");
    const pairs = (values: readonly number[]) =>
      Array.from({ length: values.length / 2 }, (_, p) => Math.sqrt(values[2 * p]! * values[2 * p + 1]!));
    const executions = (runs: readonly Measure[]) =>
      runs.reduce((n, m) => n + m.node_executions_per_s * m.wall_s, 0);
    const perExec =
      (cpuMulti * sameMulti.reduce((n, m) => n + m.wall_s, 0)) /
      executions(sameMulti) /
      ((cpuSingle * sameSingle.reduce((n, m) => n + m.wall_s, 0)) / executions(sameSingle));
    const perExecSingle = median(sameSingle.map((m) => m.cpu_per_s / m.node_executions_per_s));

    // 2 and 3. Mixed intervals, one full 60 s period, on one supervisor alone.
    await b.stop();
    subjects.pop();
    await a.deploy(multi(mixedInterval));
    await sleep(SETTLE_MS);
    const mixedLoad = loadavg1();
    const mixedOpen = await a.open();
    await sleep(MIXED_S * 1000);
    const mixed = measured(mixedOpen, await a.close());
    // Ideal network reads: each point once per period of its fastest reader.
    const fastest = new Map<string, number>();
    for (let f = 0; f < FLOWS; f++)
      for (const p of readsOf(f))
        fastest.set(p, Math.min(fastest.get(p) ?? Number.POSITIVE_INFINITY, mixedInterval(f)));
    const idealReadsPerS = [...fastest.values()].reduce((n, period) => n + 1000 / period, 0);
    const requestedPerS = Array.from(
      { length: FLOWS },
      (_, f) => READS_PER_FLOW * (1000 / mixedInterval(f)),
    ).reduce((x, y) => x + y, 0);
    const sentPerS = mixed.reads_sent / mixed.wall_s;
    console.log(
      `mixed: ${mixed.cpu_per_s.toFixed(4)} CPU s/s; reads ${sentPerS.toFixed(1)}/s sent for ${requestedPerS.toFixed(1)}/s requested (ideal ${idealReadsPerS.toFixed(1)}/s)`,
    );

    const ratio = Number((cpuMulti / cpuSingle).toFixed(3));
    const mainRatio = total(sameMulti, "main_thread_cpu_per_s") / total(sameSingle, "main_thread_cpu_per_s");
    const results = {
      machine: { cpus: cpus().length, node: process.version },
      setup: {
        devices: DEVICES,
        flows: FLOWS,
        nodes_per_flow: READS_PER_FLOW * 2,
        reads_per_flow: READS_PER_FLOW,
        common_points_read_by_every_flow: COMMON,
        unique_points: fastest.size,
        mixed_intervals: "flows 1-10 at 1 s, 11-17 at 5 s, 18-20 at 60 s",
        method:
          "two supervisors side by side, one running 20 flows and one the single flow, measured in the same window; roles swapped every round",
        measure_seconds: MEASURE_S,
        rounds: ROUNDS,
        mixed_measure_seconds: MIXED_S,
      },
      same_work_at_1s: {
        cpu_s_per_s_20_flows: Number(cpuMulti.toFixed(5)),
        cpu_s_per_s_one_flow: Number(cpuSingle.toFixed(5)),
        ratio_20_flows_to_one: ratio,
        ratio_pairs_spread: spread(pairs(ratios)),
        ratio_rounds_spread: spread(ratios),
        main_thread_ratio: Number(mainRatio.toFixed(3)),
        main_thread_ratio_pairs_spread: spread(pairs(mainRatios)),
        ratio_per_node_execution: Number(perExec.toFixed(3)),
        loadavg_1m: spread(
          sameMulti.map((m) => m.loadavg_1m),
          2,
        ),
        bacnet_requests_per_s_20_flows: Number(
          median(sameMulti.map((m) => m.bacnet_requests_per_s)).toFixed(1),
        ),
        bacnet_requests_per_s_one_flow: Number(
          median(sameSingle.map((m) => m.bacnet_requests_per_s)).toFixed(1),
        ),
        goal: "ratio <= 1.10",
        runs: { twenty_flows: sameMulti, one_flow: sameSingle },
      },
      mixed_intervals: {
        cpu_s_per_s: Number(mixed.cpu_per_s.toFixed(5)),
        loadavg_1m: mixedLoad,
        node_executions_per_s: Math.round(mixed.node_executions_per_s),
        cpu_us_per_node_execution: Number(((mixed.cpu_per_s / mixed.node_executions_per_s) * 1e6).toFixed(2)),
        one_flow_cpu_us_per_node_execution: Number((perExecSingle * 1e6).toFixed(2)),
        ratio_per_node_execution_to_one_flow: Number(
          (mixed.cpu_per_s / mixed.node_executions_per_s / perExecSingle).toFixed(3),
        ),
        overruns: mixed.overruns,
      },
      reads: {
        requested_per_s: Number(requestedPerS.toFixed(1)),
        sent_per_s: Number(sentPerS.toFixed(1)),
        saved_per_s: Number((mixed.reads_saved / mixed.wall_s).toFixed(1)),
        ideal_once_per_period_per_s: Number(idealReadsPerS.toFixed(1)),
        ratio_sent_to_ideal: Number((sentPerS / idealReadsPerS).toFixed(3)),
        goal: "ratio_sent_to_ideal = 1.0 (each point read once per period of its fastest reader)",
      },
      measured_at: new Date().toISOString(),
    };
    writeFileSync(join(REPO_ROOT, "bench/results/multi-flow.json"), `${JSON.stringify(results, null, 2)}\n`);
    writeSummary({
      multi_flow_cpu_ratio_20_flows_to_one: ratio,
      multi_flow_reads_sent_to_ideal: results.reads.ratio_sent_to_ideal,
    });
    console.log(
      JSON.stringify(
        {
          same_work_at_1s: { ...results.same_work_at_1s, runs: undefined },
          mixed: results.mixed_intervals,
          reads: results.reads,
        },
        null,
        2,
      ),
    );
  } finally {
    for (const s of subjects) await s.stop();
    await sim.stop();
  }
}

await main();
