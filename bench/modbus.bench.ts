// Modbus benchmark (issue 13), run by `pnpm bench modbus`. In one run, against one simulator's Modbus
// face (the demo plant's meter and two pump VFDs, 17 points in 9 requests per round):
//  - raw: a modbus-serial client issuing those 9 requests back to back, one at a time, forever;
//  - plugin: the supervisor's Modbus plugin read path (ModbusPointIO.read on the 17 refs: parse, resolve
//    profiles, group into blocks, queue, decode with scale and types), the path the flow engine calls;
// alternated twice. The ratio plugin/raw is the figure (goal >= 0.8): the machine's speed cancels out.
// Results: bench/results/modbus.json.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, startSimulator } from "@bms/test-support";
import ModbusRTU from "modbus-serial";
import { createModbusPointIO } from "../apps/supervisor/src/protocols/modbus";

const SIM_BIND = "127.0.41.60";
const BACNET_PORT = 47835;
const MODBUS = { host: "127.0.41.50", port: 15030 };
const MEASURE_S = Number(process.env.BENCH_SECONDS ?? 5);

const meter = `modbus:${MODBUS.host}:${MODBUS.port}:1`;
const vfd = (unit: number) => `modbus:${MODBUS.host}:${MODBUS.port}:${unit}`;
const REFS = [
  ...[0, 2, 4, 5, 6].map((a) => `${meter}/input_register:${a}`),
  ...[11, 12].flatMap((u) => [
    `${vfd(u)}/coil:0`,
    `${vfd(u)}/discrete_input:0`,
    `${vfd(u)}/discrete_input:1`,
    `${vfd(u)}/holding_register:0`,
    `${vfd(u)}/input_register:0`,
    `${vfd(u)}/input_register:1`,
  ]),
];

type Client = InstanceType<typeof ModbusRTU>;

function call<T>(fn: (done: (err: unknown, result: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result))));
}

/** The same requests the plugin's block grouping makes, counted in points as the plugin counts them. */
async function rawRound(client: Client): Promise<number> {
  let points = 0;
  const ir = await call<{ data: number[] }>((d) => client.writeFC4(1, 0, 8, d));
  if (ir.data.length === 8) points += 5;
  for (const unit of [11, 12]) {
    await call((d) => client.writeFC1(unit, 0, 1, d));
    await call((d) => client.writeFC2(unit, 0, 2, d));
    await call((d) => client.writeFC3(unit, 0, 1, d));
    await call((d) => client.writeFC4(unit, 0, 2, d));
    points += 6;
  }
  return points;
}

async function measureRaw(seconds: number): Promise<number> {
  const client = new ModbusRTU();
  client.setTimeout(1000);
  await client.connectTCP(MODBUS.host, { port: MODBUS.port });
  for (let i = 0; i < 50; i++) await rawRound(client);
  let points = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) points += await rawRound(client);
  const elapsed = (performance.now() - started) / 1000;
  await new Promise<void>((resolve) => client.close(() => resolve()));
  return points / elapsed;
}

async function measurePlugin(seconds: number): Promise<number> {
  const plugin = createModbusPointIO({
    config: {
      devices: [
        { ...MODBUS, unit: 1, profile: "bms-sim-meter" },
        { ...MODBUS, unit: 11, profile: "bms-sim-vfd" },
        { ...MODBUS, unit: 12, profile: "bms-sim-vfd" },
      ],
    },
    now: Date.now,
    logger: { info: () => {}, warn: () => {} },
  });
  await plugin.start();
  for (let i = 0; i < 50; i++) await plugin.read(REFS);
  let points = 0;
  let bad = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    const readings = await plugin.read(REFS);
    for (const r of readings) {
      if (r.quality === "good") points++;
      else bad++;
    }
  }
  const elapsed = (performance.now() - started) / 1000;
  await plugin.shutdown();
  if (bad > 0) throw new Error(`${bad} bad readings during the plugin run`);
  return points / elapsed;
}

async function main(): Promise<void> {
  const sim = await startSimulator({
    site: "demo",
    bind: SIM_BIND,
    port: BACNET_PORT,
    extraArgs: ["--modbus-port", String(MODBUS.port), "--modbus-bind", MODBUS.host],
  });
  try {
    const raw: number[] = [];
    const plugin: number[] = [];
    for (let round = 0; round < 2; round++) {
      raw.push(await measureRaw(MEASURE_S));
      plugin.push(await measurePlugin(MEASURE_S));
    }
    const best = (xs: number[]) => Math.max(...xs);
    const ratio = best(plugin) / best(raw);
    const results = {
      measured_at: new Date().toISOString(),
      path: "plugin read path (ModbusPointIO.read), not yet through a deployed flow",
      points_per_round: REFS.length,
      requests_per_round: 9,
      seconds_per_run: MEASURE_S,
      raw_points_per_s: raw.map(Math.round),
      plugin_points_per_s: plugin.map(Math.round),
      ratio: Number(ratio.toFixed(3)),
      goal: 0.8,
    };
    writeFileSync(join(REPO_ROOT, "bench/results/modbus.json"), `${JSON.stringify(results, null, 2)}\n`);
    console.log(
      `modbus: raw ${raw.map(Math.round).join(", ")} points/s; plugin ${plugin.map(Math.round).join(", ")} points/s; ratio ${ratio.toFixed(3)} (goal >= 0.8)`,
    );
  } finally {
    await sim.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
