// MQTT benchmark (issue 13), run by `pnpm bench mqtt`: messages per second from a real mosquitto
// through the supervisor's MQTT plugin (decode, JSON path, subscribe push) into its history
// (HistoryRecorder on a TimeseriesRepo in a real SQLite file, flushed once a second as the supervisor
// does). A publisher in another process sends QoS 0 JSON to 1,000 topics, in two phases:
//  1. sustained: paced at the goal, 10,000 msg/s, with this process's memory sampled every second
//     (flat: the heap retained after a full GC in the second half of the phase is no more than in the
//     first half + 10 %; RSS is reported too, but V8 grows it lazily under a high allocation rate and
//     returns it late, so it shows garbage, not retention);
//  2. flood: as fast as the publisher can, for the ceiling (QoS 0: the broker drops what we cannot take).
// Results: bench/results/mqtt.json. BENCH_SECONDS sets each phase's length (default 20).

import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { REPO_ROOT, startMosquitto, startProcess, tempDir, tsxArgs } from "@bms/test-support";
import { DEFAULT_HISTORY_MAX_MB, HistoryRecorder } from "../apps/supervisor/src/engine/history-recorder";
import { createMqttPointIO } from "../apps/supervisor/src/protocols/mqtt";
import { openDatabase } from "../apps/supervisor/src/storage/database";
import { TimeseriesRepo } from "../apps/supervisor/src/storage/timeseries-repo";

// A full GC before each memory sample, so the heap figure is what is retained. (The standard way to
// reach gc() without a command-line flag; bench code only, no user input comes near it.)
setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

const HOST = "127.0.42.9";
const PORT = 18839;
const TOPICS = 1_000;
const GOAL = 10_000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);

const broker = await startMosquitto({ host: HOST, port: PORT });
const dataDir = tempDir("bench-mqtt");
const db = openDatabase(dataDir);
const repo = new TimeseriesRepo(db);
// Every message is a sample: no minimum interval, so history sees the full rate.
const history = new HistoryRecorder(repo, {
  minIntervalMs: 0,
  maxIntervalMs: 60_000,
  retentionMs: 3_600_000,
  maxBytes: DEFAULT_HISTORY_MAX_MB * 1_000_000,
});
history.start();

const plugin = createMqttPointIO(
  {
    config: { url: broker.url, subscribe: ["bench/sensor/#"], max_topics: TOPICS * 2 },
    logger: { info: () => undefined, warn: (m) => console.warn(m) },
    now: () => Date.now(),
    dataDir,
  },
  {},
);
await plugin.start();
const refs = Array.from({ length: TOPICS }, (_, i) => `mqtt:bench/sensor/${i}#t`);
plugin.subscribe(refs, (changes) => {
  for (const c of changes) {
    const v = c.reading.value;
    history.record(c.ref, Array.isArray(v) ? null : v, c.reading.quality, c.reading.timestamp);
  }
});
await new Promise((r) => setTimeout(r, 500));

const messages = () => Number(plugin.health().detail?.messages ?? 0);
const rows = () => Number((db.prepare("SELECT count(*) AS n FROM samples").get() as { n: number }).n);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const round1 = (x: number) => Math.round(x * 10) / 10;

async function phase(name: string, rate: number) {
  const before = { messages: messages(), rows: rows() };
  const memory: { t: number; rss_mb: number; heap_retained_mb: number; received: number }[] = [];
  const t0 = Date.now();
  const sampler = setInterval(() => {
    collect();
    const m = process.memoryUsage();
    memory.push({
      t: Math.round((Date.now() - t0) / 1000),
      rss_mb: round1(m.rss / 1e6),
      heap_retained_mb: round1(m.heapUsed / 1e6),
      received: messages() - before.messages,
    });
  }, 1_000);
  const [cmd, args] = tsxArgs("apps/supervisor/test/mqtt-flood-publisher.ts", [
    broker.url,
    String(TOPICS),
    String(SECONDS),
    String(rate),
  ]);
  const publisher = await startProcess(cmd, args, {
    name: "publisher",
    ready: /publisher connected/,
    cwd: REPO_ROOT,
  });
  const started = Date.now();
  const published = Number((await publisher.waitFor(/published (\d+)/, (SECONDS + 60) * 1000))[1]);
  const publishedAt = Date.now();
  // The messages still in flight (broker and socket buffers) arrive, then history is flushed.
  let last = -1;
  while (messages() !== last) {
    last = messages();
    await new Promise((r) => setTimeout(r, 300));
  }
  clearInterval(sampler);
  await publisher.stop();
  history.flush();
  const received = messages() - before.messages;
  const elapsed = (publishedAt - started) / 1000;
  // The first two seconds are warm-up (JIT, SQLite cache, the broker's queues filling).
  const halves = (xs: number[]) => {
    const steady = xs.slice(2);
    const half = Math.floor(steady.length / 2);
    return [mean(steady.slice(0, half)), mean(steady.slice(half))] as const;
  };
  const [firstHeap, secondHeap] = halves(memory.map((m) => m.heap_retained_mb));
  const [firstRss, secondRss] = halves(memory.map((m) => m.rss_mb));
  return {
    phase: name,
    rate_asked: rate || "flood",
    seconds: round1(elapsed),
    published,
    received,
    dropped_by_broker: published - received,
    history_rows: rows() - before.rows,
    received_per_s: Math.round(received / elapsed),
    heap_retained_mb_first_half_mean: round1(firstHeap),
    heap_retained_mb_second_half_mean: round1(secondHeap),
    rss_mb_first_half_mean: round1(firstRss),
    rss_mb_second_half_mean: round1(secondRss),
    memory_flat: secondHeap <= firstHeap * 1.1,
    memory,
  };
}

const sustained = await phase("sustained", GOAL);
const flood = await phase("flood", 0);
history.stop();
await plugin.shutdown();
await broker.stop();
db.close();

const result = {
  benchmark: "mqtt",
  date: new Date().toISOString(),
  node: process.version,
  cores: cpus().length,
  topics: TOPICS,
  goal_per_s: GOAL,
  meets_goal:
    sustained.dropped_by_broker === 0 && sustained.received_per_s >= GOAL * 0.98 && sustained.memory_flat,
  sustained,
  flood,
  note:
    "Publisher (mqtt.js, QoS 0) in its own process; broker, publisher and this process share the machine. " +
    "history_rows counts rows written to SQLite; two messages of one topic in the same millisecond share a row " +
    "(samples are keyed by point and ms). In the flood the broker drops QoS 0 messages this side cannot take.",
};
writeFileSync(join(REPO_ROOT, "bench/results/mqtt.json"), `${JSON.stringify(result, null, 2)}\n`);
const summary = (p: typeof sustained) => {
  const { memory: _memory, ...rest } = p;
  return rest;
};
console.log(JSON.stringify({ ...result, sustained: summary(sustained), flood: summary(flood) }, null, 2));
process.exit(0);
