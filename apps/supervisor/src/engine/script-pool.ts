/**
 * Script nodes evaluate here, off the main thread: a few worker threads, each with its own QuickJS, so
 * a runaway script never holds the event loop that serves HTTP, BACnet and the other flows.
 *
 * Each job has a time budget (the node's timeout_ms), counted as time the script ran. QuickJS's interrupt
 * handler normally ends a script at its budget and the worker answers at once. The watchdog here is the
 * backstop for what the interrupt cannot reach (a long native operation, a growing memory): it measures
 * the worker's own progress, the CPU time its thread used on the job, so a worker the machine set aside
 * is not mistaken for a runaway. A worker that ran the budget plus a short grace of CPU, or that gave no
 * answer for STALL_FACTOR times that in wall time, at most that plus STALL_CAP_MS (stuck without running,
 * or no CPU count off Linux: then at the first check), is terminated and replaced, and the job fails with the same "time budget"
 * reason. A worker whose QuickJS memory a script left large is recycled after its job, so each job starts
 * from a small heap.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { SCRIPT_TIMEOUT_MESSAGE, type ScriptJob, type ScriptOutcome, type ScriptRunner } from "@bms/nodes";
import { threadCpuMs } from "@bms/nodes/thread-cpu";
import { type BundledWorker, bundleScriptWorker } from "./script-worker-bundle";
import type { PoolToWorker, WorkerToPool } from "./script-worker-protocol";

/**
 * A worker that has not answered within this many times its job's budget plus grace, in wall time, is
 * terminated even though its thread has not used that much CPU: it is stuck without running (blocked),
 * since a healthy one on a loaded 2-core box gets a share of a core far above 1/STALL_FACTOR (at a load
 * of 14, about a seventh).
 */
const STALL_FACTOR = 10;
/**
 * The most wall time past budget + grace a silent worker keeps its job: a flow's scan waits for its
 * scripts, so STALL_FACTOR alone would let a blocked worker hold a flow ~10.5 s at timeout_ms 1000. With
 * this cap a runaway or blocked script delays its flow by at most timeout_ms + grace + 1 s. The price: at a
 * large budget on a heavily loaded box (a thread getting under half a core at timeout_ms 1000) a healthy
 * script that still needs CPU is ended at the cap, and its node reports the time-budget reason as bad.
 */
const STALL_CAP_MS = 1_000;
/** The shortest wait before the watchdog looks again at a worker that has not yet run its allowance. */
const RECHECK_MS = 10;

