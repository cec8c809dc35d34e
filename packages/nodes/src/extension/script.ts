/**
 * The `script` node: custom logic in JavaScript. The node owns the contract (inputs and qualities in,
 * outputs and state out, what a failure means); evaluating the code is a runner's job (see
 * core/script-runner.ts): QuickJS in this thread by default, in the supervisor a pool of worker threads
 * with a time budget, so a runaway script cannot hold up HTTP, BACnet or other flows.
 */

import type { Quality } from "@bms/schemas";
import { z } from "zod";
import type { ScriptRunner } from "../core/script-runner";
import {
  defineNode,
  type NodeOutputs,
  type NodeValue,
  type Payload,
  type PortDefinition,
} from "../core/types";
import { worstQuality } from "../core/values";
import { inThreadScriptRunner, loadScriptEngine } from "../sandbox/quickjs-sandbox";

export { loadScriptEngine } from "../sandbox/quickjs-sandbox";

const INS = ["in1", "in2", "in3", "in4"] as const;
const OUTS = ["out1", "out2", "out3", "out4"] as const;
const MAX_STATE_CHARS = 65_536;

function isScalar(x: unknown): x is Payload {
  if (x === null || typeof x === "number" || typeof x === "boolean" || typeof x === "string") return true;
  return Array.isArray(x) && x.length <= 10_000 && x.every((item) => isScalar(item));
}

export const script = defineNode({
  type: "script",
  version: 1,
  category: "extension",
  label: "Script",
  icon: "code",
  description:
    "Custom logic in JavaScript, run in a QuickJS WebAssembly sandbox with no access to the supervisor, " +
    "the network or the file system, limited to timeout_ms of running time and memory_mb of heap per " +
    "scan (time the machine spends on other work while the script waits does not count). On the supervisor it runs in a worker thread, so a runaway script delays only its own flow: " +
    "by timeout_ms of running plus one interpreter poll gap (a built-in over a huge array, such as indexOf, " +
    "runs to its end between polls), and never by more than timeout_ms + 1.05 s of wall time, when its worker " +
    "is replaced. The code is the body of a function of (inputs, quality, state, now, dt): " +
    "`inputs.in1`…`in4` are the input values (null when not connected), `quality.in1`… their qualities, " +
    "`state` an object kept between scans and restarts (JSON, up to 64 KB), `now` the scan time in ms (Date " +
    "follows it too) and `dt` the seconds since the node last ran (mutate `state`, do not reassign it). " +
    "Return a value for out1, or an object { out1, …, out4 }: an output left out is inactive this scan " +
    "(nodes fed by it are skipped). Outputs take the worst quality of the connected inputs, so the script " +
    "decides what a bad input means (check quality.in1); a null output is bad. A syntax error, exception, " +
    "spent time budget or memory overrun fails the node (bad outputs with the reason, then its on_failure " +
    "policy) and keeps the previous state. A fresh interpreter runs each scan, so nothing but `state` " +
    "carries over.",
  inputs: INS.map((name): PortDefinition => ({ name, type: "any", label: name })),
  outputs: OUTS.map((name): PortDefinition => ({ name, type: "any", label: name })),
  config: z.object({
    code: z.string().min(1).max(20_000).describe("Function body; return a value or { out1, …, out4 }"),
    timeout_ms: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(50)
      .describe("Time budget per scan: time the script runs (at most 1 s)"),
    memory_mb: z.number().int().min(1).max(64).default(8).describe("Heap limit"),
  }),
  prepare: async () => {
    await loadScriptEngine();
  },
  // User state: it may hold a latch or a counter.
  statePersistence: "on_change",
  initialState: (): { data: unknown } => ({ data: {} }),
  async execute(inputs, config, state, ctx): Promise<NodeOutputs> {
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
    const runner: ScriptRunner = ctx.scripts ?? inThreadScriptRunner;
    const run = await runner.run({
      code: config.code,
      input,
      timeoutMs: config.timeout_ms,
      memoryBytes: config.memory_mb * 1024 * 1024,
      nodeId: ctx.nodeId,
    });
    if (!run.ok) throw new Error(run.message);

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
