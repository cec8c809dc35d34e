// Scale benchmark (issue 15 "Scale"), run by `pnpm bench scale-50k`: 200 simulated devices × 250 points
// (50,000 points) polled by one supervisor at 5 s, spread over 50 flows of 1,000 sensor reads (4 devices
// each), with history recording every value as a deployed site does. Reports, after a warm-up:
//  - RSS of the supervisor and of the simulator (peak over the window and at its end);
//  - the supervisor's CPU share of one core, and per 1,000 points;
//  - every point good: each flow's last-scan values (GET /api/points/live?flow_id=) all good and fresh;
//  - scans, overruns and BACnet requests per second.
// Goals: supervisor RSS ≤ 300 MB, ≤ 25 % of one core, every point good.
// The supervisor runs as shipped: bin/bms-supervisor of the release bundle, with the V8 flags it passes
// (scripts/release/node-flags.mjs; BMS_NODE_FLAGS overrides them as on a site). Before 2026-12-02 the
// bench ran lib/app/supervisor.mjs under plain node, without the release's flags. SCALE_SUPERVISOR=tsx
// runs the sources instead. BENCH_SECONDS sets the measurement window (default 60 s, twelve scan periods);
// BMS_CHILD_NODE_ARGS adds node flags to the supervisor (a heap profile: "--heap-prof --heap-prof-dir=D";
// a snapshot on demand: "--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=D").
// Profile, 2026-12-02 (heap snapshot of the supervisor 35 s after the deploy, 192 MB live before the
// changes of wave2-memory): history's open series ~60 MB (three typed arrays and an empty Map per point,
// 35 MB of them headers), each flow's validated config twice (the site package's and the plan's), an
// empty runtime_options object per node in each (5.6 MB), canonical refs as 7-piece ropes (3 MB), five
// empty arrays per runtime slot, a "sensor_read" and a "presentValue" string per point, a {bad, at}
// object per point per scan. After them the heap in use after collections is 137-141 MB (~2.2 KB a point
// above the idle supervisor). What remains per sensor read: compiled node 128 B, runtime slot 144 B, the
// validated node, its raw and parsed configs (~170 B), last scan's run, outputs and values (~250 B), the
// trace and timeline shares, shared-read, parsed-ref and history entries (~300 B), its open history
// window (~400 B early in a window, ~1 KB at its end). RSS is that heap plus ~130 MB outside it: code, the
// young generation, malloc arenas and the open series' byte arrays. What would close more: one compact
// plan for plain reads (a typed array per flow, not a node object each), in packages/nodes.
// Where the RSS is, 2026-12-02 02:28 (rss_split_at_peak, /proc/<pid>/smaps at the peak; MiB; main at
// a88cfb7, peak 308.3 MB, load 3-4): 47 file-backed (the node binary's and libraries' code and ICU data,
// shared with any other node process), 247 anonymous: the V8 heap's 205 committed (215.2 MB: 185.6 in
// use at that moment, the rest free room in its pages and the young generation), and 42 outside it:
// malloc's main arena (brk) 36 (ArrayBuffer backing stores, 10.6 MB of them the open series' byte arrays,
// with a native backing-store record each; SQLite's page caches; V8's compiler zones) and the one other
// malloc arena 5. Heap snapshot at 50,000 points after those changes (02:40, 146 MB live): 834k plain
// objects of 56 B (47 MB), 17 MB of strings, Map tables 9 MB (five maps keyed by point), then per point:
// runtime slot 144 B, compiled node 128 B, OpenSeries 80 B (now columns), NodeRun 72 B, two {value}
// outputs 64 B, parsed ref 64 B + {ok, ref} 40 B, shared-read entry 64 B + its {bad, at} 40 B, read
// plan 80 B + its RPM read 48 B (now one object), node configs {point} + {point, fallback} 112 B, site
// package node 56 B, boxed numbers 127 B (397k). What wave2-memory2 took out: the open series' byte
// array per point (one slab of 1 MB chunks with a per-slot table, series-slab.ts) and their objects
// (columns), a trace record per node per scan (traces keep the scan's own run list), history's last
// sample object per point (columns), and the read plan's second object. Peak 308.3 -> 279.2 and 274.1 MB
// (02:56 and 03:05, load 15-17 and 27-61; heap in use 131-154 MB, total 187-191; every point good, CPU
// 7.8-8.2 %; smaps at the peak: 47 file-backed, 215-220 anonymous, brk 32); at the end of a 15-minute window (which this 90 s bench does not reach) the open series
// alone measured 264-270 MB RSS in the old layout against 204-206 MB in the slab, in-process, 50,000
// points x 180 polls. What remains is the runtime's per-node objects (packages/nodes: slot, compiled
// node, NodeRun, outputs, ~400 B a point) and the shared-read entries (engine/shared-reads.ts, ~120 B).
// Results: bench/results/scale-50k.json, summary keys scale_50k_points_supervisor_rss_mb and
// scale_50k_points_cpu_share.
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { buildSitePackage, type FlowConfigurationInput } from "@bms/schemas";
import {
  api,
  REPO_ROOT,
  type RunningProcess,
  startProcess,
  startSimulator,
  tempDir,
} from "@bms/test-support";
import { cpuSeconds, type RssSplit, rssBytes, rssSplit } from "./process-sampler";
import { buildRelease, shippedFlags } from "./release-build";
import { writeSection, writeSummary } from "./report";

