import { startProcess, tempDir, tsxArgs } from "@bms/test-support";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/storage/database";
import { TimeseriesRepo } from "../../src/storage/timeseries-repo";

/**
 * Issue 15: history flushes at most every second, so a kill -9 loses at most the last second. A real
 * child process writes through the recorder (across a window seal) and is killed with SIGKILL; the
 * database it leaves behind is opened again, as on the next start.
 */
describe("history after kill -9", () => {
  it("keeps every sample recorded more than a second before the kill, with no holes", async () => {
    const dir = tempDir("history-crash");
    const [cmd, args] = tsxArgs("apps/supervisor/test/history-writer.ts", [dir]);
    const writer = await startProcess(cmd, args, { name: "history-writer", ready: /writing offset=(-?\d+)/ });
    const offset = Number((await writer.waitFor(/writing offset=(-?\d+)/))[1]);
    // Past the seal at boundary + 5 s (the writer started 2 s before the boundary), then kill.
    await new Promise((r) => setTimeout(r, 8500));
    const killedAt = Date.now() + offset;
    writer.child.kill("SIGKILL");
    await writer.stop();

    const db = openDatabase(dir);
    const repo = new TimeseriesRepo(db, () => killedAt);
    const losses: number[] = [];
    for (let p = 0; p < 20; p++) {
      const samples = repo.query(`log:p${p}`, 0, killedAt + 60_000, 0);
      // A contiguous prefix of what was recorded: values 0, 1, 2, ... with nothing missing or doubled.
      expect(samples.map((s) => s.avg)).toEqual(samples.map((_, i) => i));
      expect(samples.length).toBeGreaterThan(500);
      losses.push(killedAt - samples[samples.length - 1]!.t);
    }
    const sealed = db.prepare("SELECT COUNT(*) FROM history_chunks").pluck().get() as number;
    console.log(`kill -9 lost the last ${Math.max(...losses)} ms; ${sealed} chunks sealed before it`);
    expect(sealed).toBe(20);
    // One flush period, plus scheduling slack on a shared 2-core machine.
    expect(Math.max(...losses)).toBeLessThanOrEqual(1250);
    db.close();
  });
});
