import { beforeAll, describe, expect, it } from "vitest";
import type { ScriptRunner } from "../core/script-runner";
import { inThreadScriptRunner, setThreadCpuClock } from "../sandbox/quickjs-sandbox";
import { ownThreadCpuMs } from "../sandbox/thread-cpu";
import { MEMORY_HOG_CEILING_MS, timeKept } from "../testing/budget-clock";
import { flowHarness, testFlow } from "../testing/harness";
import { type InputSpec, nodeRunner, roundTrip, T0, v } from "../testing/node-runner";
import { loadScriptEngine, script } from "./script";

beforeAll(async () => {
  // As in a supervisor worker: a gap between polls counts the CPU this thread ran, so a loaded box
  // (where a first, cold run waits for cores) does not spend a 50 ms budget (the browser case, counting
  // whole gaps, is script-budget.test.ts's).
  setThreadCpuClock(ownThreadCpuMs);
  await loadScriptEngine();
});

function run(code: string, inputs: Record<string, InputSpec> = {}, extra: Record<string, unknown> = {}) {
  return nodeRunner(script, { code, ...extra }).runAsync(inputs);
}

describe("script", () => {
  const cases: [string, string, Record<string, InputSpec>, Record<string, unknown>][] = [
    ["returns a value to out1", "return inputs.in1 * 2;", { in1: 21 }, { out1: 42 }],
    [
      "returns several outputs",
      "return { out1: inputs.in1 + 1, out3: 'x' };",
      { in1: 1 },
      { out1: 2, out3: "x" },
    ],
    ["unconnected inputs are null", "return inputs.in2 === null;", { in1: 1 }, { out1: true }],
    ["sees qualities", "return quality.in1;", { in1: v(1, "uncertain") }, { out1: "uncertain" }],
    [
      "Date follows the scan clock",
      "return Date.now() === now && new Date().getTime() === now;",
      {},
      { out1: true },
    ],
    ["lists are fine", "return [1, 2, 3].map((x) => x * inputs.in1);", { in1: 2 }, { out1: [2, 4, 6] }],
    ["the seed's dew point", script.examples![0]!.config.code as string, { in1: 20, in2: 50 }, { out1: 9.3 }],
  ];
  it.each(cases)("%s", async (_name, code, inputs, expected) => {
    const out = await run(code, inputs);
    expect(Object.fromEntries(Object.entries(out).map(([k, x]) => [k, x.value]))).toEqual(expected);
  });

  it("outputs take the worst input quality; a null output is bad", async () => {
    const out = await run("return { out1: 1, out2: null };", { in1: v(1, "uncertain"), in2: 2 });
    expect(out.out1?.quality).toBe("uncertain");
    expect(out.out2?.quality).toBe("bad");
  });

  it("keeps state across scans and a restart, and gets dt from the clock", async () => {
    const r = nodeRunner(script, script.examples![1]!.config);
    const edges = [true, false, true, true];
    const counts: unknown[] = [];
    for (const [i, in1] of edges.entries()) {
      if (i === 2) r.state = roundTrip(r.state);
      counts.push((await r.runAsync({ in1 }, 1000)).out1?.value);
    }
    expect(counts).toEqual([1, 1, 2, 2]);
    expect((await nodeRunner(script, { code: "return dt;" }).runAsync({}, 0)).out1?.value).toBe(0);
  });

  const failures: [string, string, Record<string, unknown>, RegExp][] = [
    ["syntax error", "return (;", {}, /SyntaxError/],
    ["exception", "throw new Error('boom');", {}, /boom/],
    ["infinite loop spends its time budget", "while (true) {}", { timeout_ms: 20 }, /time budget/],
    [
      "allocation hits the memory limit",
      "return 'x'.repeat(4 * 1024 * 1024).length;",
      { memory_mb: 2 },
      /out of memory/,
    ],
    [
      "deep recursion is stopped",
      "const f = (n) => f(n + 1) + 1; return f(0);",
      {},
      /stack|recursion|RangeError|InternalError/i,
    ],
    ["no Node: process", "return process.pid;", {}, /process.? is not defined/],
    ["no Node: require", "return require('fs');", {}, /require.? is not defined/],
    [
      "the Function constructor only reaches the sandbox",
      "return Function('return typeof process')();",
      {},
      /unexpected|^$/,
    ],
    ["unknown output name", "return { result: 1 };", {}, /unknown outputs: result/],
    ["an object is not a value", "return { out1: { a: 1 } };", {}, /must be a number/],
    ["state over 64 KB", "state.big = 'x'.repeat(70000); return 1;", {}, /state is over/],
  ];
  it.each(failures)("fails cleanly: %s", async (_name, code, extra, error) => {
    const r = nodeRunner(script, { code, ...extra });
    let message = "";
    try {
      const out = await r.runAsync({});
      message = out.out1 ? `unexpected ${JSON.stringify(out.out1.value)}` : "";
    } catch (e) {
      message = (e as Error).message;
    }
    if (_name.startsWith("the Function constructor")) {
      // It runs, but inside QuickJS, where there is no process.
      expect((await run(code)).out1?.value).toBe("undefined");
      return;
    }
    expect(message).toMatch(error);
    expect(r.state).toEqual({ data: {} });
  });

  it("in a flow: awaits prepare, then a failure is a bad value with the reason", async () => {
    const h = flowHarness(
      testFlow(
        [
          { id: "k", type: "constant", config: { value: 4 } },
          {
            id: "s",
            type: "script",
            config: { code: "if (inputs.in1 > 3) throw new Error('too big'); return 1;" },
          },
        ],
        [{ from_node: "k", from_output: "value", to_node: "s", to_input: "in1" }],
      ),
    );
    await h.prepare();
    const result = await h.scan();
    expect(result.runs.find((x) => x.nodeId === "s")?.status).toBe("error");
    expect(h.output("s", "out1")).toMatchObject({ quality: "bad", timestamp: T0 });
    expect(h.output("s", "out1")?.reason).toContain("too big");
  });
});