// Reserved for this file: 127.0.60.0/24 (.1-.200 the devices, .250 the supervisor). The UDP ports are
// outside 47808-47899 on purpose: 10,000 points/s must not land in an integration test's capture.
const SIM_BIND = "127.0.60.1";
const SIM_PORT = 47960;
const SUP_BIND = "127.0.60.250";
const SUP_PORT = 47961;
const HTTP_PORT = 18260;
const TOKEN = "scale-50k-bench-admin-token-0123456789";
const DEVICES = 200;
const POINTS_PER_DEVICE = 250;
const FIRST = 10001;
const FLOWS = 50;
const INTERVAL_MS = 5000;
const WARMUP_S = 30;
const MEASURE_S = Number(process.env.BENCH_SECONDS ?? 60);
const FROM = process.env.SCALE_SUPERVISOR === "tsx" ? "tsx" : "bundle";
const GOALS = { rss_mb: 300, cpu_share: 0.25 };

/** The simulator's 250 objects per device (scale-site.ts, five blocks of 50). */
const OBJECTS = [
  ...["analogInput", "analogValue", "binaryOutput", "binaryInput"].flatMap((type) =>
    Array.from({ length: 50 }, (_, i) => `${type}:${i + 1}`),
  ),
  ...["multiStateValue", "analogOutput"].flatMap((type) =>
    Array.from({ length: 25 }, (_, i) => `${type}:${i + 1}`),
  ),
];
const refsOf = (device: number) => OBJECTS.map((o) => `bacnet:${device}/${o}.presentValue`);
const DEVICES_PER_FLOW = DEVICES / FLOWS;

function flow(f: number): FlowConfigurationInput {
  const points = Array.from({ length: DEVICES_PER_FLOW }, (_, d) =>
    refsOf(FIRST + f * DEVICES_PER_FLOW + d),
  ).flat();
  return {
    metadata: {
      flow_id: `8b0c1d2e-3f40-4a5b-9c6d-${(0x5000 + f).toString(16).padStart(12, "0")}`,
      flow_name: `Floor ${f + 1}`,
      version: "1.0.0",
      generated_at: new Date().toISOString(),
    },
    execution: {
      trigger: { type: "interval", interval_ms: INTERVAL_MS },
      error_handling: { retry_count: 0, timeout_ms: 5000, on_failure: "continue" },
    },
    nodes: points.map((point, i) => ({ id: `p${i}`, type: "sensor_read", config: { point } })),
    connections: [],
  };
}

const rssMb = (pid: number) => rssBytes(pid) / 1e6;

/** The supervisor as shipped: bin/bms-supervisor of the unpacked release, with the flags it passes. */
function supervisorCommand(): { cmd: string; args: string[]; cwd: string; flags: string } {
  const childArgs = process.env.BMS_CHILD_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  if (FROM === "tsx")
    return {
      cmd: process.execPath,
      args: [...childArgs, "--import", "tsx", join(REPO_ROOT, "apps/supervisor/src/cli.ts")],
      cwd: join(REPO_ROOT, "apps/supervisor"),
      flags: childArgs.join(" "),
    };
  const build = buildRelease("bench-scale-50k");
  return { cmd: build.bin, args: [], cwd: build.work, flags: shippedFlags(build) };
}

