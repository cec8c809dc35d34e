import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineNode } from "../core/types";
import { lookupNode } from "../registry";
import { flowHarness, testFlow } from "../testing/harness";
import { compileFlow } from "./compile";
import { FlowRuntime } from "./flow-runtime";

const TEMP = "bacnet:1001/analogInput:1.presentValue";
const COOL = "bacnet:1001/binaryOutput:1.presentValue";

function skeleton() {
  return testFlow(
    [
      { id: "temp", type: "sensor_read", alias: "temp", config: { point: "bacnet:1001:AI1" } },
      { id: "hot", type: "threshold", config: { operator: ">", value: 24.5 } },
      { id: "cool", type: "actuator_write", config: { point: "bacnet:1001/binaryOutput:1", priority: 8 } },
    ],
    [
      { from_node: "temp", from_output: "value", to_node: "hot", to_input: "value" },
      { from_node: "hot", from_output: "result", to_node: "cool", to_input: "value" },
    ],
  );
}

describe("flow runtime: sensor_read → threshold → actuator_write", () => {
  it("reads canonical points and commands the output at the configured priority", async () => {
    const h = flowHarness(skeleton());
    expect(h.plan.reads).toEqual([TEMP]);
    expect(h.plan.writes).toEqual([COOL]);
    h.setPoint(TEMP, 25.1);
    const first = await h.scan();
    expect(first.writes).toEqual([{ point: COOL, value: true, priority: 8, heartbeatMs: 0, nodeId: "cool" }]);
    expect(first.runs.map((r) => [r.nodeId, r.status])).toEqual([
      ["temp", "completed"],
      ["hot", "completed"],
      ["cool", "completed"],
    ]);
    h.setPoint(TEMP, 23.9);
    expect((await h.scan(1000)).writes[0]?.value).toBe(false);
  });

  it("holds the command when the sensor goes bad (no write of garbage)", async () => {
    const h = flowHarness(skeleton());
    h.setPoint(TEMP, null, "bad");
    const result = await h.scan();
    expect(result.writes).toEqual([]);
    expect(h.output("hot", "result")?.quality).toBe("bad");
    expect(h.output("cool", "commanded")?.reason).toContain("holding");
  });

  it("evaluates in dependency order whatever order the nodes were written in", () => {
    const flow = skeleton();
    flow.nodes.reverse();
    const h = flowHarness(flow);
    expect(h.plan.nodes.map((n) => n.id)).toEqual(["temp", "hot", "cool"]);
  });

  it("restores state for unchanged nodes only", async () => {
    const h = flowHarness(skeleton());
    h.setPoint(TEMP, 30);
    await h.scan();
    const saved = h.runtime.exportState();
    const changed = skeleton();
    (changed.nodes[1]!.config as { value: number }).value = 20;
    const h2 = flowHarness(changed);
    expect(h2.runtime.importState(saved).sort()).toEqual(["cool", "temp"]);
  });
});

describe("flow runtime: engine services nodes rely on", () => {
  function chain() {
    return testFlow(
      [
        { id: "k", type: "constant", config: { value: 2 } },
        { id: "m", type: "math", config: { expression: "a * 3" } },
      ],
      [{ from_node: "k", from_output: "value", to_node: "m", to_input: "a" }],
    );
  }

  it("measures node durations every nodeTimingEvery scans and repeats the last measurement between", async () => {
    const compiled = compileFlow(chain(), lookupNode);
    if (!compiled.ok) throw new Error("does not compile");
    let t = 0;
    const runtime = new FlowRuntime(compiled.value, {
      onFailure: "continue",
      retryCount: 0,
      nodeTimingEvery: 3,
      clock: () => (t += 5),
    });
    const io = { now: 0, trigger: "interval", readPoint: () => undefined };
    const durations: number[][] = [];
    for (let i = 0; i < 4; i++) durations.push((await runtime.runScan(io)).runs.map((r) => r.durationMs));
    // Scans 1 and 4 are measured (5 ms per clock reading); 2 and 3 repeat scan 1's values.
    expect(durations).toEqual([
      [5, 5],
      [5, 5],
      [5, 5],
      [5, 5],
    ]);
    expect(t).toBe(5 * (2 + 2 + 2 + 2 + 2 + 2));
  });

  it("hands sub-flow inputs through to subflow_input nodes and awaits prepare hooks", async () => {
    const h = flowHarness(testFlow([{ id: "in", type: "subflow_input", config: { name: "item" } }]));
    await h.prepare();
    const result = await h.runtime.runScan({
      now: 1,
      trigger: "manual",
      readPoint: () => undefined,
      subflowInput: (name) => (name === "item" ? { value: 7, quality: "good", timestamp: 1 } : undefined),
    });
    expect(result.runs[0]?.outputs.value?.value).toBe(7);
  });

  it("gives each node its own dt and a context that names it", async () => {
    const h = flowHarness(chain());
    await h.scan();
    await h.scan(2500);
    expect(h.output("m", "result")?.value).toBe(6);
    const failing = flowHarness(testFlow([{ id: "bad", type: "math", config: { expression: "1 / 0" } }]));
    expect((await failing.scan()).runs[0]?.outputs.result?.reason).toContain("not a finite number");
  });
});

