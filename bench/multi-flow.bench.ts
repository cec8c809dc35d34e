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
// Runs alternate (multi, single; BENCH_ROUNDS rounds, default 5) and report medians, as other work shares
// this machine.
// Results: bench/results/multi-flow.json. BENCH_SECONDS sets the 1 s measurement windows (default 20).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildSitePackage, type FlowConfigurationInput } from "@bms/schemas";
import { api, REPO_ROOT, startSimulator, startSupervisor } from "@bms/test-support";

const DEVICES = 50;
const FIRST = 10001;
// Reserved for this file: 127.0.46.0/24 (.101-.150 the devices), BACnet ports 47893 and 47859.
const SIM_BIND = "127.0.46.101";
const SIM_PORT = 47893;
const SUP_PORT = 47859;
const FLOWS = 20;
const READS_PER_FLOW = 50;
/** Points every flow reads (an outdoor temperature, a plant status): what sharing must read once. */
const COMMON = 10;
const MEASURE_S = Number(process.env.BENCH_SECONDS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
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

/** utime + stime of a process, in seconds (clock ticks are 100 Hz on Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
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

async function main() {
  console.log(`starting ${DEVICES} simulated devices...`);
  const sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, devices: DEVICES });
  const sup = await startSupervisor({
    bacnetBind: "127.0.46.1",
    bacnetPort: SUP_PORT,
    broadcast: `127.255.255.255:${SIM_PORT}`,
  });
  const pid = sup.child.pid!;
  const flows = async () => (await api<{ flows: FlowRow[] }>(sup.url, "/api/flows")).body.flows;
  const metrics = async () =>
    (
      await api<{ engine: { reads_saved: number; reads_sent: number }; bacnet: { requests?: number } }>(
        sup.url,
        "/api/monitoring/metrics",
        { token: sup.token },
      )
    ).body;

  /** Deploys, lets it settle, then measures CPU, node executions and reads over `seconds`. */
  async function measure(pkg: ReturnType<typeof site>, seconds: number) {
    const deployed = await api(sup.url, "/api/config/deploy", { body: pkg, token: sup.token });
    if (deployed.status !== 200)
      throw new Error(`deploy answered ${deployed.status}: ${JSON.stringify(deployed.body)}`);
    await new Promise((r) => setTimeout(r, 4000));
    const [f0, m0] = [await flows(), await metrics()];
    const c0 = cpuSeconds(pid);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const c1 = cpuSeconds(pid);
    const wall = (performance.now() - t0) / 1000;
    const [f1, m1] = [await flows(), await metrics()];
    const executions = f1.reduce(
      (n, f) => n + (f.scan_count - (f0.find((g) => g.flow_id === f.flow_id)?.scan_count ?? 0)) * f.nodes,
      0,
    );
    return {
      cpu_per_s: (c1 - c0) / wall,
      node_executions_per_s: executions / wall,
      reads_sent: m1.engine.reads_sent - m0.engine.reads_sent,
      reads_saved: m1.engine.reads_saved - m0.engine.reads_saved,
      // BACnet requests on the wire: flows on one interval scan on one tick and their reads are merged
      // per device, so 20 flows should send what one flow holding the same points sends.
      bacnet_requests_per_s: ((m1.bacnet.requests ?? 0) - (m0.bacnet.requests ?? 0)) / wall,
      overruns: f1.reduce((n, f) => n + f.overruns, 0),
      wall_s: wall,
    };
  }

  try {
    await api(sup.url, "/api/devices/discover?wait=true", { body: { timeout_ms: 2000 }, token: sup.token });

    // 1. Same work: 20 × 100 at 1 s against 1 × 2,000 at 1 s, alternated.
    const sameMulti: Awaited<ReturnType<typeof measure>>[] = [];
    const sameSingle: Awaited<ReturnType<typeof measure>>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      sameMulti.push(
        await measure(
          multi(() => 1000),
          MEASURE_S,
        ),
      );
      sameSingle.push(await measure(single(), MEASURE_S));
      console.log(
        `round ${round + 1}: 20 flows ${sameMulti.at(-1)!.cpu_per_s.toFixed(3)} CPU s/s (${sameMulti.at(-1)!.bacnet_requests_per_s.toFixed(0)} requests/s), ` +
          `one flow ${sameSingle.at(-1)!.cpu_per_s.toFixed(3)} CPU s/s (${sameSingle.at(-1)!.bacnet_requests_per_s.toFixed(0)} requests/s)`,
      );
    }
    const cpuMulti = median(sameMulti.map((m) => m.cpu_per_s));
    const cpuSingle = median(sameSingle.map((m) => m.cpu_per_s));
    const perExecMulti = median(sameMulti.map((m) => m.cpu_per_s / m.node_executions_per_s));
    const perExecSingle = median(sameSingle.map((m) => m.cpu_per_s / m.node_executions_per_s));

    // 2 and 3. Mixed intervals, one full 60 s period.
    const mixed = await measure(multi(mixedInterval), MIXED_S);
    // Ideal network reads: each point once per period of its fastest reader.
    const fastest = new Map<string, number>();
    for (let f = 0; f < FLOWS; f++)
      for (const p of readsOf(f))
        fastest.set(p, Math.min(fastest.get(p) ?? Number.POSITIVE_INFINITY, mixedInterval(f)));
    const idealReadsPerS = [...fastest.values()].reduce((n, period) => n + 1000 / period, 0);
    const requestedPerS = Array.from(
      { length: FLOWS },
      (_, f) => READS_PER_FLOW * (1000 / mixedInterval(f)),
    ).reduce((a, b) => a + b, 0);
    const sentPerS = mixed.reads_sent / mixed.wall_s;
    console.log(
      `mixed: ${mixed.cpu_per_s.toFixed(3)} CPU s/s; reads ${sentPerS.toFixed(1)}/s sent for ${requestedPerS.toFixed(1)}/s requested (ideal ${idealReadsPerS.toFixed(1)}/s)`,
    );

    const results = {
      machine: { cpus: (await import("node:os")).cpus().length, node: process.version },
      setup: {
        devices: DEVICES,
        flows: FLOWS,
        nodes_per_flow: READS_PER_FLOW * 2,
        reads_per_flow: READS_PER_FLOW,
        common_points_read_by_every_flow: COMMON,
        unique_points: fastest.size,
        mixed_intervals: "flows 1-10 at 1 s, 11-17 at 5 s, 18-20 at 60 s",
        measure_seconds: MEASURE_S,
        rounds: ROUNDS,
        mixed_measure_seconds: MIXED_S,
      },
      same_work_at_1s: {
        cpu_s_per_s_20_flows: Number(cpuMulti.toFixed(4)),
        cpu_s_per_s_one_flow: Number(cpuSingle.toFixed(4)),
        ratio_20_flows_to_one: Number((cpuMulti / cpuSingle).toFixed(3)),
        ratio_per_node_execution: Number((perExecMulti / perExecSingle).toFixed(3)),
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
        cpu_s_per_s: Number(mixed.cpu_per_s.toFixed(4)),
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
    await sup.stop();
    await sim.stop();
  }
}

await main();
