import type { OnFailure } from "@bms/schemas";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineNode } from "../core/types";
import { lookupNode } from "../registry";
import { testFlow } from "../testing/harness";
import { compileFlow } from "./compile";
import { FlowRuntime, timeoutMessage } from "./flow-runtime";

/**
 * Per-node timeout_ms: executors are synchronous, so the runtime cannot preempt one; it measures every
 * execution of a node that sets timeout_ms and fails an execution that overran it. Here a test node
 * "takes" a scripted time on the runtime's fake clock: each attempt consumes the next entry of `script`
 * (ms spent, or "throw" to fail outright).
 */
type Step = number | "throw";

function rig(options: { timeout_ms?: number; retry_count?: number; on_failure?: OnFailure }, script: Step[]) {
  let t = 0;
  const steps = [...script];
  let executions = 0;
  const work = defineNode({
    type: "work",
    version: 1,
    category: "logic",
    label: "Work",
    icon: "cpu",
    description: "Takes the scripted time on the fake clock.",
    inputs: [{ name: "in", type: "any" }],
    outputs: [{ name: "out", type: "number" }],
    config: z.object({}),
    execute(inputs, _config, _state, ctx) {
      executions++;
      const step = steps.shift() ?? 0;
      if (step === "throw") throw new Error("device said no");
      t += step;
      return { out: { value: Number(inputs.in?.value) + 1, quality: "good", timestamp: ctx.now } };
    },
  });
  const registry = (type: string) => (type === "work" ? work : lookupNode(type));
  const flow = testFlow(
    [
      { id: "src", type: "constant", config: { value: 1 } },
      { id: "w", type: "work", config: {}, runtime_options: options },
      { id: "after", type: "math", config: { expression: "a * 10" } },
    ],
    [
      { from_node: "src", from_output: "value", to_node: "w", to_input: "in" },
      { from_node: "w", from_output: "out", to_node: "after", to_input: "a" },
    ],
  );
  const compiled = compileFlow(flow, registry);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  const logs: string[] = [];
  const runtime = new FlowRuntime(compiled.value, { onFailure: "continue", retryCount: 0, clock: () => t });
  let now = 1_700_000_000_000;
  return {
    runtime,
    executions: () => executions,
    logs,
    push: (...more: Step[]) => steps.push(...more),
    scan() {
      now += 1000;
      return runtime.runScan({
        now,
        trigger: "interval",
        readPoint: () => undefined,
        log: (_level, nodeId, message) => logs.push(`${nodeId}: ${message}`),
      });
    },
  };
}

