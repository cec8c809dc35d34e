// Release bundle benchmark (issue 17), run by `pnpm bench bundle`: the bundled supervisor (`pnpm release`,
// run with plain node) against today's start from the sources (node --import tsx src/cli.ts), measured in
// the same run on the same machine:
//  1. start-up: spawn → "bms-supervisor listening", median of 5, fresh data dir each time;
//  2. RSS polling 2,000 points (50 simulated devices × 40) at 1 s, after BENCH_SECONDS (default 15 s).
// Goals: the bundle starts in under 1 s and polls 2,000 points in under 120 MB RSS.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { arch } from "node:os";
import { join } from "node:path";
import { buildDeploymentPackage, type FlowConfigurationInput } from "@bms/schemas";
import {
  api,
  REPO_ROOT,
  type RunningProcess,
  startProcess,
  startSimulator,
  tempDir,
  testFlow,
} from "@bms/test-support";
import { cpuSeconds, rssBytes } from "./process-sampler";
import { writeSection, writeSummary } from "./report";

const SIM_BIND = "127.0.50.10";
const SIM_PORT = 47898;
const SUP_BIND = "127.0.50.11";
const SUP_PORT = 47899;
const HTTP_PORT = 18160;
const DEVICES = 50;
const FIRST = 10001;
const TOKEN = "bundle-bench-admin-token-0123456789";
const MEASURE_S = Number(process.env.BENCH_SECONDS ?? 15);
const OBJECTS = ["analogInput", "analogValue", "binaryInput", "binaryOutput"].flatMap((name) =>
  Array.from({ length: 10 }, (_, i) => `${name}:${i + 1}`),
);
const refs = Array.from({ length: DEVICES }, (_, d) =>
  OBJECTS.map((o) => `bacnet:${FIRST + d}/${o}.presentValue`),
).flat();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const work = tempDir("bench-bundle");
execFileSync(process.execPath, ["scripts/release.mjs", "--version", "0.0.0-bench", "--out", work], {
  cwd: REPO_ROOT,
});
execFileSync("tar", ["-xzf", join(work, `bms-supervisor-0.0.0-bench-linux-${arch()}.tar.gz`), "-C", work]);
// The bundle as installed: through bin/bms-supervisor, with the V8 flags it passes (scripts/release/
// node-flags.mjs: --optimize-for-size until 2026-12-02, then --heap-growing-percent=20 --max-semi-space-size=2).
const bundleBin = join(work, `bms-supervisor-0.0.0-bench-linux-${arch()}`, "bin/bms-supervisor");

const variants = {
  bundle: { cmd: bundleBin, args: [], cwd: work },
  tsx: {
    cmd: process.execPath,
    args: ["--import", "tsx", join(REPO_ROOT, "apps/supervisor/src/cli.ts")],
    cwd: join(REPO_ROOT, "apps/supervisor"),
  },
} as const;

async function start(
  kind: keyof typeof variants,
  extra: string[] = [],
): Promise<{ proc: RunningProcess; ms: number }> {
  const v = variants[kind];
  const started = performance.now();
  const proc = await startProcess(
    v.cmd,
    [
      ...v.args,
      "all",
      "--data-dir",
      tempDir("bench-bundle-data"),
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
      `${SIM_BIND}:${SIM_PORT}`,
      ...extra,
    ],
    {
      name: `supervisor (${kind})`,
      cwd: v.cwd,
      env: { BMS_SUPERVISOR_TOKEN: TOKEN, NODE_ENV: "production" },
      ready: /bms-supervisor listening/,
    },
  );
  return { proc, ms: performance.now() - started };
}

function sensorFlow(points: readonly string[]): FlowConfigurationInput {
  return testFlow({
    name: "poll 2000",
    intervalMs: 1000,
    nodes: points.map((point, i) => ({ id: `p${i}`, type: "sensor_read", config: { point } })),
    connections: [],
  });
}

