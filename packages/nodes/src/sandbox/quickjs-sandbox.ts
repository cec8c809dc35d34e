/**
 * User JavaScript in a real sandbox: QuickJS compiled to WebAssembly (quickjs-emscripten). The script runs
 * in its own interpreter with its own heap, so it cannot reach Node, the host's globals or the host's
 * prototypes; the only thing that crosses the boundary is JSON text, in and out. `eval`, `new Function`
 * and `node:vm` are never used on the host side: the code is handed to QuickJS as text.
 *
 * This file is portable (no Node-only import): the supervisor's worker threads evaluate with it, and so
 * does the in-thread runner that unit tests and a browser simulation use.
 */

import type { QuickJSRuntime, QuickJSWASMModule } from "quickjs-emscripten";
import {
  SCRIPT_TIMEOUT_MESSAGE,
  type ScriptErrorCode,
  type ScriptJob,
  type ScriptOutcome,
  type ScriptRunner,
} from "../core/script-runner";

/**
 * The one WebAssembly API used here, a global in browsers and Node alike. It is reached through
 * globalThis because ES2023's lib does not declare it and this file stays free of DOM and Node types.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
const { Memory } = (
  globalThis as unknown as {
    WebAssembly: { Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory };
  }
).WebAssembly;

const STACK_BYTES = 256 * 1024;
const PAGE_BYTES = 65_536;
/** Where the interpreter's memory starts (the build's own default). */
const INITIAL_WASM_BYTES = 16 * 1024 * 1024;
/**
 * A hard ceiling on the interpreter's whole WebAssembly memory in one thread: 16 MiB to start, the
 * largest memory_mb (64) and room for the engine itself. Past it the memory cannot grow, an allocation
 * fails and the script gets an out-of-memory error: this is the bound that holds whatever QuickJS counts.
 */
export const MAX_WASM_BYTES = 128 * 1024 * 1024;

/** The WASM module, loaded once per thread (the runtime host awaits it through the node's `prepare`). */
let engine: QuickJSWASMModule | undefined;
let loading: Promise<QuickJSWASMModule> | undefined;

/**
 * Loads the release build of QuickJS into a WebAssembly memory of its own, capped at MAX_WASM_BYTES
 * (the shared default module may grow to 2 GiB).
 */
export function loadScriptEngine(): Promise<QuickJSWASMModule> {
  loading ??= import("quickjs-emscripten").then(async (m) => {
    const wasmMemory = new Memory({
      initial: INITIAL_WASM_BYTES / PAGE_BYTES,
      maximum: MAX_WASM_BYTES / PAGE_BYTES,
    });
    engine = await m.newQuickJSWASMModuleFromVariant(m.newVariant(m.RELEASE_SYNC, { wasmMemory }));
    return engine;
  });
  return loading;
}

/**
 * Reads the calling thread's CPU time in ms (NaN when it cannot): installed by a host that can read it
 * (the supervisor's script workers, from thread-cpu.ts), absent in a browser. Only read at the start of a
 * run and at gaps over MAX_COUNTED_GAP_MS, never per interrupt call.
 */
let threadCpu: (() => number) | undefined;

/** Installs (or, with undefined, removes) this thread's CPU clock for the interrupt handler. */
export function setThreadCpuClock(clock: (() => number) | undefined): void {
  threadCpu = clock;
}

/** The engine if this thread has loaded it. */
export function loadedScriptEngine(): QuickJSWASMModule | undefined {
  return engine;
}

/**
 * The code becomes the body of a function called with the inputs, their qualities, the persisted state,
 * the scan time and dt. `Date` is replaced so that `new Date()` and `Date.now()` give the scan time: a
 * script follows the same (fake, in tests) clock as every node.
 */
function wrap(code: string): string {
  return `(() => {
  const __a = JSON.parse(globalThis.__in);
  const __D = Date;
  globalThis.Date = class extends __D {
    constructor(...a) { if (a.length === 0) super(__a.now); else super(...a); }
    static now() { return __a.now; }
  };
  const state = __a.state;
  const __r = (function (inputs, quality, state, now, dt) {
"use strict";
${code}
  })(__a.inputs, __a.quality, state, __a.now, __a.dt);
  return JSON.stringify({ r: __r === undefined ? null : __r, state });
})()`;
}

/**
 * The most one gap between two interrupt-handler calls adds to a script's time on the wall clock alone.
 * QuickJS calls the handler every 10,000 or so operations; measured here (2026-12-02, warm, idle 2-core
 * box) the gap is 0.045 ms median (0.09 p99) in `while (true) {}`, 0.21-0.45 ms (max 1.0) in a
 * backtracking regex, 0.3 ms in a loop calling Math.sqrt, and about 0.5 ms from creating the context to
 * the first call. A gap longer than this is either a thread the OS did not run (on a loaded box a thread
 * runs a slice of a few ms and then waits 10-20 ms) or work QuickJS does not count as operations: a
 * built-in such as `indexOf`, `sort` or `join` over a big array is one operation, so
 * `while (true) a.indexOf(-1)` on 20,000 elements has gaps of ~200 ms, and a garbage-collection pause
 * is up to 7.6 ms. The two can only be told apart by the thread's own CPU time: see evaluateScript.
 */
export const MAX_COUNTED_GAP_MS = 2;

