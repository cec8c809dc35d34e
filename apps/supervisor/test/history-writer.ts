// Child process of test/integration/history-crash.test.ts: records 20 points every 10 ms through the
// real HistoryRecorder and TimeseriesRepo into <dir>/runtime.db until it is killed. Its clock starts
// 2 s before a 15-minute window boundary, so the window is sealed while it runs (at boundary + 5 s).
import { HistoryRecorder } from "../src/engine/history-recorder";
import { openDatabase } from "../src/storage/database";
import { TimeseriesRepo, WINDOW_MS } from "../src/storage/timeseries-repo";

const dir = process.argv[2];
if (!dir) throw new Error("usage: history-writer <data-dir>");
const start = Date.now();
const boundary = Math.ceil(start / WINDOW_MS) * WINDOW_MS + WINDOW_MS;
const offset = boundary - 2000 - start;
const clock = () => Date.now() + offset;
const repo = new TimeseriesRepo(openDatabase(dir), clock);
const recorder = new HistoryRecorder(repo, {
  minIntervalMs: 0,
  maxIntervalMs: 0,
  retentionMs: 10 * 24 * 3_600_000,
  maxBytes: 1e9,
});
recorder.start();
let i = 0;
let lastTs = Number.NEGATIVE_INFINITY;
setInterval(() => {
  const ts = clock();
  // One tick per millisecond: a tick that reads the ms of the last one records nothing (the next value
  // waits for the next tick). Ticks can share a ms: Node schedules an interval's next run from the loop
  // time taken just before this callback runs, so a process descheduled at that moment (a loaded CI
  // machine) runs the next tick at once. The store keeps one sample per point and ms (the last written
  // wins, as the old (point, ts) key did; timeseries-repo.test.ts), so the second tick replaced the
  // first in memory, long before any kill: a hole the test blamed on kill -9 (seen once in CI, value 96;
  // reproduced by SIGSTOP/SIGCONT of this process: the journal held values 140 and 141 at the same ms).
  if (ts <= lastTs) return;
  lastTs = ts;
  for (let p = 0; p < 20; p++) recorder.record(`log:p${p}`, i, "good", ts);
  i++;
}, 10);
console.log(`writing offset=${offset} boundary=${boundary}`);
