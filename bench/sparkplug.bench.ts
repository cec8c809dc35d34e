// Sparkplug B benchmark (issue 17), run by `pnpm bench sparkplug`. Measures, on this machine, with a real
// mosquitto and a real PostgreSQL 15:
//  1. points/s one supervisor's edge node publishes: the real SparkplugEdgeNode (record -> DDATA encode ->
//     MQTT) fed 2,000 changing points as fast as it takes them, counted again at a subscriber that decodes;
//  2. points/s the fleet service (the real bms-fleet process) ingests into PostgreSQL: N edge nodes' births,
//     then DDATA offered at increasing paced rates; each run is timed until its last row is committed, and
//     any row that never lands counts as lost (a broker queue overflowing, or the consumer falling behind).
//  3. the store-and-forward buffer alone (rows/s in and out, bytes per row on disk).
// Goal: 20,000 points/s ingested on 2 cores. Results: bench/results/sparkplug.json.
import { statSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { decodePayload, deviceTopic, encodePayload, nodeTopic } from "@bms/sparkplug";
import { api, REPO_ROOT, startFleetService, startMosquitto, startPostgres, tempDir } from "@bms/test-support";
import mqtt from "mqtt";
import { CommandPolicy } from "../apps/supervisor/src/northbound/sparkplug-commands";
import { SparkplugEdgeNode } from "../apps/supervisor/src/northbound/sparkplug-edge-node";
import { StoreAndForward } from "../apps/supervisor/src/northbound/store-and-forward";

const HOST = "127.0.47.10";
const MQTT_PORT = 18860;
const PG_PORT = 25440;
const POINTS = 2000;
const PUBLISH_ROUNDS = Number(process.env.BENCH_SPARKPLUG_ROUNDS ?? 50);
const INGEST_NODES = Number(process.env.BENCH_INGEST_NODES ?? 20);
const INGEST_POINTS_PER_NODE = 500;
const INGEST_SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 8);
const RATES = (process.env.BENCH_INGEST_RATES ?? "20000,40000").split(",").map(Number);

