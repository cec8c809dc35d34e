import { compileFlow, FlowRuntime, lookupNode, type NodeValue } from "@bms/nodes";
import { describe, expect, it } from "vitest";
import { FlowDebugger } from "./flow-debugger";

const ZONE = "bacnet:1001/analogInput:1.presentValue";

/** zone → double (a * 2) → out (actuator_write AV1 @12): three nodes in plan order. */
function runtime() {
  const plan = compileFlow(
    {
      metadata: {
        flow_id: "00000000-0000-4000-8000-000000000009",
        flow_name: "debug",
        version: "1.0.0",
        generated_at: "2026-01-01T00:00:00Z",
      },
      nodes: [
        { id: "zone", type: "sensor_read", config: { point: ZONE } },
        { id: "double", type: "math", config: { input_count: 1, expression: "a * 2" } },
        { id: "out", type: "actuator_write", config: { point: "bacnet:1001/analogValue:1", priority: 12 } },
      ],
      connections: [
        { from_node: "zone", from_output: "value", to_node: "double", to_input: "a" },
        { from_node: "double", from_output: "result", to_node: "out", to_input: "value" },
      ],
    },
    lookupNode,
  );
  if (!plan.ok) throw new Error(JSON.stringify(plan.errors));
  return new FlowRuntime(plan.value, { onFailure: "continue", retryCount: 0 });
}

const events: string[] = [];
const log = { add: (_l: string, _s: string, message: string) => void events.push(message) };

function scan(rt: FlowRuntime, dbg: FlowDebugger, zone: number, now = 1000) {
  const hook = dbg.beforeNodeHook(rt);
  return rt.runScan({
    now,
    trigger: "interval",
    readPoint: (p): NodeValue | undefined =>
      dbg.pointValue(p, now) ?? (p === ZONE ? { value: zone, quality: "good", timestamp: now } : undefined),
    ...(hook ? { beforeNode: hook } : {}),
  });
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("flow debugger", () => {
  it("costs nothing while nothing is set", () => {
    expect(new FlowDebugger("f", log).beforeNodeHook(runtime())).toBeUndefined();
  });

  it("holds a scan before a breakpoint with its writes, steps node by node and scan by scan, and continues", async () => {
    const rt = runtime();
    const dbg = new FlowDebugger("f", log);
    dbg.setBreakpoints(["out"]);
    let done = false;
    const first = scan(rt, dbg, 21).then((r) => {
      done = true;
      return r;
    });
    await tick();
    expect(dbg.pause).toMatchObject({ nodeId: "out", scan: 1, reason: "breakpoint" });
    expect(done).toBe(false);
    // Inspect: the evaluated node's output is this scan's, the paused node's inputs are gathered.
    expect(rt.outputsOf("double")?.result?.value).toBe(42);
    expect(dbg.inputsOf("out")?.value?.value).toBe(42);
    expect(dbg.resume("scan", "op")).toBe(true);
    const result = await first;
    expect(result.writes.map((w) => [w.point, w.value, w.priority])).toEqual([
      ["bacnet:1001/analogValue:1.presentValue", 42, 12],
    ]);
    // Step scan: the next scan stops before its first node.
    const second = scan(rt, dbg, 22);
    await tick();
    expect(dbg.pause).toMatchObject({ nodeId: "zone", scan: 2, reason: "step" });
    dbg.resume("node", "op");
    await tick();
    expect(dbg.pause).toMatchObject({ nodeId: "double", reason: "step" });
    dbg.resume("continue", "op");
    await tick();
    // The breakpoint still holds.
    expect(dbg.pause).toMatchObject({ nodeId: "out", scan: 2 });
    dbg.setBreakpoints([]);
    dbg.resume("continue", "op");
    expect((await second).writes[0]!.value).toBe(44);
    expect(dbg.resume("continue", "op")).toBe(false);
  });

  it("resumes by itself after the maximum pause", async () => {
    const rt = runtime();
    const dbg = new FlowDebugger("f", log);
    dbg.setBreakpoints(["double"], 30);
    const started = Date.now();
    const r = await scan(rt, dbg, 20);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(r.writes[0]!.value).toBe(40);
    expect(events.some((e) => e.includes("resumed by itself after the maximum pause of 30 ms"))).toBe(true);
  });

  it("pins a node input and a point read until removed or expired", async () => {
    let now = 1000;
    const rt = runtime();
    const dbg = new FlowDebugger("f", log, () => now);
    const input = dbg.addPin({ kind: "input", node: "double", port: "a" }, 30, "good", 10_000, "op");
    expect((await scan(rt, dbg, 21, now)).writes[0]!.value).toBe(60);
    dbg.removePin(input.id);
    expect((await scan(rt, dbg, 21, now)).writes[0]!.value).toBe(42);
    dbg.addPin({ kind: "point", ref: ZONE }, 10, "good", 10_000, "op");
    expect((await scan(rt, dbg, 21, now)).writes[0]!.value).toBe(20);
    // A second pin on the same target replaces the first.
    dbg.addPin({ kind: "point", ref: ZONE }, 11, "uncertain", 5_000, "op");
    expect(dbg.activePins()).toHaveLength(1);
    expect((await scan(rt, dbg, 21, now)).runs[0]!.outputs.value).toMatchObject({
      value: 11,
      quality: "uncertain",
    });
    now += 5_000;
    expect((await scan(rt, dbg, 21, now)).writes[0]!.value).toBe(42);
    expect(dbg.activePins()).toEqual([]);
  });

  it("records a dry run's writes, the changes in order and what it would command now", () => {
    const dbg = new FlowDebugger("f", log);
    dbg.setDryRun(true, "op");
    const w = (value: number) => ({ point: "p", value, priority: 12, heartbeatMs: 0, nodeId: "out" });
    dbg.suppress([w(1)], 1);
    dbg.suppress([w(1)], 2);
    dbg.suppress([w(2)], 3);
    expect(dbg.suppressed.map((s) => [s.value, s.at])).toEqual([
      [1, 1],
      [2, 3],
    ]);
    expect([...dbg.wouldCommand.values()]).toEqual([
      { point: "p", value: 2, priority: 12, node_id: "out", at: 3 },
    ]);
  });

  it("releases a held scan when the flow stops", async () => {
    const rt = runtime();
    const dbg = new FlowDebugger("f", log);
    dbg.setBreakpoints(["zone"]);
    const held = scan(rt, dbg, 20);
    await tick();
    dbg.release("the flow stopped");
    expect((await held).writes[0]!.value).toBe(40);
  });
});
