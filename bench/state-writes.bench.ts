// Node state writes benchmark (issue 15: "every row written wears the card"), run by `pnpm bench state-writes`.
// The multi-flow bench's site (20 flows × 100 nodes at 1 s against 50 simulated devices: 1,000 reads, each
// scaled by a math node), plus per flow one sub-flow (a math node and a latch inside), one totalizer and one
// lead/lag sequencer (added 2026-12-02 03:00: state that is partly on-change; 2,060 nodes), on two supervisors
// side by side, over the same window:
//  - "every scan": `--state-save-interval 0`: periodic state is written at the end of every scan that
//    changed it, as every node's state was before it had a persistence class (the baseline);
//  - "default": `--state-save-interval 10` (the default): math's `last` (periodic) at most every 10 s.
// Rows written are counted from runtime.db itself: every 250 ms each supervisor's node_state is read (a
// second connection) and a row whose updated_at moved counts one write (a row is written at most
// once per 1 s scan, so a 250 ms poll sees every write), also per node kind (`m`: the math nodes, `sub`,
// `energy`: the totalizers, `pumps`: the sequencers). CPU is each process's utime+stime over the window.
// The two roles run on different supervisors and are not swapped (the interval is a start flag): the CPU
// ratio is indicative, the row counts are not sensitive to that.
// Measured 2026-12-02 (one 40 s window, load 0.54, code before main b2ccb8c was merged in): 434.5 rows/s
// written every scan against 38.3 with the default 10 s (0.088x: 1,000 math nodes whose inputs the simulator
// moves ~43 % of seconds); CPU 0.018 against 0.013 cores (0.72x, one window, supervisors not swapped:
// indicative only). What is left are the on-change nodes and the 10 s saves.
// Measured 2026-12-02 02:32 and 03:05 with the sub-flows, totalizers and sequencers (40 s windows, load 16-28:
// row counts are not load-sensitive, CPU is not to be trusted at that load), default role:
//  - main a88cfb7 (a sub-flow, a totalizer and a sequencer on-change as a whole): 94.0 rows/s, of which
//    sub 19.9, energy 19.9, pumps 19.9 (every scan: the math inside, the total and the run hours move every
//    scan), math 34.1;
//  - wave2-state2 (each part as its node says): 48.9 and 38.3 rows/s in two runs, of which sub, energy and
//    pumps 1.9 and 1.5 each (one per flow per ~10-11 s: the interval is checked at the scans), math 43.1 and
//    33.8 (the simulator moves the inputs more in some windows). The 60 nodes went from 59.7 rows/s to
//    4.5-5.7 (0.08-0.10x); every scan writes 491 rows/s.
// Results: bench/results/state-writes.json and summary.json keys state_writes_*. BENCH_SECONDS sets the window
// (default 40).
import { readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { buildSitePackage, type FlowConfigurationInput } from "@bms/schemas";
import { api, REPO_ROOT, type SupervisorHandle, startSimulator, startSupervisor } from "@bms/test-support";
import { type Db, openDatabase } from "../apps/supervisor/src/storage/database";
import { writeSummary } from "./report";

// Reserved for this file: 127.0.77.0/24 (.101-.150 the devices, .1 and .2 the supervisors), ports 47875-47876.
const SIM_BIND = "127.0.77.101";
const SIM_PORT = 47875;
const SUP_PORT = 47876;
const DEVICES = 50;
const FIRST = 10001;
const FLOWS = 20;
const READS_PER_FLOW = 50;
const MEASURE_S = Number(process.env.BENCH_SECONDS ?? 40);
const SETTLE_MS = 12_000;

const OBJECTS = (["analogInput", "analogValue", "binaryInput"] as const).flatMap((name) =>
  Array.from({ length: 10 }, (_, i) => `${name}:${i + 1}`),
);
const POOL = Array.from({ length: DEVICES }, (_, d) => OBJECTS.map((o) => `bacnet:${FIRST + d}/${o}`)).flat();
const uuid = (n: number) => `8b0c1d2e-3f40-4a5b-9c6d-${n.toString(16).padStart(12, "0")}`;

/**
 * A sub-flow as a site builds one: a math node (periodic state inside) and a threshold into a latch that
 * stays reset (on-change state inside, which must still reach the disk within a scan when it flips).
 */
const SUBFLOW = {
  nodes: [
    { id: "in", type: "subflow_input", config: { name: "in1" } },
    { id: "f", type: "math", config: { input_count: 1, expression: "a * 1.8 + 32" } },
    { id: "out", type: "subflow_output", config: { name: "out1" } },
    { id: "high", type: "threshold", config: { operator: ">", value: 1e9 } },
    { id: "trip", type: "latch", config: {} },
  ],
  connections: [
    { from_node: "in", from_output: "value", to_node: "f", to_input: "a" },
    { from_node: "f", from_output: "result", to_node: "out", to_input: "value" },
    { from_node: "in", from_output: "value", to_node: "high", to_input: "value" },
    { from_node: "high", from_output: "result", to_node: "trip", to_input: "set" },
  ],
};

/**
 * The multi-flow bench's flow (each read feeds a math node), plus per flow one sub-flow, one totalizer
 * (energy from an analog read, run hours from a binary read) and one lead/lag sequencer on a demand read.
 */
function flow(f: number): FlowConfigurationInput {
  const reads = [...POOL.slice(0, 10), ...POOL.slice(10 + f * 40, 10 + (f + 1) * 40)];
  const status = reads.findIndex((ref) => ref.includes("binaryInput"));
  const wire = (from: string, port: string, to: string, input: string) => ({
    from_node: from,
    from_output: port,
    to_node: to,
    to_input: input,
  });
  return {
    metadata: {
      flow_id: uuid(f + 1),
      flow_name: `Flow ${f + 1}`,
      version: "1.0.0",
      generated_at: new Date().toISOString(),
    },
    execution: {
      trigger: { type: "interval", interval_ms: 1000 },
      error_handling: { retry_count: 0, timeout_ms: 5000, on_failure: "continue" },
    },
    nodes: [
      ...reads.flatMap((point, i) => [
        { id: `r${i}`, type: "sensor_read", config: { point } },
        { id: `m${i}`, type: "math", config: { input_count: 1, expression: "a * 1.01 + 0.5" } },
      ]),
      { id: "sub", type: "subflow", config: { flow: SUBFLOW } },
      { id: "energy", type: "totalizer", config: { rate_per: "hour" } },
      { id: "pumps", type: "sequencer", config: { units: 2, demand_mode: "percent" } },
    ],
    connections: [
      ...reads.map((_, i) => wire(`r${i}`, "value", `m${i}`, "a")),
      wire("r0", "value", "sub", "in1"),
      wire("r1", "value", "energy", "rate"),
      wire(`r${status}`, "value", "energy", "running"),
      wire("r2", "value", "pumps", "demand"),
    ],
  };
}

/** Counts node_state writes by watching updated_at move, from a read-only connection. */
class RowCounter {
  private readonly db: Db;
  private readonly seen = new Map<string, number>();
  writes = 0;
  /** Writes by node id without its number: `m` (the math nodes), `sub`, `energy`, `pumps`. */
  readonly byNode = new Map<string, number>();
  constructor(dataDir: string) {
    // A second connection, as the history bench opens one: WAL lets it read while the supervisor writes.
    this.db = openDatabase(dataDir);
  }
  poll(count: boolean) {
    const rows = this.db.prepare("SELECT flow_id, node_id, updated_at FROM node_state").all() as {
      flow_id: string;
      node_id: string;
      updated_at: number;
    }[];
    for (const r of rows) {
      const key = `${r.flow_id}/${r.node_id}`;
      if (count && this.seen.get(key) !== r.updated_at) {
        this.writes++;
        const kind = r.node_id.replace(/\d+$/, "");
        this.byNode.set(kind, (this.byNode.get(kind) ?? 0) + 1);
      }
      this.seen.set(key, r.updated_at);
    }
  }
  close() {
    this.db.close();
  }
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  console.log(`starting ${DEVICES} simulated devices and two supervisors...`);
  const sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, devices: DEVICES });
  const sups: { name: string; interval: number; sup: SupervisorHandle }[] = [];
  try {
    for (const [name, bind, interval] of [
      ["every scan", "127.0.77.1", 0],
      ["default", "127.0.77.2", 10],
    ] as const) {
      const sup = await startSupervisor({
        bacnetBind: bind,
        bacnetPort: SUP_PORT,
        broadcast: `127.255.255.255:${SIM_PORT}`,
        extraArgs: ["--state-save-interval", String(interval)],
      });
      sups.push({ name, interval, sup });
    }
    const pkg = buildSitePackage({
      project: { id: "bench-state-writes", name: "State writes benchmark", version: "1.0.0" },
      flows: Array.from({ length: FLOWS }, (_, f) => flow(f)),
      created_at: new Date().toISOString(),
    });
    for (const { sup } of sups) {
      await api(sup.url, "/api/devices/discover?wait=true", { body: { timeout_ms: 2000 }, token: sup.token });
      const deployed = await api(sup.url, "/api/config/deploy", { body: pkg, token: sup.token });
      if (deployed.status !== 200) throw new Error(`deploy answered ${deployed.status}`);
    }
    await sleep(SETTLE_MS);
    const counters = sups.map((s) => new RowCounter(s.sup.dataDir));
    for (const c of counters) c.poll(false);
    const load = loadavg()[0]!;
    const cpu0 = sups.map((s) => cpuTicks(s.sup.child.pid!));
    const started = Date.now();
    while (Date.now() - started < MEASURE_S * 1000) {
      await sleep(250);
      for (const c of counters) c.poll(true);
    }
    const seconds = (Date.now() - started) / 1000;
    const cpu = sups.map((s, i) => (cpuTicks(s.sup.child.pid!) - cpu0[i]!) / 100 / seconds);
    for (const c of counters) c.close();
    const results = sups.map((s, i) => ({
      role: s.name,
      state_save_interval_s: s.interval,
      rows_per_s: Math.round((counters[i]!.writes / seconds) * 10) / 10,
      rows_per_s_by_node: Object.fromEntries(
        [...counters[i]!.byNode].sort().map(([kind, n]) => [kind, Math.round((n / seconds) * 10) / 10]),
      ),
      cpu_cores: Math.round(cpu[i]! * 1000) / 1000,
    }));
    const [before, after] = results as [(typeof results)[0], (typeof results)[0]];
    const out = {
      measured_at: new Date().toISOString(),
      window_s: Math.round(seconds),
      loadavg_1m: load,
      loadavg_1m_after: loadavg()[0]!,
      nodes: FLOWS * (READS_PER_FLOW * 2 + 3),
      results,
      rows_ratio: Math.round((after.rows_per_s / before.rows_per_s) * 1000) / 1000,
      cpu_ratio: Math.round((after.cpu_cores / before.cpu_cores) * 1000) / 1000,
    };
    console.log(JSON.stringify(out, null, 2));
    writeFileSync(join(REPO_ROOT, "bench/results/state-writes.json"), `${JSON.stringify(out, null, 2)}\n`);
    writeSummary({
      state_writes_rows_per_s_every_scan: before.rows_per_s,
      state_writes_rows_per_s_default: after.rows_per_s,
      state_writes_cpu_ratio_default_to_every_scan: out.cpu_ratio,
    });
  } finally {
    for (const { sup } of sups) await sup.stop();
    await sim.stop();
  }
}

await main();
