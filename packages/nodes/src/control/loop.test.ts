import { describe, expect, it } from "vitest";
import { flowHarness, testFlow } from "../testing/harness";
import { nodeRunner, roundTrip, v } from "../testing/node-runner";
import "../registry";
import { loop } from "./loop";

/** result = item * factor + index, where factor is the loop's in1. */
const SCALE = {
  nodes: [
    { id: "item", type: "subflow_input", config: { name: "item" } },
    { id: "index", type: "subflow_input", config: { name: "index" } },
    { id: "factor", type: "subflow_input", config: { name: "in1", default: 1 } },
    { id: "calc", type: "math", config: { expression: "a * b + c" } },
    { id: "out", type: "subflow_output", config: { name: "result" } },
  ],
  connections: [
    { from_node: "item", from_output: "value", to_node: "calc", to_input: "a" },
    { from_node: "factor", from_output: "value", to_node: "calc", to_input: "b" },
    { from_node: "index", from_output: "value", to_node: "calc", to_input: "c" },
    { from_node: "calc", from_output: "result", to_node: "out", to_input: "value" },
  ],
};

/** A running sum per item (feedback inside), to prove each item keeps its own state. */
const ACCUMULATE = {
  nodes: [
    { id: "item", type: "subflow_input", config: { name: "item" } },
    { id: "sum", type: "math", config: { expression: "a + b" } },
    { id: "last", type: "feedback", config: { initial: 0 } },
    { id: "out", type: "subflow_output", config: { name: "result" } },
  ],
  connections: [
    { from_node: "item", from_output: "value", to_node: "sum", to_input: "a" },
    { from_node: "last", from_output: "value", to_node: "sum", to_input: "b" },
    { from_node: "sum", from_output: "result", to_node: "last", to_input: "value" },
    { from_node: "sum", from_output: "result", to_node: "out", to_input: "value" },
  ],
};

describe("loop", () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>, unknown, string][] = [
    [
      "maps each item with its index and a shared input",
      { flow: SCALE },
      { items: [10, 20, 30], in1: 2 },
      [20, 41, 62],
      "good",
    ],
    ["an empty list gives an empty list", { flow: SCALE }, { items: [[]] }, [], "good"],
    ["one wire carrying a list", { flow: SCALE }, { items: [[10, 20]], in1: 2 }, [20, 41], "good"],
    [
      "a bad item gives a bad result and a bad list",
      { flow: SCALE },
      { items: [1, null, 3] },
      [1, null, 5],
      "bad",
    ],
    [
      "max_items leaves the rest out, uncertain",
      { flow: SCALE, max_items: 2 },
      { items: [1, 2, 3] },
      [1, 3],
      "uncertain",
    ],
    ["a single bad wire is bad", { flow: SCALE }, { items: [v([1], "bad")] }, null, "bad"],
    ["one wire with a scalar is one item", { flow: SCALE }, { items: [5] }, [5], "good"],
    [
      "a bad wire among several is a bad item",
      { flow: SCALE },
      { items: [1, v(2, "bad"), 3] },
      [1, null, 5],
      "bad",
    ],
  ];
  it.each(cases)("%s", async (_name, config, inputs, value, quality) => {
    const out = (await nodeRunner(loop, config).runAsync(inputs as never)).results;
    expect(out?.value).toEqual(value);
    expect(out?.quality).toBe(quality);
  });

  it("gives each item its own state, kept across scans and a restart", async () => {
    const r = nodeRunner(loop, { flow: ACCUMULATE });
    await r.runAsync({ items: [1, 10] });
    expect((await r.runAsync({ items: [1, 10] }, 1000)).results?.value).toEqual([2, 20]);
    r.state = roundTrip(r.state);
    expect((await r.runAsync({ items: [1, 10] }, 1000)).results?.value).toEqual([3, 30]);
    // A shrinking list drops the extra copies; a new item starts fresh.
    expect((await r.runAsync({ items: [1] }, 1000)).results?.value).toEqual([4]);
    expect((await r.runAsync({ items: [1, 10] }, 1000)).results?.value).toEqual([5, 10]);
  });

  it("refuses a sub-flow that does not compile, naming the problem", () => {
    const parsed = loop.config.safeParse({
      flow: { nodes: [{ id: "x", type: "nope", config: {} }], connections: [] },
    });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain('has no node type \\"nope\\"');
  });

  it("batches the sub-flow's points and forwards its writes with per-item alert keys", async () => {
    const flow = {
      nodes: [
        { id: "oat", type: "sensor_read", config: { point: "bacnet:9/analogInput:1" } },
        { id: "item", type: "subflow_input", config: { name: "item" } },
        { id: "hot", type: "threshold", config: { operator: ">", value: 25 } },
        { id: "cmd", type: "actuator_write", config: { point: "bacnet:9/binaryValue:1", priority: 10 } },
        { id: "al", type: "alert", config: { message: "hot $value" } },
      ],
      connections: [
        { from_node: "item", from_output: "value", to_node: "hot", to_input: "value" },
        { from_node: "hot", from_output: "result", to_node: "cmd", to_input: "value" },
        { from_node: "hot", from_output: "result", to_node: "al", to_input: "condition" },
        { from_node: "item", from_output: "value", to_node: "al", to_input: "value" },
      ],
    };
    const config = loop.config.parse({ flow });
    expect(loop.points?.(config)).toEqual({
      reads: ["bacnet:9/analogInput:1.presentValue"],
      writes: ["bacnet:9/binaryValue:1.presentValue"],
    });
    const r = nodeRunner(loop, { flow });
    await r.runAsync({ items: [20, 30] });
    expect(r.writes.map((w) => w.value)).toEqual([false, true]);
    expect(r.alerts.map((a) => [a.key.replace(/^flow\/node/, ""), a.message])).toEqual([
      ["[1]/00000000-0000-4000-8000-00000000f10e/al", "hot 30"],
    ]);
  });

  it("runs inside a flow: one wire per zone, results to max", async () => {
    const zones = [22, 25, 23.5];
    const h = flowHarness(
      testFlow(
        [
          ...zones.map((value, i) => ({ id: `z${i}`, type: "constant", config: { value } })),
          { id: "each", type: "loop", config: loop.examples![0]!.config },
          { id: "worst", type: "max", config: {} },
        ],
        [
          ...zones.map((_, i) => ({
            from_node: `z${i}`,
            from_output: "value",
            to_node: "each",
            to_input: "items",
          })),
          { from_node: "each", from_output: "results", to_node: "worst", to_input: "inputs" },
        ],
      ),
    );
    await h.scan();
    // clamp((t - 21) * 25, 0, 100) per zone.
    expect(h.output("each", "results")?.value).toEqual([25, 100, 62.5]);
    expect(h.output("worst", "value")?.value).toBe(100);
  });
});
