import type { ScriptJob, ScriptOutcome } from "@bms/nodes";

/** What the pool posts to a script worker: one job at a time. */
export interface PoolToWorker {
  id: number;
  job: ScriptJob;
}

/** What a script worker posts back: ready once its engine is loaded, then one `done` per job. */
export type WorkerToPool =
  | {
      kind: "ready";
      /** The worker thread's kernel id, so the pool can read the CPU time it used (absent off Linux). */
      tid?: number;
    }
  | {
      kind: "done";
      id: number;
      outcome: ScriptOutcome;
      /** The worker's QuickJS memory after the job: the pool recycles a worker a script left large. */
      wasmBytes: number;
    };
