import { beforeAll, describe, expect, it } from "vitest";
import type { ScriptErrorCode, ScriptJob } from "../core/script-runner";
import { MEMORY_HOG_CEILING_MS, timeKept } from "../testing/budget-clock";
import {
  inThreadScriptRunner,
  loadedScriptEngine,
  loadScriptEngine,
  MAX_WASM_BYTES,
} from "./quickjs-sandbox";

beforeAll(async () => {
  await loadScriptEngine();
});

/** Room for creating the interpreter and a busy 2-core machine, on top of a job's budget. */
const SLACK_MS = 60;
/** See MEMORY_HOG_CEILING_MS. */
const CEILING_MS = MEMORY_HOG_CEILING_MS;

function job(code: string, timeoutMs = 100, memoryMb = 8): ScriptJob {
  return {
    code,
    input: JSON.stringify({ inputs: { in1: 21 }, quality: { in1: "good" }, state: { n: 1 }, now: 0, dt: 0 }),
    timeoutMs,
    memoryBytes: memoryMb * 1024 * 1024,
  };
}

describe("QuickJS sandbox, in this thread", () => {
  const cases: {
    name: string;
    code: string;
    timeoutMs?: number;
    memoryMb?: number;
    /** When the budget is not what bounds the run (see CEILING_MS). */
    withinMs?: number;
    ok?: { result: unknown; state: unknown };
    fails?: { code: ScriptErrorCode; message: RegExp };
  }[] = [
    {
      name: "a normal script returns its result and its state",
      code: "state.n += 1; return inputs.in1 * 2;",
      ok: { result: 42, state: { n: 2 } },
    },
    {
      name: "a syntax error",
      code: "return (;",
      fails: { code: "syntax", message: /^SyntaxError: / },
    },
    {
      name: "a runaway loop spends its budget",
      code: "while (true) {}",
      fails: { code: "timeout", message: /^script exceeded its time budget$/ },
    },
    {
      name: "a runaway loop with a longer budget",
      code: "for (;;) { Math.sqrt(2); }",
      timeoutMs: 300,
      fails: { code: "timeout", message: /time budget/ },
    },
    {
      name: "catastrophic regex backtracking is interrupted too",
      code: "return /(a+)+$/.test('a'.repeat(32) + 'b');",
      fails: { code: "timeout", message: /time budget/ },
    },
    {
      name: "a memory hog: one allocation over memory_mb",
      code: "return 'x'.repeat(4 * 1024 * 1024).length;",
      memoryMb: 2,
      fails: { code: "memory", message: /out of memory/ },
    },
    {
      name: "a memory hog: many allocations each under memory_mb",
      code: "const keep = []; while (true) keep.push(new Float64Array(10000));",
      withinMs: CEILING_MS,
      fails: { code: "memory", message: /out of memory/ },
    },
    {
      name: "a throwing script",
      code: "throw new RangeError('setpoint out of range');",
      fails: { code: "exception", message: /^RangeError: setpoint out of range$/ },
    },
    {
      name: "a non-error thrown",
      code: "throw 'plain text';",
      fails: { code: "exception", message: /plain text/ },
    },
    {
      name: "runaway recursion",
      code: "const f = (n) => f(n + 1) + 1; return f(0);",
      fails: { code: "stack", message: /stack overflow/ },
    },
  ];

  it.each(cases)(
    "$name: an outcome within its budget",
    async ({ code, timeoutMs, memoryMb, withinMs, ok, fails }) => {
      const budget = timeoutMs ?? 100;
      const { result: outcome, ms: took } = await timeKept(() =>
        inThreadScriptRunner.run(job(code, budget, memoryMb)),
      );
      if (outcome instanceof Promise) throw new Error("the in-thread runner answers synchronously");
      if (ok) expect(outcome).toEqual({ ok: true, ...ok });
      else {
        expect(outcome).toMatchObject({ ok: false, code: fails!.code });
        expect(outcome.ok ? "" : outcome.message).toMatch(fails!.message);
      }
      expect(took).toBeLessThan(withinMs ?? budget + SLACK_MS);
    },
  );

  it("never lets the interpreter's memory grow past its hard ceiling, and keeps working after a hog", () => {
    const memory = loadedScriptEngine()!.getWasmMemory();
    // Allocations of 7 MB each pass the per-allocation limit of 8 MB; only the ceiling stops them.
    const started = performance.now();
    const hog = inThreadScriptRunner.run(job("const k = []; while (true) k.push(new Uint8Array(7e6));"));
    expect(performance.now() - started).toBeLessThan(CEILING_MS);
    expect(hog).toMatchObject({ ok: false, code: "memory" });
    expect(memory.buffer.byteLength).toBeLessThanOrEqual(MAX_WASM_BYTES);
    expect(inThreadScriptRunner.run(job("return [1, 2].map((x) => x + inputs.in1);"))).toEqual({
      ok: true,
      result: [22, 23],
      state: { n: 1 },
    });
  });

  it("nothing of the host is reachable: no process, require, network, timers or fine clock", () => {
    const probe = inThreadScriptRunner.run(
      job(
        "return [typeof process, typeof require, typeof globalThis.fetch, typeof setTimeout, " +
          "typeof performance, Function('return typeof process')()];",
      ),
    );
    expect(probe).toEqual({
      ok: true,
      result: ["undefined", "undefined", "undefined", "undefined", "undefined", "undefined"],
      state: { n: 1 },
    });
  });
});