/** The disk buffer alone: rows/s in and out, and bytes per row, which size the outage a bound covers. */
function storeAndForward() {
  const dir = tempDir("sparkplug-buffer-bench");
  const buffer = new StoreAndForward(dir, 10_000_000);
  const rows = 200_000;
  const start = performance.now();
  for (let k = 0; k < rows / 1000; k++)
    buffer.push(
      Array.from({ length: 1000 }, (_, i) => ({
        kind: "point" as const,
        ref: `bacnet:${10001 + (i % 50)}/analogInput:${i % 40}.presentValue`,
        value: 20 + i / 1000,
        quality: "good" as const,
        ts: Date.now(),
      })),
    );
  const pushS = (performance.now() - start) / 1000;
  buffer.close();
  const bytes = statSync(join(dir, "sparkplug-buffer.db")).size;
  const again = new StoreAndForward(dir, 10_000_000);
  const drainStart = performance.now();
  while (again.size > 0) again.remove(again.peek(500).at(-1)!.id);
  const drainS = (performance.now() - drainStart) / 1000;
  again.close();
  return {
    rows,
    push_rows_per_s: Math.round(rows / pushS),
    drain_rows_per_s: Math.round(rows / drainS),
    bytes_per_row: Math.round(bytes / rows),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function publisherRate(brokerUrl: string) {
  // A subscriber that decodes every DDATA, so "published" means the broker delivered decodable data.
  const sub = await mqtt.connectAsync(brokerUrl, { protocolVersion: 5 });
  let received = 0;
  sub.on("message", (_topic, bytes) => {
    const decoded = decodePayload(bytes);
    if (decoded.ok) received += decoded.payload.metrics.length;
  });
  await sub.subscribeAsync("spBv1.0/bench/DDATA/#", { qos: 0 });
  const buffer = new StoreAndForward(tempDir("sparkplug-bench"), 1_000_000);
  const policy = new CommandPolicy(
    { enabled: false, hostId: undefined, hostRole: "operator" },
    { flowHolder: () => undefined, write: async () => [], audit: () => undefined },
  );
  const node = new SparkplugEdgeNode(
    {
      broker: { url: brokerUrl },
      group: "bench",
      nodeId: "publisher",
      hostId: undefined,
      site: "bench",
      version: "bench",
      healthIntervalMs: 60_000,
      keepaliveSeconds: 30,
      batchSize: 500,
      replayPointsPerSecond: 2000,
    },
    buffer,
    policy,
    {
      health: () => ({
        status: "running",
        configVersion: 1,
        devicesOnline: 50,
        devicesOffline: 0,
        alarmsActive: 0,
      }),
      unitsOf: () => "degreesCelsius",
      deviceOnline: () => true,
      event: () => undefined,
    },
  );
  node.start();
  while (!node.status.publishing) await sleep(20);
  const refs = Array.from(
    { length: POINTS },
    (_, i) => `bacnet:${10001 + Math.floor(i / 40)}/analogValue:${i % 40}.presentValue`,
  );
  // Warm-up round: births for all 50 devices.
  let ts = Date.now();
  for (const ref of refs) node.record(ref, 20, "good", ts);
  while (node.status.published < POINTS) await sleep(10);
  const before = node.status.published;
  const receivedBefore = received;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let round = 0; round < PUBLISH_ROUNDS; round++) {
    ts += 1000;
    for (let i = 0; i < refs.length; i++)
      node.record(refs[i]!, 20 + ((round * 7 + i) % 100) / 10, "good", ts);
    // Let the socket drain as a scan loop would between scans.
    await new Promise((r) => setImmediate(r));
  }
  const total = PUBLISH_ROUNDS * POINTS;
  while (node.status.published - before < total) await sleep(5);
  const publishedS = (performance.now() - start) / 1000;
  const deadline = Date.now() + 30_000;
  while (received - receivedBefore < total && Date.now() < deadline) await sleep(20);
  const deliveredS = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  await node.stop();
  await sub.endAsync();
  return {
    points: total,
    published_points_per_s: Math.round(total / publishedS),
    delivered_points_per_s: Math.round((received - receivedBefore) / deliveredS),
    delivered: received - receivedBefore,
    publisher_process_cpu_s: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
    buffered_or_dropped: node.status.buffered + node.status.dropped,
  };
}

async function ingestRate(brokerUrl: string, pgUrl: string) {
  const fleet = await startFleetService({
    mqttUrl: brokerUrl,
    pgUrl,
    hostId: "bench-fleet",
    extraArgs: ["--group", "ingest"],
  });
  try {
    const pub = await mqtt.connectAsync(brokerUrl, { protocolVersion: 5 });
    // The fleet's retained STATE online says it has subscribed: births before that would be missed.
    await new Promise<void>((resolve) => {
      pub.on("message", (topic, bytes) => {
        if (topic === "spBv1.0/STATE/bench-fleet" && bytes.toString().includes('"online":true')) resolve();
      });
      void pub.subscribeAsync("spBv1.0/STATE/bench-fleet");
    });
    const refs = Array.from(
      { length: INGEST_POINTS_PER_NODE },
      (_, i) => `bacnet:${20001 + Math.floor(i / 50)}/analogInput:${i % 50}.presentValue`,
    );
    const devices = [...new Set(refs.map((r) => r.slice(0, r.indexOf("/"))))];
    const seqs = new Map<string, number>();
    const nextSeq = (node: string) => {
      const s = seqs.get(node) ?? 0;
      seqs.set(node, (s + 1) % 256);
      return s;
    };
    const t0 = Date.now() - 3_600_000;
    for (let n = 0; n < INGEST_NODES; n++) {
      const node = `site-${n}`;
      await pub.publishAsync(
        nodeTopic("ingest", "NBIRTH", node),
        Buffer.from(
          encodePayload({
            timestamp: Date.now(),
            seq: nextSeq(node),
            metrics: [
              { name: "bdSeq", type: "Int64", value: 0 },
              { name: "Properties/Site", type: "String", value: `Site ${n}` },
            ],
          }),
        ),
      );
      for (const device of devices) {
        await pub.publishAsync(
          deviceTopic("ingest", "DBIRTH", node, device),
          Buffer.from(
            encodePayload({
              timestamp: Date.now(),
              seq: nextSeq(node),
              metrics: refs
                .map((ref, i) => ({ ref, i }))
                .filter(({ ref }) => ref.startsWith(`${device}/`))
                .map(({ ref, i }) => ({
                  name: ref,
                  alias: i + 1,
                  timestamp: t0,
                  type: "Double" as const,
                  value: 0,
                })),
            }),
          ),
        );
      }
    }
    const initial = (await api<{ ingest: { written: number } }>(fleet.url, "/api/health")).body.ingest
      .written;
    const expectedBirthRows = INGEST_NODES * INGEST_POINTS_PER_NODE;
    const birthDeadline = Date.now() + 60_000;
    while (
      (await api<{ ingest: { written: number } }>(fleet.url, "/api/health")).body.ingest.written <
      initial + expectedBirthRows
    ) {
      if (Date.now() > birthDeadline)
        throw new Error("the fleet service did not store the births within 60 s");
      await sleep(100);
    }
    const written = async () =>
      (await api<{ ingest: { written: number } }>(fleet.url, "/api/health")).body.ingest.written;
    const runs = [];
    let tick = 0;
    for (const rate of RATES) {
      // Pre-encode so the bench's own encoding is not what is measured; paced in 100 ms ticks, the way many
      // supervisors' scans arrive, rather than one burst no broker queue is sized for.
      const perTick = Math.max(1, Math.round(rate / 10 / 50));
      const ticks = INGEST_SECONDS * 10;
      const messages: { topic: string; bytes: Buffer }[][] = [];
      let k = 0;
      for (let t = 0; t < ticks; t++) {
        const batch: { topic: string; bytes: Buffer }[] = [];
        tick++;
        for (let j = 0; j < perTick; j++, k++) {
          const node = `site-${k % INGEST_NODES}`;
          const device = devices[Math.floor(k / INGEST_NODES) % devices.length]!;
          const metrics = refs
            .map((ref, i) => ({ ref, i }))
            .filter(({ ref }) => ref.startsWith(`${device}/`))
            .map(({ i }) => ({
              alias: i + 1,
              timestamp: t0 + tick * 100 + j,
              type: "Double" as const,
              value: tick + i / 1000,
              properties: { Quality: { type: "Int32" as const, value: 192 } },
            }));
          batch.push({
            topic: deviceTopic("ingest", "DDATA", node, device),
            bytes: Buffer.from(encodePayload({ timestamp: Date.now(), seq: nextSeq(node), metrics })),
          });
        }
        messages.push(batch);
      }
      const total = messages.flat().length * 50;
      const base = await written();
      const start = performance.now();
      for (const [t, batch] of messages.entries()) {
        for (const msg of batch) pub.publish(msg.topic, msg.bytes, { qos: 0 });
        const due = start + (t + 1) * 100;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
      }
      const sentS = (performance.now() - start) / 1000;
      let done = (await written()) - base;
      let last = done;
      let lastChange = performance.now();
      // Until everything landed, or nothing moved for 10 s (what is missing then was dropped on the way).
      while (done < total && performance.now() - lastChange < 10_000) {
        await sleep(100);
        done = (await written()) - base;
        if (done !== last) {
          last = done;
          lastChange = performance.now();
        }
      }
      const ingestS = (lastChange - start) / 1000;
      runs.push({
        offered_points_per_s: Math.round(total / sentS),
        points: total,
        written: done,
        lost: total - done,
        seconds_offered: Number(sentS.toFixed(2)),
        lag_after_last_publish_s: Number(Math.max(0, ingestS - sentS).toFixed(2)),
        ingested_points_per_s: Math.round(done / Math.max(ingestS, sentS)),
      });
      console.log(runs.at(-1));
    }
    const health = (await api<{ ingest: Record<string, number> }>(fleet.url, "/api/health")).body.ingest;
    await pub.endAsync();
    const clean = runs.filter((r) => r.lost === 0);
    return {
      nodes: INGEST_NODES,
      points_per_node: INGEST_POINTS_PER_NODE,
      metrics_per_message: 50,
      runs,
      max_clean_ingested_points_per_s: Math.max(0, ...clean.map((r) => r.ingested_points_per_s)),
      goal_points_per_s: 20_000,
      malformed: health.malformed,
      unknown: health.unknown,
      seq_gaps: health.seqGaps,
    };
  } finally {
    await fleet.stop();
  }
}

const pg = await startPostgres({ host: HOST, port: PG_PORT });
const broker = await startMosquitto({ host: HOST, port: MQTT_PORT });
try {
  console.log("sparkplug bench: store-and-forward buffer");
  const buffer = storeAndForward();
  console.log(buffer);
  console.log("sparkplug bench: publisher");
  const publisher = await publisherRate(broker.url);
  console.log(publisher);
  console.log("sparkplug bench: fleet ingest into PostgreSQL");
  const ingest = await ingestRate(broker.url, pg.url);
  console.log(ingest);
  const results = {
    machine: { cpus: cpus().length, node: process.version },
    note: "mosquitto, PostgreSQL 15 (default durability: fsync on, synchronous_commit on), the publisher/bench and bms-fleet all share these cores",
    store_and_forward: buffer,
    publisher: { points_per_round: POINTS, rounds: PUBLISH_ROUNDS, ...publisher },
    ingest,
  };
  writeFileSync(join(REPO_ROOT, "bench/results/sparkplug.json"), `${JSON.stringify(results, null, 2)}\n`);
} finally {
  await broker.stop();
  await pg.stop();
}