/** Parameter `p` (starting at `initial`) → math `m` = a * factor: the smallest flow with a wire. */
function parameterTimes(factor: number, initial: number) {
  return testFlow(
    [
      { id: "p", type: "parameter", config: { name: "p", default: initial } },
      { id: "m", type: "math", config: { expression: `a * ${factor}` } },
    ],
    [{ from_node: "p", from_output: "value", to_node: "m", to_input: "a" }],
  );
}

/** A node that throws on 0 (a failing node for the stop and error cases), and the registry with it. */
const reciprocal = defineNode({
  type: "reciprocal",
  version: 1,
  category: "logic",
  label: "Reciprocal",
  icon: "divide",
  description: "1 / a; throws on 0.",
  inputs: [{ name: "a", type: "number" }],
  outputs: [{ name: "result", type: "number" }],
  config: z.object({}),
  execute(inputs, _config, _state, ctx) {
    const a = Number(inputs.a?.value);
    if (a === 0) throw new Error("division by zero");
    return { result: { value: 1 / a, quality: "good", timestamp: ctx.now } };
  },
});
const withReciprocal = (type: string) => (type === "reciprocal" ? reciprocal : lookupNode(type));

describe("flow runtime: what scan-to-scan reuse must not change", () => {
  it("an alias looked up before its node runs this scan reads last scan's value, after it this scan's", async () => {
    // "early" is written first and refers to "late" by alias; "after" refers to it once it has run.
    const h = flowHarness(
      testFlow([
        { id: "early", type: "math", config: { expression: "late + 0" } },
        { id: "late", type: "parameter", alias: "late", config: { name: "sp", default: 1 } },
        { id: "after", type: "math", config: { expression: "late + 0" } },
      ]),
    );
    const run = () => ["early", "after"].map((id) => h.output(id, "result")?.value ?? null);
    await h.scan();
    h.plant.parameters.set("sp", 5);
    await h.scan(1000);
    expect(h.output("late", "value")?.value).toBe(5);
    expect(run()).toEqual([1, 5]);
    await h.scan(1000);
    expect(run()).toEqual([5, 5]);
  });

  it("a node that stops the scan leaves the nodes after it with their last outputs", async () => {
    const flow = testFlow(
      [
        { id: "x", type: "parameter", config: { name: "x", default: 2 } },
        { id: "div", type: "reciprocal", config: {}, runtime_options: { on_failure: "stop" } },
        { id: "tail", type: "parameter", config: { name: "t", default: 7 } },
      ],
      [{ from_node: "x", from_output: "value", to_node: "div", to_input: "a" }],
    );
    const h = flowHarness(flow, withReciprocal);
    await h.scan();
    expect(h.output("tail", "value")?.value).toBe(7);
    h.plant.parameters.set("x", 0);
    h.plant.parameters.set("t", 8);
    const stopped = await h.scan(1000);
    expect(stopped.stoppedBy?.nodeId).toBe("div");
    expect(stopped.runs.map((r) => r.nodeId)).toEqual(["x", "div"]);
    expect(h.output("tail", "value")?.value).toBe(7);
    expect(h.runtime.exportState().find((s) => s.node_id === "tail")?.outputs?.value?.value).toBe(7);
  });

  it("answers each node's id, status, error and duration by index as its run record does, marks included", async () => {
    const flow = testFlow(
      [
        { id: "x", type: "parameter", config: { name: "x", default: 0 } },
        { id: "div", type: "reciprocal", config: {} },
        { id: "gate", type: "parameter", config: { name: "g", default: 1 } },
      ],
      [{ from_node: "x", from_output: "value", to_node: "div", to_input: "a" }],
    );
    const h = flowHarness(flow, withReciprocal);
    const result = await h.scan();
    // Asked before the records exist, then after: the same answers.
    const view = () =>
      Array.from({ length: result.nodeCount }, (_, i) => [
        result.nodeIdAt(i),
        result.statusAt(i),
        result.errorAt(i),
        result.durationAt(i),
      ]);
    const before = view();
    result.markOutputs(0, "uncertain", "device: stale");
    expect(before.map((r) => r.slice(0, 3))).toEqual([
      ["x", "completed", undefined],
      ["div", "error", "division by zero"],
      ["gate", "completed", undefined],
    ]);
    const runs = result.runs;
    expect(runs.map((r) => [r.nodeId, r.status, r.error, r.durationMs])).toEqual(before);
    expect(view()).toEqual(before);
    // The mark shows on the record; the runtime's own value is untouched.
    expect(runs[0]!.outputs.value).toMatchObject({ value: 0, quality: "uncertain", reason: "device: stale" });
    expect(h.output("x", "value")?.quality).toBe("good");
    // A bad output keeps its own reason.
    result.markOutputs(1, "uncertain", "device: stale");
    expect(runs[1]!.outputs.result?.quality).toBe("bad");
  });

  it("hands each scan's inputs in the run record; a copy keeps them past the next scan", async () => {
    const h = flowHarness(parameterTimes(2, 1));
    const first = (await h.scan()).runs.find((r) => r.nodeId === "m")!;
    expect(first.inputs.a?.value).toBe(1);
    const kept = { ...first.inputs };
    const firstOutputs = first.outputs;
    h.plant.parameters.set("p", 3);
    const second = (await h.scan(1000)).runs.find((r) => r.nodeId === "m")!;
    expect(second.inputs.a?.value).toBe(3);
    expect(Object.keys(second.inputs)).toEqual(["a"]);
    expect(JSON.parse(JSON.stringify(second.inputs)).a.value).toBe(3);
    // The copy and the earlier outputs are unchanged by the later scan.
    expect(kept.a?.value).toBe(1);
    expect(firstOutputs.result?.value).toBe(2);
  });
});

