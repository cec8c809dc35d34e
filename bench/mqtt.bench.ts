// MQTT benchmark (issue 13), run by `pnpm bench mqtt`: messages per second from a real mosquitto
// through the supervisor's MQTT plugin (decode, JSON path) into its history (HistoryRecorder on a
// TimeseriesRepo in a real SQLite file, flushed once a second as the supervisor does), with this
// process's memory sampled every second to show it stays flat. A publisher in another process floods
// 1,000 topics with QoS 0 JSON. Goal: 10,000 msg/s on 2 cores. Results: bench/results/mqtt.json.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, startMosquitto, startProcess, tempDir, tsxArgs } from "@bms/test-support";
import { HistoryRecorder } from "../apps/supervisor/src/engine/history-recorder";
import { createMqttPointIO } from "../apps/supervisor/src/protocols/mqtt";
import { openDatabase } from "../apps/supervisor/src/storage/database";
import { TimeseriesRepo } from "../apps/supervisor/src/storage/timeseries-repo";

const HOST = "127.0.42.9";
const PORT = 18839;
const TOPICS = 1_000;
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
let recorded = 0;
plugin.subscribe(refs, (changes) => {
  for (const c of changes) {
    const v = c.reading.value;
    history.record(c.ref, Array.isArray(v) ? null : v, c.reading.quality, c.reading.timestamp);
    recorded++;
  }
});
await new Promise((r) => setTimeout(r, 500));

const memory: { t: number; rss_mb: number; heap_mb: number; received: number }[] = [];
const t0 = Date.now();
const messagesAt = () => Number(plugin.health().detail?.messages ?? 0);
const baseline = messagesAt();
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  memory.push({
    t: Math.round((Date.now() - t0) / 1000),
    rss_mb: Math.round(m.rss / 1e5) / 10,
    heap_mb: Math.round(m.heapUsed / 1e5) / 10,
    received: messagesAt() - baseline,
  });
}, 1_000);

const [cmd, args] = tsxArgs("apps/supervisor/test/mqtt-flood-publisher.ts", [
  broker.url,
  String(TOPICS),
  String(SECONDS),
]);
const publisher = await startProcess(cmd, args, {
  name: "publisher",
  ready: /publisher connected/,
  cwd: REPO_ROOT,
});
const started = Date.now();
const published = Number((await publisher.waitFor(/published (\d+)/, (SECONDS + 30) * 1000))[1]);
// Let the last messages in flight arrive (the broker may still be delivering).
let last = -1;
while (messagesAt() !== last) {
  last = messagesAt();
  await new Promise((r) => setTimeout(r, 500));
}
const elapsed = (Date.now() - started - 500) / 1000;
clearInterval(sampler);
await publisher.stop();
history.stop();
const received = messagesAt() - baseline;
const rows = Number((db.prepare("SELECT count(*) AS n FROM samples").get() as { n: number }).n);
await plugin.shutdown();
await broker.stop();
db.close();

const rss = memory.map((m) => m.rss_mb);
const half = Math.floor(rss.length / 2);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
// Flat: the second half of the run holds no more memory than the first half plus 10 %.
const firstHalf = mean(rss.slice(1, half));
const secondHalf = mean(rss.slice(half));
const result = {
  benchmark: "mqtt",
  date: new Date().toISOString(),
  node: process.version,
  cores: (await import("node:os")).cpus().length,
  topics: TOPICS,
  seconds: SECONDS,
  published,
  received,
  history_samples: recorded,
  history_rows: rows,
  received_per_s: Math.round(received / elapsed),
  history_per_s: Math.round(recorded / elapsed),
  dropped_by_broker: published - received,
  goal_per_s: 10_000,
  meets_goal: received / elapsed >= 10_000,
  rss_mb_first_half_mean: Math.round(firstHalf * 10) / 10,
  rss_mb_second_half_mean: Math.round(secondHalf * 10) / 10,
  rss_flat: secondHalf <= firstHalf * 1.1,
  memory,
  note:
    "Publisher (mqtt.js, QoS 0) in its own process; broker, publisher and this process share the 2 cores. " +
    "history_rows (rows in SQLite) < history_samples when one topic got two messages in the same millisecond (samples are keyed by point and ms).",
};
writeFileSync(join(REPO_ROOT, "bench/results/mqtt.json"), `${JSON.stringify(result, null, 2)}\n`);
const { memory: _m, ...summary } = result;
console.log(JSON.stringify(summary, null, 2));
process.exit(0);
