// A/B of the scan pipeline between two checkouts (not one of `pnpm bench`'s): one simulator on
// 127.0.82.0/24, two supervisors (A_ROOT, B_ROOT, e.g. a `git worktree add --detach` of main and your
// branch), the 2,000-point sensor flow at 100 ms, AB_ROUNDS interleaved windows of AB_SECONDS each side,
// each beside a raw RPM round of the same length. Per window: cycle from each scan's own record and
// main-thread CPU a scan (schedstat, nanoseconds), which is the steadier figure on a loaded machine.
// AB_PROF=dir (AB_PROF_ONLY=A|B) writes a --cpu-prof of the supervisors; AB_NET (a loopback /24) and AB_PORT move it.
// AB_TOPOLOGY=device_own_cpu gives the simulator one CPU and this process and both supervisors the other
// for the whole run (bench/cpu-pinning.ts; the default, shared_cpus, leaves them all on every CPU). Run it under the bench lock:
// A_ROOT=/tmp/base B_ROOT=$PWD flock /tmp/bms-bench.lock pnpm exec tsx bench/scan-ab.ts
// BMS_CHILD_NODE_ARGS reaches the simulator too: --cpu-prof-interval there stops it (it needs --cpu-prof).
// 2026-12-02 12:05-12:55 (session 9, scan-columns), per-point state in columns. Profile of main 7945c70
// (AB_PROF, 1 ms sampling, the 2,000-point flow at 100 ms, steady state after the first 20 s, load 5-8,
// 1,632 busy samples over 237 scans): the RPM walk and decode 26 % of the busy main-thread CPU
// (decodeValueRead 15.6 % self: per point it touched the ref, its plan and the cached Checked result,
// three objects spread over the heap; visitRpmAck 7.9 %), GC 12.7 %, dgram send 11.6 %, the flow
// runtime's scanOnce 5.4 %, SharedReads readEach and its delivery 4.2 % (an Entry object per ref). Done:
// SharedReads keeps each ref's read state in typed columns by slot (a flow's list is its slots); the
// BACnet chunk plan holds by place what the answer must name and the last tag, raw value and checked
// value, and the walk decodes from them; the points of one reply reading the same boolean or null share
// one reading. Not done, and why: a reading object per point per scan stays, because it is what the flow
// keeps (the sensor read's output in the runtime's value array, run records, last-read values); moving
// it out means the runtime's value slots as columns, in packages/nodes, beyond this change. Profile of
// this branch 2dc1779 (same run shape, load 5-7, 1,590 busy samples over 235 scans): decode 13 %
// (decodeInPlace 8.2 %, the walk 4.8 %), readEach 1.6 %; GC 21.6 %, but 220 of its 344 samples were two
// bursts 68-70 s in (166 and 54 ms; main's profile had none over 9 ms; whether they fell in a window or
// between windows was not checked); without them 5.8 busy samples a scan against main's 6.9 (-16 %). Same-run A/B, main vs 2dc1779: 8 pairs at load
// 7-8 (e2e and builds beside it): main-thread CPU a scan B/A median 0.928 (rounds 0.67-1.18), cycle B/A
// 0.913; 10 pairs at load 7.2 falling to 2.6: CPU a scan 9.78 vs 9.37 ms, B/A median 0.955 (0.65-1.31),
// cycle B/A 0.954 (0.57-2.05), ratio to raw 0.763 -> 0.817; main vs a7b8a0c (same code), 10 pairs at
// load 6.9 falling to 2.2: CPU a scan 9.01 vs 8.49 ms, B/A median 0.976 (0.71-1.50), cycle B/A 0.989,
// ratio to raw 0.774 -> 0.731. The 28 pairs together: CPU a scan B/A median 0.945 (19 of 28 below 1),
// cycle B/A 0.96 (17 of 28). So the profile's -16 % shows as ~5 % of the supervisor's own CPU a scan,
// about the spread of one shared-box run, and the cycle barely moves: columns were not the lever the
// ratio needed. What is left of a scan's CPU is dgram sends (as the raw loop pays), GC of the readings
// kept a scan (one object a point: the runtime's value slots), the runtime, and waking after idle. Full bench on 2dc1779 (12:45-12:51, load 3 rising
// to 9 with e2e runs beside it, the raw loop at 67k-147k points/s against ~307k idle): scan_ratio_to_raw
// 0.654 (rounds 0.484-1.001): not a figure of this change, the box was busy; an idle-box run is left.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import bacnetModule, { type BACNetObjectID, type BACNetReadAccessSpecification } from "@bacnet-js/client";
import { buildDeploymentPackage } from "@bms/schemas";
import { api, startProcess, startSimulator, tempDir } from "@bms/test-support";
import { applyTopology, cpuPlan, type Topology } from "./cpu-pinning";

