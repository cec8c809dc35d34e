import { describe, expect, it } from "vitest";
import { flowHarness, testFlow } from "../testing/harness";
import { mathAndLatch } from "../testing/hosted-flows";
import { nodeRunner, roundTrip, v } from "../testing/node-runner";
import "../registry";
import { subflow } from "./subflow";

const F_TO_C = subflow.examples![0]!.config;

/** out1 = in1 + in2; out2 only when in1 > 0 (a conditional inside). */
const BRANCHY = {
  flow: {
    nodes: [
      { id: "a", type: "subflow_input", config: { name: "in1" } },
      { id: "b", type: "subflow_input", config: { name: "in2", default: 0 } },
      { id: "sum", type: "math", config: { expression: "a + b" } },
      { id: "pos", type: "threshold", config: { operator: ">", value: 0 } },
      { id: "if", type: "conditional", config: {} },
      { id: "o1", type: "subflow_output", config: { name: "out1" } },
      { id: "o2", type: "subflow_output", config: { name: "out2" } },
    ],
    connections: [
      { from_node: "a", from_output: "value", to_node: "sum", to_input: "a" },
      { from_node: "b", from_output: "value", to_node: "sum", to_input: "b" },
      { from_node: "sum", from_output: "result", to_node: "o1", to_input: "value" },
      { from_node: "a", from_output: "value", to_node: "pos", to_input: "value" },
      { from_node: "pos", from_output: "result", to_node: "if", to_input: "condition" },
      { from_node: "a", from_output: "value", to_node: "if", to_input: "value" },
      { from_node: "if", from_output: "then", to_node: "o2", to_input: "value" },
    ],
  },
};

describe("subflow", () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>][] = [
    ["maps in1 to out1", F_TO_C, { in1: 100 }, { out1: 212 }],
    ["unconnected input uses the sub-flow's default", BRANCHY, { in1: 2 }, { out1: 2, out2: 2 }],
    ["an output whose branch was not taken is left out", BRANCHY, { in1: -1, in2: 5 }, { out1: 4 }],
    ["bad quality passes through", F_TO_C, { in1: v(null, "bad") }, { out1: null }],
  ];
  it.each(cases)("%s", async (_name, config, inputs, expected) => {
    const out = await nodeRunner(subflow, config).runAsync(inputs as never);
    expect(Object.fromEntries(Object.entries(out).map(([k, x]) => [k, x.value]))).toEqual(expected);
  });

  it("keeps its inner state across a restart", async () => {
    const config = {
      flow: {
        nodes: [
          { id: "x", type: "subflow_input", config: { name: "in1" } },
          { id: "t", type: "totalizer", config: { rate_per: "second" } },
          { id: "o", type: "subflow_output", config: { name: "out1" } },
        ],
        connections: [
          { from_node: "x", from_output: "value", to_node: "t", to_input: "rate" },
          { from_node: "t", from_output: "total", to_node: "o", to_input: "value" },
        ],
      },
    };
    const r = nodeRunner(subflow, config);
    await r.runAsync({ in1: 1 });
    await r.runAsync({ in1: 1 }, 1000);
    r.state = roundTrip(r.state);
    expect((await r.runAsync({ in1: 1 }, 1000)).out1?.value).toBe(2);
  });

  it("skips downstream nodes of an output it left out, in a flow", async () => {
    const h = flowHarness(
      testFlow(
        [
          { id: "k", type: "constant", config: { value: -1 } },
          { id: "group", type: "subflow", config: BRANCHY },
          { id: "after", type: "not", config: {} },
        ],
        [
          { from_node: "k", from_output: "value", to_node: "group", to_input: "in1" },
          { from_node: "group", from_output: "out2", to_node: "after", to_input: "value" },
        ],
      ),
    );
    expect((await h.scan()).runs.find((r) => r.nodeId === "after")?.status).toBe("skipped");
  });

  // The part written at the end of the scan (NodeDefinition.onChangeState): the inner on-change nodes'.
  describe("what a power cut may lose", () => {
    const MATH_AND_LATCH = { flow: mathAndLatch("in1", "out1") };

    it("saves only the inner nodes that have state, as a flow does", async () => {
      const r = nodeRunner(subflow, MATH_AND_LATCH);
      await r.runAsync({ in1: 1 });
      expect(r.state.saved.map((s) => s.node_id).sort()).toEqual(["f", "trip"]);
    });

    it("takes a nested sub-flow's own part, not its periodic inside", async () => {
      const r = nodeRunner(subflow, {
        flow: {
          nodes: [
            { id: "in", type: "subflow_input", config: { name: "in1" } },
            { id: "inner", type: "subflow", config: MATH_AND_LATCH },
            { id: "out", type: "subflow_output", config: { name: "out1" } },
          ],
          connections: [
            { from_node: "in", from_output: "value", to_node: "inner", to_input: "in1" },
            { from_node: "inner", from_output: "out1", to_node: "out", to_input: "value" },
          ],
        },
      });
      const part = () => JSON.stringify(subflow.onChangeState!(r.state, r.config));
      await r.runAsync({ in1: 1 });
      const first = part();
      expect((await r.runAsync({ in1: 2 }, 1000)).out1?.value).toBe(4);
      expect(part()).toBe(first);
      await r.runAsync({ in1: 200 }, 1000);
      expect(part()).not.toBe(first);
    });
  });
});
