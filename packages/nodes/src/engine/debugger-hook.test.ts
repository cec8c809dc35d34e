import { describe, expect, it } from "vitest";
import type { NodeInputs, NodeValue, Scalar } from "../core/types";
import { flowHarness, testFlow } from "../testing/harness";
import type { ScanResult } from "./flow-runtime";

/**
 * The runtime side of the debugger (issue 16) on the positional node types: a breakpoint holds the scan
 * before the node, the watched inputs are what it is handed, and a pinned value on an input the flow
 * leaves unconnected is what it computes with. The supervisor's FlowDebugger reaches the runtime only
 * through `beforeNode` (input pins, breakpoints, steps) and `readPoint` (point pins), so a hook that
 * does what it does covers that path too. Each row wires only the inputs the flow requires.
 */

const AI1 = "bacnet:1001/analogInput:1.presentValue";

interface Row {
  type: string;
  config: Record<string, unknown>;
  /** Required inputs, wired from constants (every other input stays unconnected). */
  wired: Record<string, Scalar>;
  /** Values pinned on inputs; for sensor_read, a pinned point read instead. */
  pins: Record<string, Scalar>;
  pointPin?: Scalar;
  port: string;
  unpinned: Partial<NodeValue>;
  pinned: Partial<NodeValue>;
}

const ROWS: Row[] = [
  {
    type: "math",
    config: { input_count: 2, expression: "a * 10 + b" },
    wired: {},
    pins: { a: 4, b: 2 },
    port: "result",
    unpinned: { quality: "bad" },
    pinned: { value: 42, quality: "good" },
  },
  {
    type: "sensor_read",
    config: { point: AI1 },
    wired: {},
    pins: {},
    pointPin: 30,
    port: "value",
    unpinned: { value: 21.5, quality: "good" },
    pinned: { value: 30, quality: "good" },
  },
  {
    type: "actuator_write",
    config: { point: "bacnet:1001/analogValue:1", priority: 12 },
    wired: { value: 5 },
    pins: { value: 7 },
    port: "commanded",
    unpinned: { value: 5 },
    pinned: { value: 7 },
  },
  {
    type: "threshold",
    config: { operator: ">", value: 24.5 },
    wired: { value: 30 },
    pins: { limit: 40 },
    port: "result",
    unpinned: { value: true, quality: "good" },
    pinned: { value: false, quality: "good" },
  },
  {
    type: "hysteresis",
    config: { setpoint: 25, deadband: 2 },
    wired: { value: 30 },
    pins: { setpoint: 35 },
    port: "output",
    unpinned: { value: true, quality: "good" },
    pinned: { value: false, quality: "good" },
  },
  {
    type: "pid",
    config: { setpoint: 20, action: "reverse" },
    wired: { pv: 20 },
    pins: { setpoint: 22 },
    port: "error",
    unpinned: { value: 0, quality: "good" },
    pinned: { value: 2, quality: "good" },
  },
  {
    type: "select",
    config: { input_count: 2 },
    wired: { selector: 1 },
    pins: { in1: "pinned" },
    port: "value",
    unpinned: { quality: "bad" },
    pinned: { value: "pinned", quality: "good" },
  },
];

/** The row's node ("n") with a constant feeding each required input. */
function rig(row: Row) {
  const sources = Object.entries(row.wired);
  const h = flowHarness(
    testFlow(
      [
        ...sources.map(([port, value]) => ({ id: `k_${port}`, type: "constant", config: { value } })),
        { id: "n", type: row.type, config: row.config },
      ],
      sources.map(([port]) => ({
        from_node: `k_${port}`,
        from_output: "value",
        to_node: "n",
        to_input: port,
      })),
    ),
  );
  h.setPoint(AI1, 21.5);
  return h;
}

/** What the supervisor's debugger does in its hook: apply the pins, keep what the node saw, hold it. */
function debuggerHook(pins: Record<string, Scalar>, now: number) {
  const watched = new Map<string, NodeInputs>();
  let release: (() => void) | undefined;
  const hook = (nodeId: string, inputs: NodeInputs): void | Promise<void> => {
    if (nodeId !== "n") return undefined;
    for (const [port, value] of Object.entries(pins))
      inputs[port] = { value, quality: "good", timestamp: now, reason: "pinned by op" };
    watched.set(nodeId, { ...inputs });
    return new Promise<void>((resolve) => {
      release = resolve;
    });
  };
  return { hook, watched, release: () => release?.() };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("debugger hook on positional nodes whose inputs are not connected", () => {
  it.each(ROWS)("$type: breakpoint, watched inputs and pins", async (row) => {
    const h = rig(row);
    const unpinned = await h.scan(1000);
    expect(unpinned.runs.find((r) => r.nodeId === "n")?.outputs[row.port]).toMatchObject(row.unpinned);
    const before = h.output("n", row.port);

    const now = h.plant.now + 1000;
    const dbg = debuggerHook(row.pins, now);
    let result: ScanResult | undefined;
    const held = h.runtime
      .runScan({
        now,
        trigger: "interval",
        readPoint: (p) =>
          p === AI1 && row.pointPin !== undefined
            ? { value: row.pointPin, quality: "good", timestamp: now }
            : h.plant.points.get(p),
        beforeNode: dbg.hook,
      })
      .then((r) => {
        result = r;
      });
    await tick();
    // Held at the breakpoint: the node has not run yet and still shows last scan's outputs.
    expect(result).toBeUndefined();
    expect(h.output("n", row.port)).toEqual(before);
    const watched = dbg.watched.get("n")!;
    for (const [port, value] of Object.entries({ ...row.wired, ...row.pins }))
      expect(watched[port]?.value).toBe(value);
    dbg.release();
    await held;
    const run = result!.runs.find((r) => r.nodeId === "n")!;
    expect(run.status).toBe("completed");
    expect(run.outputs[row.port]).toMatchObject(row.pinned);
    for (const [port, value] of Object.entries(row.pins)) expect(run.inputs[port]?.value).toBe(value);

    // The pin is gone with the hook: the next scan computes from the flow's own inputs again.
    h.plant.now = now;
    const after = (await h.scan(1000)).runs.find((r) => r.nodeId === "n")!;
    expect(after.outputs[row.port]).toMatchObject(row.unpinned);
    expect(Object.keys(after.inputs).sort()).toEqual(Object.keys(row.wired).sort());
  });

  it("a pinned enable on a PID whose enable is not connected disables it (outputs held)", async () => {
    const h = rig(ROWS.find((row) => row.type === "pid")!);
    await h.scan(1000);
    const held = h.output("n", "output");
    h.plant.now += 1000;
    const result = await h.runtime.runScan({
      now: h.plant.now,
      trigger: "interval",
      readPoint: () => undefined,
      beforeNode: (nodeId, inputs) => {
        if (nodeId === "n") inputs.enable = { value: false, quality: "good", timestamp: h.plant.now };
      },
    });
    const run = result.runs.find((r) => r.nodeId === "n")!;
    expect(run.status).toBe("skipped");
    expect(run.inputs.enable?.value).toBe(false);
    expect(run.outputs.output).toEqual(held);
  });
});