const results: Record<string, Record<string, number>> = { bundle: {}, tsx: {} };
const sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, devices: DEVICES });
try {
  const pins = Array.from({ length: DEVICES }, (_, d) => [
    "--bacnet-pin",
    `${FIRST + d}=${SIM_BIND}:${SIM_PORT}`,
  ]).flat();
  for (const kind of ["bundle", "tsx"] as const) {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { proc, ms } = await start(kind);
      times.push(ms);
      await proc.stop();
    }
    results[kind]!.startup_ms = median(times);
    const { proc } = await start(kind, pins);
    try {
      const base = `http://${SUP_BIND}:${HTTP_PORT}`;
      const pkg = buildDeploymentPackage({
        project_id: "bench",
        project_name: "Benchmark",
        configuration: sensorFlow(refs),
        created_at: new Date().toISOString(),
      });
      const deployed = await api(base, "/api/config/deploy", { body: pkg, token: TOKEN });
      if (deployed.status !== 200)
        throw new Error(`deploy: ${deployed.status} ${JSON.stringify(deployed.body)}`);
      await new Promise((r) => setTimeout(r, MEASURE_S * 1000));
      const status = await api<{ execution_count: number }>(base, "/api/execution/status", { token: TOKEN });
      const good = await api<{ values: { quality: string }[] }>(base, "/api/points/read", {
        body: { points: refs.slice(0, 40) },
        token: TOKEN,
      });
      results[kind]!.scans = status.body.execution_count;
      results[kind]!.good_of_40_sampled = good.body.values.filter((v) => v.quality === "good").length;
      results[kind]!.rss_mb_polling_2000_points = rssBytes(proc.child.pid!) / 1e6;
      const metrics = await api<{ memory: { heap_used_bytes: number } }>(base, "/api/monitoring/metrics", {
        token: TOKEN,
      });
      results[kind]!.heap_used_mb = metrics.body.memory.heap_used_bytes / 1e6;
      // Start-up, deploy and the measured polling together.
      results[kind]!.cpu_s = cpuSeconds(proc.child.pid!);
    } finally {
      await proc.stop();
    }
    console.log(kind, results[kind]);
  }
} finally {
  await sim.stop();
}

const out = {
  machine: { cpus: (await import("node:os")).cpus().length, node: process.version },
  setup: {
    devices: DEVICES,
    points: refs.length,
    interval_ms: 1000,
    measure_seconds: MEASURE_S,
    startup_runs: 5,
  },
  goals: { bundle_startup_ms: 1000, bundle_rss_mb_polling_2000_points: 120 },
  ...results,
};
writeFileSync(join(REPO_ROOT, "bench/results/bundle.json"), `${JSON.stringify(out, null, 2)}\n`);
writeSummary({
  bundle_startup_ms: results.bundle!.startup_ms!,
  bundle_rss_mb_2000_points: results.bundle!.rss_mb_polling_2000_points!,
});
const f = (v: number | undefined) => (v ?? 0).toFixed(0);
writeSection({
  bench: "bundle",
  title: "Release bundle: start-up and RSS (issue 17)",
  charts: [
    {
      file: "bundle-startup.svg",
      title: "Start-up to listening (median of 5)",
      unit: "ms",
      bars: [
        { label: "bundle (node)", value: results.bundle!.startup_ms!, role: "ours" },
        { label: "sources (tsx)", value: results.tsx!.startup_ms!, role: "baseline" },
      ],
      goal: { value: 1000, label: "goal 1 s" },
    },
    {
      file: "bundle-rss.svg",
      title: "RSS polling 2,000 points at 1 s",
      unit: "MB",
      bars: [
        { label: "bundle (node)", value: results.bundle!.rss_mb_polling_2000_points!, role: "ours" },
        { label: "sources (tsx)", value: results.tsx!.rss_mb_polling_2000_points!, role: "baseline" },
      ],
      goal: { value: 120, label: "goal 120 MB" },
    },
  ],
  lines: [
    `- Start-up (spawn → listening, fresh data dir, median of 5): bundle ${f(results.bundle!.startup_ms)} ms, tsx ${f(results.tsx!.startup_ms)} ms (goal < 1,000 ms).`,
    `- RSS polling ${refs.length} points (${DEVICES} simulated devices) at 1 s after ${MEASURE_S} s: bundle ${f(results.bundle!.rss_mb_polling_2000_points)} MB, tsx ${f(results.tsx!.rss_mb_polling_2000_points)} MB (goal < 120 MB).`,
    `- Scans in that time: bundle ${f(results.bundle!.scans)}, tsx ${f(results.tsx!.scans)}; good quality in a 40-point sample: ${f(results.bundle!.good_of_40_sampled)} / ${f(results.tsx!.good_of_40_sampled)}.`,
  ],
});
