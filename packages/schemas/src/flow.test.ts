import { describe, expect, it } from "vitest";
import { type FlowConfigurationInput, validateFlowConfiguration } from "./flow";
import { testCatalog } from "./test/catalog";

function flow(overrides: Partial<FlowConfigurationInput> = {}): FlowConfigurationInput {
  return {
    metadata: {
      flow_id: "3f1c2b7e-8a4d-4e2f-9b6a-1c2d3e4f5a6b",
      flow_name: "Zone cooling",
      version: "1.0.0",
      generated_at: "2026-11-28T09:00:00.000Z",
    },
    execution: {
      trigger: { type: "interval", interval_ms: 1000 },
      error_handling: { retry_count: 1, timeout_ms: 2000, on_failure: "continue" },
    },
    nodes: [
      { id: "temp", type: "sensor_read", alias: "temp", config: { point: "bacnet:100:AI1" } },
      { id: "hot", type: "threshold", config: { operator: ">", value: 25.5 } },
    ],
    connections: [{ from_node: "temp", from_output: "value", to_node: "hot", to_input: "value" }],
    ...overrides,
  };
}

function errorsOf(input: unknown) {
  const result = validateFlowConfiguration(input, testCatalog);
  return result.ok ? [] : result.errors;
}

describe("FlowConfiguration", () => {
  it("accepts a valid flow and applies defaults", () => {
    const result = validateFlowConfiguration(flow({ execution: undefined }), testCatalog);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value.execution.trigger).toEqual({ type: "interval", interval_ms: 1000 });
      expect(result.value.nodes[0]?.runtime_options).toEqual({});
    }
  });

  it("keeps a float a float (25.5 stays 25.5) and an integer an integer", () => {
    const result = validateFlowConfiguration(flow(), testCatalog);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const roundTripped = JSON.parse(JSON.stringify(result.value));
    expect(roundTripped.nodes[1].config.value).toBe(25.5);
    expect(Number.isInteger(roundTripped.execution.trigger.interval_ms)).toBe(true);
  });

  it("rejects the seed's device_id 5000000, naming the path", () => {
    const errors = errorsOf(
      flow({
        nodes: [
          { id: "temp", type: "sensor_read", config: { point: "bacnet:100:AI1", device_id: 5000000 } },
          { id: "hot", type: "threshold", config: { operator: ">", value: 25 } },
        ],
      }),
    );
    expect(errors).toContainEqual(expect.objectContaining({ path: "nodes[0].config.device_id" }));
  });

  it("rejects a point reference with a device out of range", () => {
    const errors = errorsOf(
      flow({
        nodes: [
          { id: "temp", type: "sensor_read", config: { point: "bacnet:5000000/analogInput:1" } },
          { id: "hot", type: "threshold", config: { operator: ">", value: 25 } },
        ],
      }),
    );
    expect(errors).toEqual([
      {
        path: "nodes[0].config.point",
        message: "Sensor Read (temp): Point: device instance 5000000 is out of range 0..4194302",
        code: "config",
      },
    ]);
  });

  it("rejects the cycle A→B→C→A and names the nodes", () => {
    const errors = errorsOf(
      flow({
        nodes: [
          { id: "A", type: "math", config: {} },
          { id: "B", type: "math", config: {} },
          { id: "C", type: "math", config: {} },
        ],
        connections: [
          { from_node: "A", from_output: "result", to_node: "B", to_input: "a" },
          { from_node: "B", from_output: "result", to_node: "C", to_input: "a" },
          { from_node: "C", from_output: "result", to_node: "A", to_input: "a" },
        ],
      }),
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe("connections[0]");
    expect(errors[0]?.message).toContain("cycle math (A) → math (B) → math (C) → math (A)");
    expect(errors[0]?.code).toBe("cycle");
  });

  it("accepts a loop closed through a feedback node", () => {
    const errors = errorsOf(
      flow({
        nodes: [
          { id: "A", type: "math", config: {} },
          { id: "B", type: "math", config: {} },
          { id: "F", type: "feedback", config: {} },
        ],
        connections: [
          { from_node: "A", from_output: "result", to_node: "B", to_input: "a" },
          { from_node: "B", from_output: "result", to_node: "F", to_input: "value" },
          { from_node: "F", from_output: "value", to_node: "A", to_input: "a" },
        ],
      }),
    );
    expect(errors).toEqual([]);
  });

  it("rejects a self-loop", () => {
    const errors = errorsOf(
      flow({
        nodes: [{ id: "A", type: "math", config: {} }],
        connections: [{ from_node: "A", from_output: "result", to_node: "A", to_input: "b" }],
      }),
    );
    expect(errors[0]?.message).toContain("cycle math (A) → math (A)");
  });

  it("rejects connections to missing nodes and ports", () => {
    const errors = errorsOf(
      flow({
        connections: [
          { from_node: "temp", from_output: "value", to_node: "hot", to_input: "value" },
          { from_node: "ghost", from_output: "value", to_node: "hot", to_input: "limit" },
          { from_node: "temp", from_output: "nope", to_node: "hot", to_input: "limit" },
          { from_node: "temp", from_output: "value", to_node: "hot", to_input: "nope" },
        ],
      }),
    );
    expect(errors).toEqual([
      {
        path: "connections[1].from_node",
        message: 'a connection starts at node "ghost", which is not in the flow',
        code: "unknown_node",
      },
      {
        path: "connections[2].from_output",
        message: 'Sensor Read (temp) has no output "nope"',
        code: "unknown_port",
      },
      {
        path: "connections[3].to_input",
        message: 'Threshold (hot) has no input "nope"',
        code: "unknown_port",
      },
    ]);
  });

  it("rejects two wires into one single input but allows many into a multiple input", () => {
    const errors = errorsOf(
      flow({
        nodes: [
          { id: "t1", type: "sensor_read", config: { point: "bacnet:1/binaryInput:1" } },
          { id: "t2", type: "sensor_read", config: { point: "bacnet:1/binaryInput:2" } },
          { id: "all", type: "and", config: {} },
          { id: "hot", type: "threshold", config: { operator: ">", value: 1 } },
        ],
        connections: [
          { from_node: "t1", from_output: "value", to_node: "all", to_input: "inputs" },
          { from_node: "t2", from_output: "value", to_node: "all", to_input: "inputs" },
          { from_node: "t1", from_output: "value", to_node: "hot", to_input: "value" },
          { from_node: "t2", from_output: "value", to_node: "hot", to_input: "value" },
        ],
      }),
    );
    expect(errors).toEqual([
      {
        path: "connections[3].to_input",
        message:
          "Threshold (hot): Measurement already has a connection from Sensor Read (t1); an input takes one",
        code: "input_taken",
      },
    ]);
  });

  it("rejects duplicate aliases and ids, unknown types and unconnected required inputs", () => {
    const errors = errorsOf(
      flow({
        nodes: [
          { id: "temp", type: "sensor_read", alias: "temp", config: { point: "bacnet:1/analogInput:1" } },
          { id: "temp", type: "sensor_read", alias: "temp", config: { point: "bacnet:1/analogInput:2" } },
          { id: "x", type: "warp_drive", config: {} },
          { id: "hot", type: "threshold", config: { operator: ">", value: 1 } },
        ],
        connections: [],
      }),
    );
    expect(errors.map((e) => e.path)).toEqual(["nodes[1].id", "nodes[1].alias", "nodes[2].type", "nodes[3]"]);
    expect(errors[1]?.message).toBe('Sensor Read (temp): alias "temp" is already used by Sensor Read (temp)');
    expect(errors[3]?.message).toBe("Threshold (hot): Measurement is not connected");
    expect(errors.map((e) => e.code)).toEqual([
      "duplicate_id",
      "duplicate_alias",
      "unknown_type",
      "required_input",
    ]);
  });

  it("names a labelled node by its label and the port by the label drawn on it", () => {
    const errors = errorsOf(
      flow({
        nodes: [
          { id: "temp", type: "sensor_read", config: { point: "bacnet:1/analogInput:1" } },
          { id: "pid_1", type: "threshold", label: "Cooling PID", config: { operator: ">" } },
        ],
        connections: [],
      }),
    );
    expect(errors).toEqual([
      { path: "nodes[1].config.value", message: "Cooling PID: Value: required", code: "config" },
      { path: "nodes[1]", message: "Cooling PID: Measurement is not connected", code: "required_input" },
    ]);
  });

  it.each([
    [{ metadata: { flow_id: "not-a-uuid" } }, "metadata.flow_id"],
    [{ metadata: { flow_name: "" } }, "metadata.flow_name"],
    [{ metadata: { flow_name: "x".repeat(101) } }, "metadata.flow_name"],
    [{ metadata: { version: "1.0" } }, "metadata.version"],
    [{ metadata: { generated_at: "yesterday" } }, "metadata.generated_at"],
    [{ execution: { trigger: { type: "cron" } } }, "execution.trigger.expression"],
    [{ execution: { trigger: { type: "interval", interval_ms: 10.5 } } }, "execution.trigger.interval_ms"],
    [{ execution: { error_handling: { on_failure: "explode" } } }, "execution.error_handling.on_failure"],
  ])("rejects structural problem %j at %s", (patch, path) => {
    const base = flow() as Record<string, unknown> & { metadata: object; execution: object };
    const input = {
      ...base,
      metadata: { ...base.metadata, ...(patch as { metadata?: object }).metadata },
      execution: { ...base.execution, ...(patch as { execution?: object }).execution },
    };
    expect(errorsOf(input).map((e) => e.path)).toContain(path);
  });

  it("reports malformed input without throwing", () => {
    expect(errorsOf(null)[0]?.path).toBe("(root)");
    expect(errorsOf("{")[0]?.path).toBe("(root)");
    expect(errorsOf({ nodes: "x" }).length).toBeGreaterThan(0);
  });
});