/** Two workers at most by default: on a 2-core controller one core stays for HTTP, BACnet and SQLite. */
export function defaultScriptWorkers(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

export interface ScriptPoolOptions {
  /** Worker threads (default defaultScriptWorkers()). */
  size?: number;
  /** How much CPU time past a job's budget a silent worker may run before it is terminated (default 50 ms). */
  graceMs?: number;
  /** Jobs waiting for a worker beyond this are refused as `unavailable` (default 256). */
  maxQueue?: number;
  /** A worker that has not loaded its engine within this is abandoned (default 20 s). */
  startTimeoutMs?: number;
  /** After a job, a worker whose QuickJS memory is over this is replaced (default 48 MiB). */
  recycleBytes?: number;
  /** The worker entry, plain JavaScript (tests inject misbehaving ones); default: script-worker, bundled. */
  entry?: URL;
  /** Told when a worker is terminated, crashes, cannot start or is recycled (the supervisor's event log). */
  onEvent?(level: "info" | "warn" | "error", message: string): void;
}

export interface ScriptPoolStats {
  workers: number;
  /** Workers that have loaded their engine and take jobs. */
  ready: number;
  busy: number;
  queued: number;
  completed: number;
  /** Workers terminated because a job ran past its budget plus grace (or stalled). */
  terminated: number;
  /** Workers replaced after a job left their QuickJS memory large. */
  /** Workers that died or never started (crashed counts both). */
  recycled: number;
  crashed: number;
}

interface Pending {
  id: number;
  job: ScriptJob;
  resolve(outcome: ScriptOutcome): void;
  /** When its worker got it, and that worker thread's CPU time then (ms). */
  startedAt: number;
  cpuAtStart: number;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** The worker thread's kernel id (for its CPU time), when it told one. */
  tid: number | undefined;
  current: Pending | undefined;
  timer: NodeJS.Timeout | undefined;
  /** Set once the pool has let go of this worker (terminated, crashed, recycled). */
  gone: boolean;
}

function mib(bytes: number): number {
  return Math.round(bytes / (1024 * 1024));
}

function unavailable(message: string): ScriptOutcome {
  return { ok: false, code: "unavailable", message };
}

export class ScriptWorkerPool implements ScriptRunner {
  private readonly size: number;
  private readonly graceMs: number;
  private readonly maxQueue: number;
  private readonly startTimeoutMs: number;
  private readonly recycleBytes: number;
  private entry: URL | undefined;
  private bundled: Promise<BundledWorker> | undefined;
  private bundledFile: BundledWorker | undefined;
  private readonly slots = new Set<Slot>();
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private readonly counts = { completed: 0, terminated: 0, recycled: 0, crashed: 0 };
  private readonly onEvent: NonNullable<ScriptPoolOptions["onEvent"]>;

  constructor(options: ScriptPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? defaultScriptWorkers()));
    this.graceMs = options.graceMs ?? 50;
    this.maxQueue = options.maxQueue ?? 256;
    this.startTimeoutMs = options.startTimeoutMs ?? 20_000;
    this.recycleBytes = options.recycleBytes ?? 48 * 1024 * 1024;
    this.entry = options.entry;
    this.onEvent = options.onEvent ?? (() => undefined);
  }

  run(job: ScriptJob): Promise<ScriptOutcome> {
    if (this.closed) return Promise.resolve(unavailable("script workers are shut down"));
    if (this.queue.length >= this.maxQueue) {
      return Promise.resolve(unavailable(`script workers are saturated (${this.maxQueue} jobs waiting)`));
    }
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, job, resolve, startedAt: 0, cpuAtStart: 0 });
      this.fill();
      this.dispatch();
    });
  }

  stats(): ScriptPoolStats {
    let busy = 0;
    let ready = 0;
    for (const slot of this.slots) {
      if (slot.current) busy++;
      if (slot.ready) ready++;
    }
    return { workers: this.slots.size, ready, busy, queued: this.queue.length, ...this.counts };
  }

  /** Terminates every worker; jobs still waiting or running end as `unavailable`. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.resolve(unavailable("script workers are shut down"));
    const slots = [...this.slots];
    for (const slot of slots) this.release(slot, unavailable("script workers are shut down"));
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
    await this.bundled?.catch(() => undefined);
    this.bundledFile?.remove();
  }

  private fill() {
    const entry = this.entry;
    if (!entry) {
      this.bundle();
      return;
    }
    while (this.slots.size < this.size) this.spawn(entry);
  }

  /** Builds the worker file once; the jobs waiting meanwhile wait (outside their budgets). */
  private bundle() {
    if (this.bundled) return;
    this.bundled = bundleScriptWorker();
    this.bundled.then(
      (bundled) => {
        if (this.closed) return;
        this.bundledFile = bundled;
        this.entry = bundled.url;
        this.fill();
        this.dispatch();
      },
      (error: unknown) => {
        // The next job tries again.
        this.bundled = undefined;
        const why = error instanceof Error ? error.message : String(error);
        for (const pending of this.queue.splice(0)) {
          pending.resolve(unavailable(`script worker could not be built: ${why}`));
        }
      },
    );
  }

  private spawn(entry: URL) {
    const worker = new Worker(entry, {
      // Plain JavaScript: the TypeScript loader a supervisor runs under is not needed in a worker.
      execArgv: [],
      // User code never reaches Node in a worker, and in case it ever did, there are no secrets to find.
      env: {},
      stdout: false,
      stderr: false,
      resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 },
    });
    const slot: Slot = {
      worker,
      ready: false,
      tid: undefined,
      current: undefined,
      timer: undefined,
      gone: false,
    };
    this.slots.add(slot);
    slot.timer = setTimeout(() => this.startFailed(slot, "did not start in time"), this.startTimeoutMs);
    worker.on("message", (message: WorkerToPool) => this.onMessage(slot, message));
    worker.on("error", (error) => this.onExit(slot, error.message));
    worker.on("exit", (code) => this.onExit(slot, `exited with code ${code}`));
  }

  private onMessage(slot: Slot, message: WorkerToPool) {
    if (slot.gone) return;
    if (message.kind === "ready") {
      clearTimeout(slot.timer);
      slot.timer = undefined;
      slot.ready = true;
      slot.tid = message.tid;
      this.dispatch();
      return;
    }
    const pending = slot.current;
    if (!pending || pending.id !== message.id) return;
    clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.current = undefined;
    this.counts.completed++;
    pending.resolve(message.outcome);
    if (message.wasmBytes > this.recycleBytes) {
      this.counts.recycled++;
      this.onEvent(
        "info",
        `script worker replaced: a script left its memory at ${mib(message.wasmBytes)} MiB`,
      );
      this.replace(slot);
    }
    this.dispatch();
  }

  /** Hands waiting jobs to idle, ready workers; each job's budget starts when its worker gets it. */
  private dispatch() {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot.ready || slot.current || slot.gone) continue;
      const pending = this.queue.shift()!;
      slot.current = pending;
      pending.startedAt = performance.now();
      pending.cpuAtStart = threadCpuMs(slot.tid);
      this.watch(slot, pending, pending.job.timeoutMs + this.graceMs);
      slot.worker.postMessage({ id: pending.id, job: pending.job } satisfies PoolToWorker);
    }
  }

  private watch(slot: Slot, pending: Pending, afterMs: number) {
    slot.timer = setTimeout(
      // setImmediate: when this thread was itself held up past the deadline, the worker's answer may
      // already be waiting; the poll phase delivers it first, and then this finds the job done.
      () => setImmediate(() => this.check(slot, pending)),
      afterMs,
    );
  }

  /**
   * The job's wall-clock allowance has passed: if the worker's thread has not yet used that much CPU (the
   * machine ran other things), look again once it could have; otherwise end the job, replace the worker.
   */
  private check(slot: Slot, pending: Pending) {
    if (slot.gone || slot.current !== pending) return;
    const allowance = pending.job.timeoutMs + this.graceMs;
    const ran = threadCpuMs(slot.tid) - pending.cpuAtStart;
    const waited = performance.now() - pending.startedAt;
    const stallMs = Math.min(allowance * STALL_FACTOR, allowance + STALL_CAP_MS);
    if (ran < allowance && waited < stallMs) {
      this.watch(slot, pending, Math.min(Math.max(allowance - ran, RECHECK_MS), stallMs - waited));
      return;
    }
    this.counts.terminated++;
    const why = Number.isNaN(ran)
      ? `no answer ${this.graceMs} ms past a ${pending.job.timeoutMs} ms budget`
      : ran >= allowance
        ? `it ran ${Math.round(ran)} ms on a ${pending.job.timeoutMs} ms budget`
        : `no answer in ${Math.round(waited)} ms on a ${pending.job.timeoutMs} ms budget (stalled)`;
    this.onEvent("warn", `script worker terminated: ${why}; replaced`);
    this.release(slot, { ok: false, code: "timeout", message: SCRIPT_TIMEOUT_MESSAGE });
    void slot.worker.terminate();
    this.fill();
    this.dispatch();
  }

  private replace(slot: Slot) {
    this.release(slot, unavailable("script worker was replaced"));
    void slot.worker.terminate();
    this.fill();
  }

  /** A worker that never became ready: the jobs waiting for it fail now rather than wait forever. */
  private startFailed(slot: Slot, why: string) {
    if (slot.gone) return;
    this.counts.crashed++;
    this.onEvent("error", `script worker failed to start: ${why}`);
    this.release(slot, unavailable(`script worker ${why}`));
    void slot.worker.terminate();
    for (const pending of this.queue.splice(0)) {
      pending.resolve(unavailable(`script worker failed to start: ${why}`));
    }
    // No respawn here: the next job starts workers again, so a broken install does not spin.
  }

  private onExit(slot: Slot, why: string) {
    if (slot.gone) return;
    if (!slot.ready) {
      this.startFailed(slot, why);
      return;
    }
    this.counts.crashed++;
    this.onEvent("error", `script worker crashed: ${why}; replaced`);
    this.release(slot, unavailable(`script worker crashed: ${why}`));
    if (!this.closed) {
      this.fill();
      this.dispatch();
    }
  }

  /** Lets go of a worker: its job (if any) ends with `outcome`, its timer stops, it leaves the pool. */
  private release(slot: Slot, outcome: ScriptOutcome) {
    slot.gone = true;
    clearTimeout(slot.timer);
    slot.timer = undefined;
    this.slots.delete(slot);
    const pending = slot.current;
    slot.current = undefined;
    pending?.resolve(outcome);
  }
}
