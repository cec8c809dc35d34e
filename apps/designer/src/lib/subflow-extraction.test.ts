import { compileFlow, FlowRuntime, lookupNode } from "@bms/nodes";
import type { Connection, NodeConfiguration } from "@bms/schemas";
import { describe, expect, it } from "vitest";
import { extractSubflow } from "./subflow-extraction";

const node = (
  id: string,
  type: string,
  config: Record<string, unknown> = {},
  extra: Partial<NodeConfiguration> = {},
) =>
  ({
    id,
    type,
    version: 1,
    config,
    runtime_options: {},
    position: { x: 0, y: 0 },
    ...extra,
  }) as NodeConfiguration;
const wire = (from: string, out: string, to: string, input: string): Connection => ({
  from_node: from,
  from_output: out,
  to_node: to,
  to_input: input,
});

// temp ─┬─> f (°F) ──> hot ──> cmd
//       └─> avg.in1       ^ selection: f, hot
const FLOW = {
  nodes: [
    node("temp", "sensor_read", { point: "bacnet:1/analogInput:1" }, { label: "Zone temp" }),
    node("f", "math", { expression: "a * 1.8 + 32" }, { position: { x: 300, y: 100 } }),
    node("hot", "threshold", { operator: ">", value: 80 }, { alias: "hot", position: { x: 600, y: 140 } }),
    node("cmd", "actuator_write", { point: "bacnet:1/binaryOutput:1" }),
    node("log", "not", {}),
    node("avg", "average", {}),
  ],
  connections: [
    wire("temp", "value", "f", "a"),
    wire("temp", "value", "avg", "in1"),
    wire("f", "result", "hot", "value"),
    wire("hot", "result", "cmd", "value"),
    wire("hot", "result", "log", "value"),
    wire("f", "result", "avg", "in2"),
  ],
};

const metadata = {
  flow_id: "3f1c2b7e-8a4d-4e2f-9b6a-1c2d3e4f5a6b",
  flow_name: "t",
  version: "1.0.0",
  generated_at: "2026-11-28T09:00:00.000Z",
};

describe("make sub-flow from selection", () => {
  it("infers inputs and outputs from the wires crossing the boundary and rewires them", () => {
    const result = extractSubflow(FLOW, new Set(["f", "hot"]), "Overheat");
    if (!result.ok) throw new Error(result.message);
    const { nodes, connections, subflowId, notes } = result.value;
    expect(subflowId).toBe("subflow_1");
    expect(nodes.map((n) => n.id)).toEqual(["temp", "cmd", "log", "avg", "subflow_1"]);
    const sub = nodes.find((n) => n.id === subflowId)!;
    // One outside source (temp.value) is one input; two inside sources (hot.result, f.result) two outputs.
    expect(sub.config).toMatchObject({
      name: "Overheat",
      input_count: 1,
      output_count: 2,
      labels: { in1: "Zone temp", out1: "hot", out2: "Math" },
    });
    expect(connections).toEqual([
      wire("temp", "value", "avg", "in1"),
      wire("temp", "value", "subflow_1", "in1"),
      wire("subflow_1", "out1", "cmd", "value"),
      wire("subflow_1", "out1", "log", "value"),
      wire("subflow_1", "out2", "avg", "in2"),
    ]);
    const inner = sub.config.flow as { nodes: NodeConfiguration[]; connections: Connection[] };
    expect(inner.nodes.map((n) => `${n.id}:${n.type}:${(n.config as { name?: string }).name ?? ""}`)).toEqual(
      [
        "f:math:",
        "hot:threshold:",
        "input_1:subflow_input:in1",
        "output_1:subflow_output:out1",
        "output_2:subflow_output:out2",
      ],
    );
    expect(inner.connections).toEqual([
      wire("f", "result", "hot", "value"),
      wire("input_1", "value", "f", "a"),
      wire("hot", "result", "output_1", "value"),
      wire("f", "result", "output_2", "value"),
    ]);
    expect(notes).toEqual(["Alias hot (hot) now only resolves inside the sub-flow."]);
  });

  /** The point writes a flow makes in one scan with the zone at `celsius`. */
  const writesAt = async (
    flow: { nodes: NodeConfiguration[]; connections: Connection[] },
    celsius: number,
  ) => {
    const plan = compileFlow({ metadata, ...flow }, lookupNode);
    if (!plan.ok) throw new Error(JSON.stringify(plan.errors));
    const runtime = new FlowRuntime(plan.value, { onFailure: "continue", retryCount: 0 });
    const result = await runtime.runScan({
      now: 1_700_000_000_000,
      trigger: "manual",
      readPoint: () => ({ value: celsius, quality: "good", timestamp: 1_700_000_000_000 }),
    });
    return result.writes.map((w) => `${w.point}=${String(w.value)}`);
  };

  it.each([30, 20])(
    "the rewired flow compiles and writes what the original wrote at %d °C",
    async (celsius) => {
      const result = extractSubflow(FLOW, new Set(["f", "hot"]));
      if (!result.ok) throw new Error(result.message);
      const before = await writesAt(FLOW, celsius);
      expect(before).toEqual([`bacnet:1/binaryOutput:1.presentValue=${celsius === 30}`]);
      expect(await writesAt(result.value, celsius)).toEqual(before);
    },
  );

  const refused: [string, string[], RegExp][] = [
    ["nothing selected", [], /Select the nodes/],
    ["a loop back into the selection", ["f", "log"], /come back into it through hot/],
  ];
  it.each(refused)("refuses %s", (_name, ids, message) => {
    const looped = {
      nodes: FLOW.nodes,
      connections: FLOW.connections
        .filter((c) => c.to_node !== "log")
        .concat(wire("hot", "result", "log", "value")),
    };
    const result = extractSubflow(looped, new Set(ids));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it("refuses more than eight distinct inputs", () => {
    const sources = Array.from({ length: 9 }, (_, i) => node(`s${i}`, "constant", { value: i }));
    const flow = {
      nodes: [...sources, node("avg", "average", { input_count: 8 })],
      connections: sources.map((s) => wire(s.id, "value", "avg", "inputs")),
    };
    const result = extractSubflow(flow, new Set(["avg"]));
    expect(result.ok ? "" : result.message).toMatch(/at most 8 inputs/);
  });

  it("the subflow node type knows the ports it was given", () => {
    expect(
      lookupNode("subflow")?.config.safeParse({ input_count: 3, output_count: 0, flow: {} }).success,
    ).toBe(true);
  });
});
