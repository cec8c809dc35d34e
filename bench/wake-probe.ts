// What waking after a scan's idle costs a BACnet client, and whether the way the client wakes changes it
// (issue 15, session 9; not one of `pnpm bench`'s). One simulator (50 devices x 40 points) and one raw
// @bacnet-js/client in this process; rounds of 50 RPMs (every device, all awaited), in each CPU topology
// of bench/cpu-pinning.ts, interleaved. Ways to start a round:
//  - back_to_back: the next round as soon as the last ended (never idle: the raw loop of the ratio);
//  - timer: one round per 100 ms tick, sent from the timer callback (the paced raw loop);
//  - timer_immediate: the same, sent from a setImmediate queued by the callback (as SharedReads flushes);
//  - prewake_spin: a timer PREWAKE_MS before the tick, then a busy wait until the tick, then sent: the CPU
//    is awake and the code and data are touched before the round starts;
//  - prewake_idle: a timer PREWAKE_MS before the tick, then a second timer at the tick (two wake-ups).
// Per way: the round's time (first send to last answer), the delay from the tick to the first send, and
// this process's and the simulator's CPU per round (schedstat). Run under the bench lock:
// WAKE_NET=127.0.104 WAKE_PORT=47990 flock /tmp/bms-bench.lock pnpm exec tsx bench/wake-probe.ts
import { readFileSync } from "node:fs";
import bacnetModule, { type BACNetObjectID, type BACNetReadAccessSpecification } from "@bacnet-js/client";
import { startSimulator } from "@bms/test-support";
import { applyTopology, cpuPlan, type Topology } from "./cpu-pinning";

const BACnetClient: typeof bacnetModule =
  (bacnetModule as unknown as { default?: typeof bacnetModule }).default ?? bacnetModule;

const NET = process.env.WAKE_NET ?? "127.0.104";
const SIM_PORT = Number(process.env.WAKE_PORT ?? 47990);
const DEVICES = 50;
const ROUNDS = Number(process.env.WAKE_ROUNDS ?? 5);
/** Rounds of 50 RPMs per way per window. */
const PER_WINDOW = Number(process.env.WAKE_PER_WINDOW ?? 20);
const PERIOD_MS = 100;
const PREWAKE_MS = Number(process.env.WAKE_PREWAKE_MS ?? 2);
const WAYS = ["back_to_back", "timer", "timer_immediate", "prewake_spin", "prewake_idle"] as const;
type Way = (typeof WAYS)[number];

const cpuNs = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? 0;

const specs: BACNetReadAccessSpecification[] = [];
for (const type of [0, 2, 3, 4])
  for (let instance = 1; instance <= 10; instance++)
    specs.push({
      objectId: { type, instance } as BACNetObjectID,
      properties: [{ id: 85, index: 0xffffffff }] as BACNetReadAccessSpecification["properties"],
    });

async function main() {
  const plan = cpuPlan();
  const topologies: Topology[] = "skip" in plan ? ["shared_cpus"] : ["shared_cpus", "device_own_cpu"];
  if ("skip" in plan) console.log(`device-on-own-CPU topology skipped: ${plan.skip}`);
  const sim = await startSimulator({ bind: `${NET}.1`, port: SIM_PORT, devices: DEVICES });
  const simPid = sim.child.pid!;
  const client = new BACnetClient({
    port: SIM_PORT + 1,
    interface: `${NET}.250`,
    broadcastAddress: "127.255.255.255",
    apduTimeout: 2000,
  });
  await new Promise<void>((resolve) => client.once("listening", () => resolve()));
  const round = async () => {
    let points = 0;
    await Promise.all(
      Array.from({ length: DEVICES }, async (_, d) => {
        const a = await client.readPropertyMultiple({ address: `${NET}.${1 + d}:${SIM_PORT}` }, specs);
        points += a.values.length;
      }),
    );
    if (points !== DEVICES * specs.length) throw new Error(`a round read ${points} points`);
  };
  const at = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms - Date.now())));
  const nextTick = () => (Math.floor(Date.now() / PERIOD_MS) + 1) * PERIOD_MS;

  /** One window of PER_WINDOW rounds started `way`: medians of round ms, tick-to-send ms, CPU ms a round. */
  async function window(way: Way) {
    const roundMs: number[] = [];
    const delayMs: number[] = [];
    const cpu0 = cpuNs(process.pid);
    const sim0 = cpuNs(simPid);
    for (let i = 0; i < PER_WINDOW; i++) {
      let tick = performance.timeOrigin + performance.now();
      if (way !== "back_to_back") {
        const due = nextTick();
        if (way === "prewake_spin" || way === "prewake_idle") {
          await at(due - PREWAKE_MS);
          if (way === "prewake_spin") while (Date.now() < due) {}
          else await at(due);
        } else {
          await at(due);
          if (way === "timer_immediate") await new Promise<void>((r) => setImmediate(r));
        }
        tick = due;
      }
      const started = performance.timeOrigin + performance.now();
      await round();
      roundMs.push(performance.timeOrigin + performance.now() - started);
      delayMs.push(started - tick);
    }
    return {
      round: median(roundMs),
      delay: median(delayMs),
      cpu: (cpuNs(process.pid) - cpu0) / 1e6 / PER_WINDOW,
      sim: (cpuNs(simPid) - sim0) / 1e6 / PER_WINDOW,
    };
  }

  const results: Record<string, { round: number[]; delay: number[]; cpu: number[]; sim: number[] }> = {};
  try {
    for (let i = 0; i < 20; i++) await round(); // warm
    for (let r = 0; r < ROUNDS; r++) {
      for (const topology of r % 2 === 0 ? topologies : [...topologies].reverse()) {
        if (!("skip" in plan)) applyTopology(plan, topology, { device: simPid, clients: [process.pid] });
        const ways = r % 2 === 0 ? WAYS : [...WAYS].reverse();
        for (const way of ways) {
          const w = await window(way);
          const key = `${topology} ${way}`;
          results[key] ??= { round: [], delay: [], cpu: [], sim: [] };
          results[key].round.push(w.round);
          results[key].delay.push(w.delay);
          results[key].cpu.push(w.cpu);
          results[key].sim.push(w.sim);
        }
        if (!("skip" in plan)) applyTopology(plan, "shared_cpus", { device: simPid, clients: [process.pid] });
      }
      console.log(`round ${r + 1} done, load ${readFileSync("/proc/loadavg", "utf8").trim()}`);
    }
  } finally {
    client.close();
    await sim.stop();
  }
  const f = (v: number[]) =>
    `${median(v).toFixed(2)} (${Math.min(...v).toFixed(2)}-${Math.max(...v).toFixed(2)})`;
  console.log(
    "topology way: round ms | tick to first send ms | client CPU ms a round | simulator CPU ms a round",
  );
  for (const [key, v] of Object.entries(results))
    console.log(`${key}: ${f(v.round)} | ${f(v.delay)} | ${f(v.cpu)} | ${f(v.sim)}`);
}

await main();