const OUT_OF_MEMORY: ScriptOutcome & { ok: false } = {
  ok: false,
  code: "memory",
  message: "script ran out of memory",
};

/** An error QuickJS threw, as an outcome with a code. */
function failure(dumped: unknown): ScriptOutcome & { ok: false } {
  let name = "";
  let text: string;
  if (dumped && typeof dumped === "object" && "message" in dumped) {
    const error = dumped as { name?: unknown; message?: unknown };
    name = error.name === undefined ? "" : String(error.name);
    text = String(error.message);
  } else {
    text = String(dumped);
  }
  if (text === "interrupted") return { ok: false, code: "timeout", message: SCRIPT_TIMEOUT_MESSAGE };
  if (/out of memory/i.test(text)) return OUT_OF_MEMORY;
  if (/stack overflow|call stack/i.test(text)) {
    return { ok: false, code: "stack", message: `${name}: ${text}` };
  }
  const code: ScriptErrorCode = name === "SyntaxError" ? "syntax" : "exception";
  return { ok: false, code, message: name ? `${name}: ${text}` : text };
}

/**
 * Evaluates one job, synchronously, in this thread. The interpreter's interrupt handler ends the script
 * when it has run for its budget, so on an idle machine this returns within about `timeoutMs` plus one
 * gap between polls (a built-in over a huge array can make that gap long); time the thread spent
 * descheduled is not the script's and barely counts where the thread's CPU clock is installed.
 *
 * Memory is bounded three ways, because the prebuilt QuickJS cannot count its own heap (no
 * malloc_usable_size in its WASM build, quickjs-emscripten#271): its limit refuses any single allocation
 * over `memoryBytes`; the interrupt handler ends a script whose interpreter memory grew by more than
 * `memoryBytes` plus one growth step (a quarter of its size) during this run; and the memory can never
 * grow past MAX_WASM_BYTES.
 */
export function evaluateScript(quickjs: QuickJSWASMModule, job: ScriptJob): ScriptOutcome {
  const memory = quickjs.getWasmMemory();
  const startBytes = memory.buffer.byteLength;
  const growthLimit = startBytes + job.memoryBytes + startBytes / 4;
  let overgrown = false;
  // A fresh runtime per run: its heap is freed in full afterwards, even after an out-of-memory error, and
  // nothing a script leaves in globals survives to the next scan (state goes through `state` only).
  const runtime: QuickJSRuntime = quickjs.newRuntime();
  try {
    runtime.setMemoryLimit(job.memoryBytes);
    runtime.setMaxStackSize(STACK_BYTES);
    // The watchdog is the one place that reads a real clock: it bounds time, not control logic. It counts
    // the time the script ran, from here (context creation and the first parse are the script's cost).
    // A gap between two calls up to MAX_COUNTED_GAP_MS counts in full. A longer gap counts the cap, and
    // then, where the thread's CPU time is readable, the run has used at least the CPU the thread spent
    // since the start: a thread the OS set aside spends none of the budget, and a built-in that ran for
    // hundreds of ms between two polls spends all of it. Where it is not readable (a browser), a long gap
    // counts in full: wall time, so a runaway built-in loop cannot hold the tab past its budget.
    const clock = threadCpu;
    const cpuAtStart = clock ? clock() : Number.NaN;
    let last = performance.now();
    let ran = 0;
    runtime.setInterruptHandler(() => {
      const now = performance.now();
      const gap = now - last;
      last = now;
      if (gap <= MAX_COUNTED_GAP_MS) {
        ran += gap;
      } else {
        const cpu = clock ? clock() - cpuAtStart : Number.NaN;
        ran = Number.isNaN(cpu) ? ran + gap : Math.max(ran + MAX_COUNTED_GAP_MS, cpu);
      }
      if (memory.buffer.byteLength > growthLimit) overgrown = true;
      return overgrown || ran > job.timeoutMs;
    });
    const vm = runtime.newContext();
    try {
      const handle = vm.newString(job.input);
      vm.setProp(vm.global, "__in", handle);
      handle.dispose();
      const evaluated = vm.evalCode(wrap(job.code), "script.js");
      if (evaluated.error) {
        const dumped = vm.dump(evaluated.error);
        evaluated.error.dispose();
        return overgrown ? OUT_OF_MEMORY : failure(dumped);
      }
      const text = vm.getString(evaluated.value);
      evaluated.value.dispose();
      const parsed = JSON.parse(text) as { r: unknown; state: unknown };
      return { ok: true, result: parsed.r, state: parsed.state };
    } finally {
      vm.dispose();
    }
  } catch (e) {
    // The host side failed (the heap limit hit while building the context, a result JSON could not hold).
    const text = e instanceof Error ? e.message : String(e);
    return /memory/i.test(text) ? OUT_OF_MEMORY : { ok: false, code: "output", message: text };
  } finally {
    runtime.dispose();
  }
}

/**
 * The default runner: evaluates in the calling thread. A runaway script holds that thread for its whole
 * budget (the interrupt handler then ends it), which is fine for a unit test or a browser simulation and
 * is why the supervisor injects its worker pool instead.
 */
export const inThreadScriptRunner: ScriptRunner = {
  run(job) {
    if (!engine) {
      void loadScriptEngine();
      return {
        ok: false,
        code: "unavailable",
        message: "script engine not loaded yet: the host must await FlowRuntime.prepare() before scanning",
      };
    }
    return evaluateScript(engine, job);
  },
};