describe("script in a flow: every ending is a value with a quality and a reason, within the budget", () => {
  const SLACK_MS = 60;
  // In this thread a hog of small allocations is bounded by the memory ceiling, not the budget.
  const CEILING_MS = MEMORY_HOG_CEILING_MS;
  const cases: {
    name: string;
    code: string;
    memory_mb?: number;
    quality: string;
    value?: unknown;
    reason?: RegExp;
    withinMs?: number;
  }[] = [
    { name: "normal script", code: "return inputs.in1 + 1;", quality: "good", value: 5 },
    { name: "syntax error", code: "return (;", quality: "bad", reason: /^s: SyntaxError: / },
    {
      name: "runaway loop",
      code: "while (true) {}",
      quality: "bad",
      reason: /^s: script exceeded its time budget$/,
    },
    {
      name: "memory hog",
      code: "const keep = []; while (true) keep.push(new Float64Array(10000));",
      memory_mb: 4,
      withinMs: CEILING_MS,
      quality: "bad",
      reason: /^s: script ran out of memory$/,
    },
    {
      name: "throwing script",
      code: "throw new Error('no valve');",
      quality: "bad",
      reason: /^s: Error: no valve$/,
    },
  ];

  it.each(cases)("$name", async ({ code, memory_mb, quality, value, reason, withinMs }) => {
    const h = flowHarness(
      testFlow(
        [
          { id: "k", type: "constant", config: { value: 4 } },
          { id: "s", type: "script", config: { code, timeout_ms: 100, ...(memory_mb ? { memory_mb } : {}) } },
          { id: "m", type: "math", config: { expression: "a * 10" } },
        ],
        [
          { from_node: "k", from_output: "value", to_node: "s", to_input: "in1" },
          { from_node: "k", from_output: "value", to_node: "m", to_input: "a" },
        ],
      ),
    );
    await h.prepare();
    const { result, ms } = await timeKept(() => h.scan());
    expect(ms).toBeLessThan(withinMs ?? 100 + SLACK_MS);
    const out = h.output("s", "out1")!;
    expect(out.quality).toBe(quality);
    if (value !== undefined) expect(out.value).toBe(value);
    if (reason) expect(out.reason).toMatch(reason);
    // The flow's other nodes ran, with good values.
    expect(result.runs.find((r) => r.nodeId === "m")?.status).toBe("completed");
    expect(h.output("m", "result")).toMatchObject({ value: 40, quality: "good" });
  });

  it("evaluates through the runner the host injects, and the scan awaits it", async () => {
    const h = flowHarness(
      testFlow([
        { id: "s", type: "script", config: { code: "state.n = (state.n ?? 0) + 1; return state.n;" } },
      ]),
    );
    await h.prepare();
    const jobs: string[] = [];
    const scripts: ScriptRunner = {
      run: async (job) => {
        jobs.push(job.code);
        await new Promise((resolve) => setTimeout(resolve, 20));
        return inThreadScriptRunner.run(job);
      },
    };
    for (const _ of [1, 2]) {
      await h.runtime.runScan({ now: T0, trigger: "manual", readPoint: () => undefined, scripts });
    }
    expect(jobs).toHaveLength(2);
    expect(h.output("s", "out1")).toMatchObject({ value: 2, quality: "good" });
    expect(h.runtime.stateOf("s")).toEqual({ data: { n: 2 } });
  });

  it("an unavailable runner fails the node cleanly and keeps its state", async () => {
    const h = flowHarness(
      testFlow([{ id: "s", type: "script", config: { code: "state.n = 1; return 1;" } }]),
    );
    const scripts: ScriptRunner = {
      run: () => ({ ok: false, code: "unavailable", message: "script workers are shut down" }),
    };
    await h.runtime.runScan({ now: T0, trigger: "manual", readPoint: () => undefined, scripts });
    expect(h.output("s", "out1")).toMatchObject({
      quality: "bad",
      reason: "s: script workers are shut down",
    });
    expect(h.runtime.stateOf("s")).toEqual({ data: {} });
  });
});