interface FlowRow {
  flow_id: string;
  status: string;
  scan_count: number;
  overruns: number;
}

async function main() {
  const command = supervisorCommand();
  console.log(`starting ${DEVICES} simulated devices × ${POINTS_PER_DEVICE} points...`);
  const sim = await startSimulator({
    bind: SIM_BIND,
    port: SIM_PORT,
    devices: DEVICES,
    extraArgs: ["--points-per-device", String(POINTS_PER_DEVICE)],
  });
  let sup: RunningProcess | undefined;
  try {
    console.log(`supervisor node flags: "${command.flags}"`);
    sup = await startProcess(
      command.cmd,
      [
        ...command.args,
        "all",
        "--data-dir",
        tempDir("bench-scale-50k-data"),
        "--http-host",
        SUP_BIND,
        "--http-port",
        String(HTTP_PORT),
        "--allowed-hosts",
        SUP_BIND,
        "--bacnet-bind",
        SUP_BIND,
        "--bacnet-port",
        String(SUP_PORT),
        "--broadcast",
        `127.255.255.255:${SIM_PORT}`,
      ],
      {
        name: `supervisor (${FROM})`,
        cwd: command.cwd,
        // bin/bms-supervisor passes BMS_NODE_FLAGS to node (the shipped default unless a site sets it).
        env: { BMS_SUPERVISOR_TOKEN: TOKEN, NODE_ENV: "production", BMS_NODE_FLAGS: command.flags },
        ready: /bms-supervisor listening/,
      },
    );
    const base = `http://${SUP_BIND}:${HTTP_PORT}`;
    const supPid = sup.child.pid!;
    const simPid = sim.child.pid!;
    const idleRss = rssMb(supPid);

    const found = await api<{ devices?: unknown[] }>(base, "/api/devices/discover?wait=true", {
      body: { timeout_ms: 5000 },
      token: TOKEN,
    });
    console.log(`discovery answered ${found.status}`);

    const pkg = buildSitePackage({
      project: { id: "bench-scale-50k", name: "50,000 points", version: "1.0.0" },
      flows: Array.from({ length: FLOWS }, (_, f) => flow(f)),
      created_at: new Date().toISOString(),
    });
    const deployStart = performance.now();
    const deployed = await api(base, "/api/config/deploy", { body: pkg, token: TOKEN });
    if (deployed.status !== 200)
      throw new Error(`deploy answered ${deployed.status}: ${JSON.stringify(deployed.body).slice(0, 2000)}`);
    const deployMs = performance.now() - deployStart;
    console.log(
      `deployed ${FLOWS} flows × ${DEVICES_PER_FLOW * POINTS_PER_DEVICE} points in ${deployMs.toFixed(0)} ms`,
    );
    await new Promise((r) => setTimeout(r, WARMUP_S * 1000));

    const flows = async () =>
      (await api<{ flows: FlowRow[] }>(base, "/api/flows", { token: TOKEN })).body.flows;
    const metrics = async () =>
      (
        await api<{
          bacnet: { requests?: number };
          memory: { heap_used_bytes: number; heap_total_bytes: number; external_bytes: number };
        }>(base, "/api/monitoring/metrics", { token: TOKEN })
      ).body;
    const requests = async () => (await metrics()).bacnet.requests ?? 0;
    const f0 = await flows();
    const r0 = await requests();
    const c0 = cpuSeconds(supPid);
    const s0 = cpuSeconds(simPid);
    const t0 = performance.now();
    let supPeak = 0;
    let simPeak = 0;
    // The JS heap in use, sampled every 5 s: what RSS holds beyond it is V8's headroom and native memory.
    const heapUsed: number[] = [];
    // What V8 holds for the heap (used plus free room in its pages) and outside it (ArrayBuffers, Buffers).
    let heapTotalMax = 0;
    let externalMax = 0;
    // Where the supervisor's RSS is (smaps) at its peak: file-backed code, V8 heap, malloc's arenas.
    let splitAtPeak: RssSplit | undefined;
    let heapAtPeak = { used: 0, total: 0, external: 0 };
    while (performance.now() - t0 < MEASURE_S * 1000) {
      await new Promise((r) => setTimeout(r, 1000));
      const rss = rssMb(supPid);
      if (rss > supPeak) {
        splitAtPeak = rssSplit(supPid);
        const { memory } = await metrics();
        heapAtPeak = {
          used: memory.heap_used_bytes / 1e6,
          total: memory.heap_total_bytes / 1e6,
          external: memory.external_bytes / 1e6,
        };
      }
      supPeak = Math.max(supPeak, rss);
      simPeak = Math.max(simPeak, rssMb(simPid));
      if (heapUsed.length < Math.floor((performance.now() - t0) / 5000)) {
        const { memory } = await metrics();
        heapUsed.push(memory.heap_used_bytes / 1e6);
        heapTotalMax = Math.max(heapTotalMax, memory.heap_total_bytes / 1e6);
        externalMax = Math.max(externalMax, memory.external_bytes / 1e6);
      }
    }
    const wall = (performance.now() - t0) / 1000;
    const cpuShare = (cpuSeconds(supPid) - c0) / wall;
    const simCpuShare = (cpuSeconds(simPid) - s0) / wall;
    const supRss = rssMb(supPid);
    const simRss = rssMb(simPid);
    const f1 = await flows();
    const requestsPerS = ((await requests()) - r0) / wall;
    const scans = f1.reduce(
      (n, f) => n + f.scan_count - (f0.find((g) => g.flow_id === f.flow_id)?.scan_count ?? 0),
      0,
    );
    const overruns = f1.reduce((n, f) => n + f.overruns, 0);

    // Every point good: each flow's last scan, all 1,000 values good and read within two periods.
    let good = 0;
    let total = 0;
    let stale = 0;
    const bad: string[] = [];
    const now = Date.now();
    for (const f of f1) {
      const live = await api<{
        values: { point: string; quality: string; reason?: string; timestamp: string }[];
      }>(base, `/api/points/live?flow_id=${f.flow_id}`, { token: TOKEN });
      for (const v of live.body.values) {
        total++;
        const fresh = now - Date.parse(v.timestamp) < 2 * INTERVAL_MS + 2000;
        if (!fresh) stale++;
        if (v.quality === "good" && fresh) good++;
        else if (bad.length < 5) bad.push(`${v.point}: ${v.quality}${v.reason ? ` (${v.reason})` : ""}`);
      }
    }
    const points = FLOWS * DEVICES_PER_FLOW * POINTS_PER_DEVICE;
    const results = {
      machine: { cpus: cpus().length, node: process.version },
      setup: {
        supervisor:
          FROM === "bundle" ? "release bundle, bin/bms-supervisor (its default flags)" : "sources under tsx",
        devices: DEVICES,
        points_per_device: POINTS_PER_DEVICE,
        points,
        flows: FLOWS,
        points_per_flow: DEVICES_PER_FLOW * POINTS_PER_DEVICE,
        interval_ms: INTERVAL_MS,
        warmup_seconds: WARMUP_S,
        measure_seconds: MEASURE_S,
        history: "recording every value (defaults)",
      },
      deploy_ms: Math.round(deployMs),
      supervisor: {
        rss_mb_idle_before_deploy: Number(idleRss.toFixed(1)),
        rss_mb_end: Number(supRss.toFixed(1)),
        rss_mb_peak: Number(supPeak.toFixed(1)),
        cpu_share_of_one_core: Number(cpuShare.toFixed(4)),
        cpu_share_per_1000_points: Number(((cpuShare / points) * 1000).toFixed(5)),
        rss_kb_per_point_above_idle: Number((((supPeak - idleRss) * 1000) / points).toFixed(2)),
        heap_used_mb_min: Number(Math.min(...heapUsed).toFixed(1)),
        heap_used_mb_max: Number(Math.max(...heapUsed).toFixed(1)),
        heap_total_mb_max: Number(heapTotalMax.toFixed(1)),
        external_mb_max: Number(externalMax.toFixed(1)),
        // smaps at the peak (MB; smaps counts MiB): file-backed, anonymous, brk heap, thread arenas, and
        // the anonymous memory outside V8's heap (anon minus heap total), with the JS heap beside it.
        rss_split_at_peak: splitAtPeak && {
          ...splitAtPeak,
          anon_outside_v8_heap: Number((splitAtPeak.anon - heapAtPeak.total / 1.048576).toFixed(1)),
          heap_used_mb: Number(heapAtPeak.used.toFixed(1)),
          heap_total_mb: Number(heapAtPeak.total.toFixed(1)),
          external_mb: Number(heapAtPeak.external.toFixed(1)),
        },
        node_flags: command.flags,
      },
      simulator: {
        rss_mb_end: Number(simRss.toFixed(1)),
        rss_mb_peak: Number(simPeak.toFixed(1)),
        cpu_share_of_one_core: Number(simCpuShare.toFixed(4)),
      },
      scans: {
        per_s: Number((scans / wall).toFixed(2)),
        expected_per_s: FLOWS / (INTERVAL_MS / 1000),
        overruns_total: overruns,
        bacnet_requests_per_s: Number(requestsPerS.toFixed(1)),
        points_per_s: Number(((scans / wall) * DEVICES_PER_FLOW * POINTS_PER_DEVICE).toFixed(0)),
      },
      quality: { points_checked: total, good, stale, every_point_good: good === points, first_bad: bad },
      goals: {
        supervisor_rss_mb: GOALS.rss_mb,
        cpu_share_of_one_core: GOALS.cpu_share,
        every_point_good: true,
      },
      measured_at: new Date().toISOString(),
    };
    writeFileSync(join(REPO_ROOT, "bench/results/scale-50k.json"), `${JSON.stringify(results, null, 2)}\n`);
    console.log(JSON.stringify(results, null, 2));
    writeSummary({
      scale_50k_points_supervisor_rss_mb: results.supervisor.rss_mb_peak,
      scale_50k_points_cpu_share: results.supervisor.cpu_share_of_one_core,
    });
    writeSection({
      bench: "scale-50k",
      title: "50,000 points on one supervisor at 5 s (issue 15)",
      charts: [
        {
          file: "scale-50k-rss.svg",
          title: "RSS polling 50,000 points (peak over the window)",
          unit: "MB",
          bars: [
            { label: "supervisor", value: results.supervisor.rss_mb_peak, role: "ours" },
            {
              label: "supervisor idle",
              value: results.supervisor.rss_mb_idle_before_deploy,
              role: "baseline",
            },
            { label: "simulator", value: results.simulator.rss_mb_peak, role: "baseline" },
          ],
          goal: { value: GOALS.rss_mb, label: "goal 300 MB" },
        },
        {
          file: "scale-50k-cpu.svg",
          title: "CPU share of one core polling 50,000 points at 5 s",
          unit: "share of one core",
          bars: [
            { label: "supervisor", value: results.supervisor.cpu_share_of_one_core, role: "ours" },
            { label: "simulator", value: results.simulator.cpu_share_of_one_core, role: "baseline" },
          ],
          goal: { value: GOALS.cpu_share, label: "goal 0.25" },
        },
      ],
      lines: [
        `- ${DEVICES} simulated devices × ${POINTS_PER_DEVICE} points, ${FLOWS} flows of ${DEVICES_PER_FLOW * POINTS_PER_DEVICE} sensor reads at 5 s, history on; supervisor ${results.setup.supervisor}; ${MEASURE_S} s window after ${WARMUP_S} s.`,
        `- Supervisor RSS peak ${results.supervisor.rss_mb_peak} MB (idle ${results.supervisor.rss_mb_idle_before_deploy} MB; goal ≤ 300), JS heap in use ${results.supervisor.heap_used_mb_min}-${results.supervisor.heap_used_mb_max} MB; simulator ${results.simulator.rss_mb_peak} MB.`,
        `- Supervisor CPU ${(cpuShare * 100).toFixed(1)} % of one core (goal ≤ 25 %), ${(results.supervisor.cpu_share_per_1000_points * 100).toFixed(2)} % per 1,000 points; simulator ${(simCpuShare * 100).toFixed(1)} %.`,
        `- ${good} / ${points} points good and fresh in the flows' last scans; ${results.scans.per_s} scans/s (${results.scans.expected_per_s} expected), ${overruns} overruns, ${results.scans.bacnet_requests_per_s} BACnet requests/s.`,
      ],
    });
  } finally {
    await sup?.stop();
    await sim.stop();
  }
}

await main();