describe("per-node timeout_ms: an overrun check on a fake clock", () => {
  const cases: {
    name: string;
    options: { timeout_ms?: number; retry_count?: number; on_failure?: OnFailure };
    script: Step[];
    status: "completed" | "error";
    durationMs: number;
    executions: number;
    error?: string;
  }[] = [
    {
      name: "within its timeout",
      options: { timeout_ms: 50 },
      script: [10],
      status: "completed",
      durationMs: 10,
      executions: 1,
    },
    {
      name: "exactly at its timeout",
      options: { timeout_ms: 50 },
      script: [50],
      status: "completed",
      durationMs: 50,
      executions: 1,
    },
    {
      name: "over its timeout",
      options: { timeout_ms: 50 },
      script: [80],
      status: "error",
      durationMs: 80,
      executions: 1,
      error: "took 80 ms, over its timeout of 50 ms",
    },
    {
      name: "no timeout_ms: never checked, however long",
      options: {},
      script: [10_000],
      status: "completed",
      durationMs: 10_000,
      executions: 1,
    },
    {
      name: "overrun, then a retry within the timeout",
      options: { timeout_ms: 50, retry_count: 1 },
      script: [80, 10],
      status: "completed",
      durationMs: 90,
      executions: 2,
    },
    {
      name: "every retry overruns: the last attempt's time is the reason",
      options: { timeout_ms: 50, retry_count: 2 },
      script: [80, 70, 60],
      status: "error",
      durationMs: 210,
      executions: 3,
      error: "took 60 ms, over its timeout of 50 ms",
    },
    {
      name: "a throw, then a retry that overruns",
      options: { timeout_ms: 50, retry_count: 1 },
      script: ["throw", 51],
      status: "error",
      durationMs: 51,
      executions: 2,
      error: "took 51 ms, over its timeout of 50 ms",
    },
    {
      name: "an overrun, then a retry that throws",
      options: { timeout_ms: 50, retry_count: 1 },
      script: [70, "throw"],
      status: "error",
      durationMs: 70,
      executions: 2,
      error: "device said no",
    },
    {
      name: "fractional milliseconds are reported to 0.1 ms",
      options: { timeout_ms: 1 },
      script: [1.234],
      status: "error",
      durationMs: 1.234,
      executions: 1,
      error: "took 1.2 ms, over its timeout of 1 ms",
    },
  ];

  it.each(cases)("$name", async ({ options, script, status, durationMs, executions, error }) => {
    const r = rig(options, script);
    const result = await r.scan();
    const run = result.runs.find((x) => x.nodeId === "w")!;
    expect(run.status).toBe(status);
    expect(run.durationMs).toBeCloseTo(durationMs, 9);
    expect(r.executions()).toBe(executions);
    expect(run.error).toBe(error);
    const after = result.runs.find((x) => x.nodeId === "after")!;
    if (status === "completed") {
      expect(run.outputs.out).toMatchObject({ value: 2, quality: "good" });
      expect(after.outputs.result).toMatchObject({ value: 20, quality: "good" });
      expect(r.logs).toEqual([]);
    } else {
      // Failed like a throw: bad outputs with the reason, logged, and downstream sees a bad input.
      expect(run.outputs.out).toMatchObject({ value: null, quality: "bad", reason: `w: ${error}` });
      expect(after.status).toBe("completed");
      expect(after.outputs.result?.quality).toBe("bad");
      expect(r.logs).toEqual([`w: ${error}`]);
    }
  });

  const policies: { onFailure: OnFailure; stopped: boolean; alerts: number; afterRuns: boolean }[] = [
    { onFailure: "continue", stopped: false, alerts: 0, afterRuns: true },
    { onFailure: "alert", stopped: false, alerts: 1, afterRuns: true },
    { onFailure: "stop", stopped: true, alerts: 0, afterRuns: false },
  ];

  it.each(policies)(
    "an overrun follows on_failure $onFailure",
    async ({ onFailure, stopped, alerts, afterRuns }) => {
      const r = rig({ timeout_ms: 20, on_failure: onFailure }, [25]);
      const result = await r.scan();
      const message = timeoutMessage(25, 20);
      expect(message).toBe("took 25 ms, over its timeout of 20 ms");
      expect(result.stoppedBy).toEqual(stopped ? { nodeId: "w", error: message } : undefined);
      expect(result.alerts).toHaveLength(alerts);
      if (alerts > 0) {
        expect(result.alerts[0]).toMatchObject({
          nodeId: "w",
          key: "node-failure:w",
          state: "active",
          priority: "high",
          message: `Node w (work) failed: ${message}`,
        });
      }
      expect(result.runs.some((x) => x.nodeId === "after")).toBe(afterRuns);
    },
  );

  it("checks every scan, not only the scans that sample node durations", async () => {
    // nodeTimingEvery defaults to 16: scans 2..16 are not sampled, but a node with timeout_ms is measured.
    const r = rig({ timeout_ms: 50 }, [10, 10, 10, 90, 10]);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await r.scan()).runs.find((x) => x.nodeId === "w")!);
    expect(statuses.map((s) => s.status)).toEqual([
      "completed",
      "completed",
      "completed",
      "error",
      "completed",
    ]);
    expect(statuses.map((s) => s.durationMs)).toEqual([10, 10, 10, 90, 10]);
    expect(statuses[3]!.error).toBe("took 90 ms, over its timeout of 50 ms");
  });

  it("keeps the state an overrunning execution left (it ran to completion) and its run time", async () => {
    const r = rig({ timeout_ms: 5 }, [9]);
    await r.scan();
    const saved = r.runtime.exportState().find((s) => s.node_id === "w")!;
    expect(saved.last_run_at).toBe(1_700_000_001_000);
    expect(saved.outputs?.out?.quality).toBe("bad");
  });
});