/** The main thread's CPU time in seconds, to the nanosecond (schedstat's first field). */
function cpuSeconds(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]) / 1e9;
}

const BACnetClient: typeof bacnetModule =
  (bacnetModule as unknown as { default?: typeof bacnetModule }).default ?? bacnetModule;

const NET = process.env.AB_NET ?? "127.0.82";
const SIM_PORT = Number(process.env.AB_PORT ?? 47880);
const DEVICES = 50;
const ROUNDS = Number(process.env.AB_ROUNDS ?? 6);
const WINDOW_S = Number(process.env.AB_SECONDS ?? 3);
const OBJECTS: string[] = [];
for (const name of ["analogInput", "analogValue", "binaryInput", "binaryOutput"])
  for (let i = 1; i <= 10; i++) OBJECTS.push(`${name}:${i}`);
const refs = Array.from({ length: DEVICES }, (_, d) =>
  OBJECTS.map((o) => `bacnet:${10001 + d}/${o}.presentValue`),
).flat();

function pkg(interval: number) {
  return buildDeploymentPackage({
    project_id: "ab",
    project_name: "AB",
    created_at: new Date().toISOString(),
    configuration: {
      metadata: {
        flow_id: randomUUID(),
        flow_name: "ab",
        version: "1.0.0",
        generated_at: new Date().toISOString(),
      },
      execution: {
        trigger: { type: "interval", interval_ms: interval },
        error_handling: { retry_count: 0, timeout_ms: 2000, on_failure: "continue" },
      },
      nodes: refs.map((point, i) => ({ id: `p${i}`, type: "sensor_read", config: { point } })),
      connections: [],
    },
  });
}

