/**
 * The seam between the `script` node and whatever evaluates its code. The node builds a job (its code and
 * its inputs as JSON text) and hands it to a runner; the runner answers with the script's result or a
 * failure with a code. The default runner evaluates in this thread (unit tests, a browser simulation);
 * the supervisor injects one that evaluates in a pool of worker threads, so a runaway script never holds
 * the event loop that serves HTTP, BACnet and the other flows.
 */

export interface ScriptJob {
  /** The node's code: the body of a function of (inputs, quality, state, now, dt). */
  code: string;
  /** `{ inputs, quality, state, now, dt }` as JSON text: all that crosses into the sandbox. */
  input: string;
  /** The budget of this evaluation: time the script runs, not time its thread waits (quickjs-sandbox.ts). */
  timeoutMs: number;
  /** The interpreter's heap limit. */
  memoryBytes: number;
  /** The node whose code this is: for a host's watchdog to say which node overran (not used to evaluate). */
  nodeId?: string;
}

/**
 * Why an evaluation failed, for callers that decide on it (the text is for people):
 * `syntax` and `exception` are the script's own errors; `timeout` is its time budget spent; `memory` its
 * heap limit reached; `stack` too deep a recursion; `output` a result that is not JSON; `unavailable` the
 * runner could not evaluate at all (engine not loaded, worker crashed, pool shut down or saturated).
 */
export type ScriptErrorCode =
  | "syntax"
  | "exception"
  | "timeout"
  | "memory"
  | "stack"
  | "output"
  | "unavailable";

export type ScriptOutcome =
  | { ok: true; result: unknown; state: unknown }
  | { ok: false; code: ScriptErrorCode; message: string };

/** The message a spent budget gives, wherever it was detected (in the interpreter or by the pool's watchdog). */
export const SCRIPT_TIMEOUT_MESSAGE = "script exceeded its time budget";

export interface ScriptRunner {
  /**
   * Evaluates one job. Never rejects: every failure is an outcome. A runner that evaluates in this thread
   * may answer synchronously; one that hands the job elsewhere answers with a promise.
   */
  run(job: ScriptJob): ScriptOutcome | Promise<ScriptOutcome>;
}