describe("flow runtime: an executor that hands its work elsewhere (a script to a worker)", () => {
  function rig() {
    let release: (() => void) | undefined;
    const waits = defineNode({
      type: "waits",
      version: 1,
      category: "extension",
      label: "Waits",
      icon: "clock",
      description: "Answers when the test releases it, as a script answers when its worker does.",
      inputs: [{ name: "a", type: "number" }],
      outputs: [{ name: "result", type: "number" }],
      config: z.object({}),
      async execute(inputs, _config, _state, ctx) {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return { result: { value: Number(inputs.a?.value) + 1, quality: "good", timestamp: ctx.now } };
      },
    });
    const h = flowHarness(
      testFlow(
        [
          { id: "p", type: "parameter", config: { name: "p", default: 1 } },
          { id: "w", type: "waits", config: {} },
          { id: "m", type: "math", config: { expression: "a * 10" } },
        ],
        [
          { from_node: "p", from_output: "value", to_node: "w", to_input: "a" },
          { from_node: "w", from_output: "result", to_node: "m", to_input: "a" },
        ],
      ),
      (type) => (type === "waits" ? waits : lookupNode(type)),
    );
    const released = async () => {
      while (!release) await new Promise((resolve) => setTimeout(resolve, 1));
      const go = release;
      release = undefined;
      go();
    };
    return { h, released };
  }

  it("awaits it before the nodes after it, and answers lookups meanwhile with last scan's values", async () => {
    const { h, released } = rig();
    const first = h.scan();
    await released();
    await first;
    expect(h.output("m", "result")?.value).toBe(20);

    h.plant.parameters.set("p", 4);
    const second = h.scan(1000);
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Mid-scan: p has run this scan; w and m still show what they had.
    expect(h.output("p", "value")?.value).toBe(4);
    expect(h.output("w", "result")?.value).toBe(2);
    expect(h.output("m", "result")?.value).toBe(20);
    await released();
    const result = await second;
    expect(result.runs.map((r) => [r.nodeId, r.status])).toEqual([
      ["p", "completed"],
      ["w", "completed"],
      ["m", "completed"],
    ]);
    expect(h.output("m", "result")?.value).toBe(50);
  });

  it("refuses a second scan of the same flow while one is running", async () => {
    const { h, released } = rig();
    const first = h.scan();
    await expect(h.scan()).rejects.toThrow("a scan of this flow is already running");
    await released();
    await first;
    const again = h.scan(1000);
    await released();
    expect((await again).scan).toBe(2);
  });
});

describe("flow runtime: a flow of synchronous nodes", () => {
  it("has finished its scan when runScan returns, so back-to-back scans need no await in between", async () => {
    const h = flowHarness(parameterTimes(3, 2));
    const first = h.scan();
    expect(h.output("m", "result")?.value).toBe(6);
    h.plant.parameters.set("p", 5);
    const second = h.scan(1000);
    expect(h.output("m", "result")?.value).toBe(15);
    expect([(await first).scan, (await second).scan]).toEqual([1, 2]);
  });
});