async function supervisor(root: string, port: number, label: string) {
  const token = "ab-token-0123456789abcdef";
  const extra = process.env.BMS_CHILD_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const profDir =
    process.env.AB_PROF && (process.env.AB_PROF_ONLY ?? label) === label
      ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.AB_PROF}/${label}`]
      : [];
  const proc = await startProcess(
    process.execPath,
    [
      ...extra,
      ...profDir,
      "--import",
      "tsx",
      join(root, "apps/supervisor/src/cli.ts"),
      "all",
      "--http-port",
      "0",
      "--http-host",
      "127.0.0.1",
      "--data-dir",
      tempDir(`ab-${label}`),
      "--bacnet-bind",
      `${NET}.250`,
      "--bacnet-port",
      String(port),
      "--broadcast",
      `127.255.255.255:${SIM_PORT}`,
      "--log-level",
      "warn",
      "--public-read",
    ],
    {
      name: `supervisor ${label}`,
      cwd: join(root, "apps/supervisor"),
      env: { BMS_SUPERVISOR_TOKEN: token },
      ready: /bms-supervisor listening (https?:\/\/\S+)/,
    },
  );
  const url = proc.output().match(/bms-supervisor listening (https?:\/\/\S+)/)?.[1] ?? "";
  await api(url, "/api/devices/discover?wait=true", { body: { timeout_ms: 2000 }, token });
  await api(url, "/api/config/deploy", { body: pkg(100), token });
  return { proc, url, token, label };
}

type Sup = Awaited<ReturnType<typeof supervisor>>;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? 0;

async function rawRounds(seconds: number, simPid: number) {
  const client = new BACnetClient({
    port: SIM_PORT + 1,
    interface: `${NET}.250`,
    broadcastAddress: "127.255.255.255",
    apduTimeout: 2000,
  });
  await new Promise<void>((resolve) => client.once("listening", () => resolve()));
  const types: Record<string, number> = { analogInput: 0, analogValue: 2, binaryInput: 3, binaryOutput: 4 };
  const specs = OBJECTS.map((o) => {
    const [t, i] = o.split(":");
    return {
      objectId: { type: types[t!]!, instance: Number(i) } as BACNetObjectID,
      properties: [{ id: 85, index: 0xffffffff }] as BACNetReadAccessSpecification["properties"],
    };
  });
  let points = 0;
  let rounds = 0;
  const cpu0 = cpuSeconds(process.pid);
  const sim0 = cpuSeconds(simPid);
  const started = performance.now();
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    await Promise.all(
      Array.from({ length: DEVICES }, async (_, d) => {
        const a = await client.readPropertyMultiple({ address: `${NET}.${1 + d}:${SIM_PORT}` }, specs);
        points += a.values.length;
      }),
    );
    rounds++;
  }
  const elapsed = (performance.now() - started) / 1000;
  client.close();
  return {
    rate: points / elapsed,
    roundMs: (elapsed * 1000) / rounds,
    cpuMs: ((cpuSeconds(process.pid) - cpu0) * 1000) / rounds,
    simMs: ((cpuSeconds(simPid) - sim0) * 1000) / rounds,
  };
}

let simPid = 0;
async function window(s: Sup) {
  await api(s.url, "/api/execution/start", { method: "POST", token: s.token });
  await new Promise((r) => setTimeout(r, 700));
  const from = Date.now();
  const cpu0 = cpuSeconds(s.proc.child.pid!);
  const sim0 = cpuSeconds(simPid);
  await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
  const cpu = cpuSeconds(s.proc.child.pid!) - cpu0;
  const simCpu = cpuSeconds(simPid) - sim0;
  const { body } = await api<{
    recent_scans: { started_at: number; cycle_ms: number; read_ms: number; reads: number; good: number }[];
  }>(s.url, "/api/execution/status");
  await api(s.url, "/api/execution/stop", { method: "POST", token: s.token });
  const scans = body.recent_scans.filter((x) => x.started_at >= from);
  const cycles = scans.reduce((n, x) => n + x.cycle_ms, 0);
  const reads = scans.reduce((n, x) => n + x.reads, 0);
  const good = scans.reduce((n, x) => n + x.good, 0);
  return {
    mean: cycles / Math.max(1, scans.length),
    median: median(scans.map((x) => x.cycle_ms)),
    read: median(scans.map((x) => x.read_ms)),
    scans: scans.length,
    good: good / Math.max(1, reads),
    cpuMs: (cpu * 1000) / Math.max(1, scans.length),
    simMs: (simCpu * 1000) / Math.max(1, scans.length),
    rate: reads / (cycles / 1000),
  };
}

async function main() {
  const sim = await startSimulator({ bind: `${NET}.1`, port: SIM_PORT, devices: DEVICES });
  simPid = sim.child.pid!;
  const a = await supervisor(process.env.A_ROOT!, SIM_PORT + 2, "A");
  const b = await supervisor(process.env.B_ROOT!, SIM_PORT + 3, "B");
  for (const s of [a, b]) await api(s.url, "/api/execution/stop", { method: "POST", token: s.token });
  const topology = (process.env.AB_TOPOLOGY ?? "shared_cpus") as Topology;
  if (topology === "device_own_cpu") {
    const plan = cpuPlan();
    if ("skip" in plan)
      console.log(`AB_TOPOLOGY=device_own_cpu skipped (all processes share the CPUs): ${plan.skip}`);
    else {
      applyTopology(plan, topology, {
        device: simPid,
        clients: [process.pid, a.proc.child.pid!, b.proc.child.pid!],
      });
      console.log(
        `simulator on CPU ${plan.device}; this process and both supervisors on CPU ${plan.clients}`,
      );
    }
  } else if (topology !== "shared_cpus")
    throw new Error(`AB_TOPOLOGY: ${topology} is not shared_cpus or device_own_cpu`);
  const res: Record<string, number[]> = { A: [], B: [] };
  const ratio: Record<string, number[]> = { A: [], B: [] };
  const cpus: Record<string, number[]> = { A: [], B: [] };
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? [a, b] : [b, a];
      for (const s of order) {
        const raw = await rawRounds(2, simPid);
        const w = await window(s);
        res[s.label]!.push(w.mean);
        ratio[s.label]!.push(w.rate / raw.rate);
        cpus[s.label]!.push(w.cpuMs);
        console.log(
          `round ${r + 1} raw: round ${raw.roundMs.toFixed(2)} ms, client cpu ${raw.cpuMs.toFixed(2)} ms, sim cpu ${raw.simMs.toFixed(2)} ms`,
        );
        console.log(
          `round ${r + 1} ${s.label}: cycle mean ${w.mean.toFixed(2)} median ${w.median.toFixed(2)} read ${w.read.toFixed(2)} cpu/scan ${w.cpuMs.toFixed(2)} sim ${w.simMs.toFixed(2)} (${w.scans} scans, good ${w.good.toFixed(3)}) ratio ${(w.rate / raw.rate).toFixed(3)} load ${readFileSync("/proc/loadavg", "utf8").split(" ")[0]}`,
        );
      }
    }
    const ratios = res.B!.map((bv, i) => bv / res.A![i]!);
    const cpuRatios = cpus.B!.map((bv, i) => bv / cpus.A![i]!);
    console.log(
      `main-thread cpu/scan A median ${median(cpus.A!).toFixed(2)} ms, B ${median(cpus.B!).toFixed(2)} ms; B/A ${cpuRatios.map((x) => x.toFixed(2)).join(" ")} median ${median(cpuRatios).toFixed(3)}`,
    );
    console.log(
      `A median ${median(res.A!).toFixed(2)} ms, B median ${median(res.B!).toFixed(2)} ms; B/A per round ${ratios.map((x) => x.toFixed(2)).join(" ")} median ${median(ratios).toFixed(3)}; ratio to raw A ${median(ratio.A!).toFixed(3)} B ${median(ratio.B!).toFixed(3)}`,
    );
  } finally {
    await a.proc.stop();
    await b.proc.stop();
    await sim.stop();
  }
}

await main();
