/**
 * User JavaScript in a real sandbox: QuickJS compiled to WebAssembly (quickjs-emscripten). The script runs
 * in its own interpreter with its own heap, so it cannot reach Node, the host's globals or the host's
 * prototypes; the only thing that crosses the boundary is JSON text, in and out. `node:vm` is not a
 * sandbox and is not used.
 */

import type { Quality } from "@bms/schemas";
import type { QuickJSRuntime, QuickJSWASMModule } from "quickjs-emscripten";
import { z } from "zod";
import {
  defineNode,
  type NodeOutputs,
  type NodeValue,
  type Payload,
  type PortDefinition,
} from "../core/types";
import { worstQuality } from "../core/values";

const INS = ["in1", "in2", "in3", "in4"] as const;
const OUTS = ["out1", "out2", "out3", "out4"] as const;
const MAX_STATE_CHARS = 65_536;
const STACK_BYTES = 256 * 1024;

/** The WASM module, loaded once per process by `prepare` (the runtime host awaits it before scan 1). */
let engine: QuickJSWASMModule | undefined;
let loading: Promise<QuickJSWASMModule> | undefined;

export function loadScriptEngine(): Promise<QuickJSWASMModule> {
  loading ??= import("quickjs-emscripten").then(async (m) => {
    engine = await m.getQuickJS();
    return engine;
  });
  return loading;
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

function describeError(dumped: unknown): string {
  if (dumped && typeof dumped === "object" && "message" in dumped) {
    const { name, message } = dumped as { name?: unknown; message?: unknown };
    const text = String(message);
    if (text === "interrupted") return "script exceeded its time limit";
    return name ? `${String(name)}: ${text}` : text;
  }
  return String(dumped);
}

function isScalar(x: unknown): x is Payload {
  if (x === null || typeof x === "number" || typeof x === "boolean" || typeof x === "string") return true;
  return Array.isArray(x) && x.length <= 10_000 && x.every((item) => isScalar(item));
}

interface ScriptRun {
  result: unknown;
  state: unknown;
}

function runInSandbox(
  quickjs: QuickJSWASMModule,
  source: string,
  input: string,
  limits: { timeoutMs: number; memoryBytes: number },
): ScriptRun {
  // A fresh runtime per run: its heap is freed in full afterwards, even after an out-of-memory error, and
  // nothing a script leaves in globals survives to the next scan (state goes through `state` only).
  const runtime: QuickJSRuntime = quickjs.newRuntime();
  try {
    runtime.setMemoryLimit(limits.memoryBytes);
    runtime.setMaxStackSize(STACK_BYTES);
    // The watchdog is the one place that reads a real clock: it bounds CPU time, not control logic.
    const deadline = performance.now() + limits.timeoutMs;
    runtime.setInterruptHandler(() => performance.now() > deadline);
    const vm = runtime.newContext();
    try {
      const handle = vm.newString(input);
      vm.setProp(vm.global, "__in", handle);
      handle.dispose();
      const evaluated = vm.evalCode(source, "script.js");
      if (evaluated.error) {
        const dumped = vm.dump(evaluated.error);
        evaluated.error.dispose();
        throw new Error(describeError(dumped));
      }
      const text = vm.getString(evaluated.value);
      evaluated.value.dispose();
      const parsed = JSON.parse(text) as { r: unknown; state: unknown };
      return { result: parsed.r, state: parsed.state };
    } finally {
      vm.dispose();
    }
  } finally {
    runtime.dispose();
  }
}

export const script = defineNode({
  type: "script",
  version: 1,
  category: "extension",
  label: "Script",
  icon: "code",
  description:
    "Custom logic in JavaScript, run in a QuickJS WebAssembly sandbox with no access to the supervisor, " +
    "the network or the file system, limited to timeout_ms of CPU and memory_mb of heap per scan. The code " +
    "is the body of a function of (inputs, quality, state, now, dt): `inputs.in1`…`in4` are the input " +
    "values (null when not connected), `quality.in1`… their qualities, `state` an object kept between scans " +
    "and restarts (JSON, up to 64 KB), `now` the scan time in ms (Date follows it too) and `dt` the seconds " +
    "since the node last ran (mutate `state`, do not reassign it). Return a value for out1, or an object " +
    "{ out1, …, out4 }: an output left out is inactive this scan (nodes fed by it are skipped). Outputs take " +
    "the worst quality of the connected inputs, so the script decides what a bad input means (check " +
    "quality.in1); a null output is bad. A syntax error, exception, timeout or memory overrun fails the node " +
    "(bad outputs with the reason, then its on_failure policy) and keeps the previous state. The WASM engine " +
    "is loaded once, before the first scan (the host awaits FlowRuntime.prepare()); a fresh interpreter runs " +
    "each scan, so nothing but `state` carries over.",
  inputs: INS.map((name): PortDefinition => ({ name, type: "any", label: name })),
  outputs: OUTS.map((name): PortDefinition => ({ name, type: "any", label: name })),
  config: z.object({
    code: z.string().min(1).max(20_000).describe("Function body; return a value or { out1, …, out4 }"),
    timeout_ms: z.number().int().min(1).max(1000).default(50).describe("CPU time limit per scan"),
    memory_mb: z.number().int().min(1).max(64).default(8).describe("Heap limit"),
  }),
  prepare: async () => {
    await loadScriptEngine();
  },
  initialState: (): { data: unknown } => ({ data: {} }),
  execute(inputs, config, state, ctx): NodeOutputs {
    if (!engine) {
      void loadScriptEngine();
      throw new Error(
        "script engine not loaded yet: the host must await FlowRuntime.prepare() before scanning",
      );
    }
    const values: Record<string, Payload> = {};
    const qualities: Record<string, Quality | null> = {};
    const connected: NodeValue[] = [];
    for (const name of INS) {
      const input = inputs[name];
      values[name] = input ? input.value : null;
      qualities[name] = input ? input.quality : null;
      if (input) connected.push(input);
    }
    const input = JSON.stringify({
      inputs: values,
      quality: qualities,
      state: state.data,
      now: ctx.now,
      dt: ctx.dt,
    });
    const run = runInSandbox(engine, wrap(config.code), input, {
      timeoutMs: config.timeout_ms,
      memoryBytes: config.memory_mb * 1024 * 1024,
    });

    const nextState = JSON.stringify(run.state ?? {});
    if (nextState.length > MAX_STATE_CHARS) throw new Error(`state is over ${MAX_STATE_CHARS} characters`);
    const r = run.result;
    const byPort: Record<string, unknown> =
      r !== null && typeof r === "object" && !Array.isArray(r) ? (r as Record<string, unknown>) : { out1: r };
    const unknown = Object.keys(byPort).filter((k) => !(OUTS as readonly string[]).includes(k));
    if (unknown.length > 0) throw new Error(`script returned unknown outputs: ${unknown.join(", ")}`);
    const quality = worstQuality(connected);
    const out: NodeOutputs = {};
    for (const name of OUTS) {
      if (!Object.hasOwn(byPort, name)) continue;
      const x = byPort[name];
      if (!isScalar(x)) throw new Error(`${name} must be a number, boolean, text, null or a list of them`);
      out[name] =
        x === null
          ? { value: null, quality: "bad", timestamp: ctx.now, reason: `script returned null for ${name}` }
          : { value: x, quality, timestamp: ctx.now };
    }
    state.data = JSON.parse(nextState);
    return out;
  },
  examples: [
    {
      title: "Dew point (Magnus formula)",
      config: {
        code: "const t = inputs.in1, rh = inputs.in2;\nconst g = Math.log(rh / 100) + (17.62 * t) / (243.12 + t);\nreturn Math.round((243.12 * g / (17.62 - g)) * 10) / 10;",
      },
      explanation: "Temperature to in1 and relative humidity to in2; out1 is the dew point.",
    },
    {
      title: "Count starts",
      config: {
        code: "if (inputs.in1 && !state.was) state.starts = (state.starts ?? 0) + 1;\nstate.was = !!inputs.in1;\nreturn state.starts ?? 0;",
      },
      explanation: "Counts rising edges of in1, kept across restarts.",
    },
  ],
});
