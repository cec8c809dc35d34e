import { describe, expect, it } from "vitest";
import {
  expandSubflowInstances,
  type SubflowDefinitionInput,
  SubflowDefinitionSchema,
} from "./subflow-library";

const definition: SubflowDefinitionInput = {
  id: "zone-alarm",
  name: "Zone alarm",
  version: 3,
  output_count: 1,
  labels: { out1: "Alarm" },
  points: [
    { key: "zone_temp", label: "Zone temperature", direction: "read" },
    { key: "alarm_out", label: "Alarm output", direction: "write", optional: true },
  ],
  parameters: [{ key: "limit", label: "High limit", default: 26, units: "°C", min: 10, max: 40 }],
  flow: {
    nodes: [
      { id: "t", type: "sensor_read", config: { point: "{{point:zone_temp}}" } },
      { id: "c", type: "compare", config: { operator: ">", threshold: "{{param:limit}}" } },
      { id: "w", type: "actuator_write", config: { point: "{{point:alarm_out}}", priority: 8 } },
      { id: "o", type: "subflow_output", config: { name: "out1" } },
    ],
    connections: [
      { from_node: "t", from_output: "value", to_node: "c", to_input: "a" },
      { from_node: "c", from_output: "result", to_node: "w", to_input: "value" },
      { from_node: "c", from_output: "result", to_node: "o", to_input: "value" },
    ],
  },
};

const flow = (library: unknown) => ({
  metadata: {
    flow_id: "3f0c8a53-8c5e-4d43-9d7e-0a8f2f5f2b10",
    flow_name: "F",
    version: "1.0.0",
    generated_at: "2026-01-01T00:00:00Z",
  },
  nodes: [{ id: "vav1", type: "subflow", label: "VAV-1 alarm", config: { library } }],
  connections: [],
});

describe("subflow library", () => {
  const def = SubflowDefinitionSchema.parse(definition);

  it("fills an instance's inside with its points and parameters, typed", () => {
    const out = expandSubflowInstances(
      flow({
        id: "zone-alarm",
        points: { zone_temp: "bacnet:1001/analogInput:1", alarm_out: "bacnet:1001/binaryValue:2" },
        parameters: { limit: 28 },
      }),
      [def],
    );
    expect(out.problems).toEqual([]);
    const config = out.flow.nodes?.[0]?.config as {
      flow: { nodes: { config: Record<string, unknown> }[] };
      library: { version: number };
      output_count: number;
    };
    expect(config.flow.nodes.map((n) => n.config.point ?? n.config.threshold)).toEqual([
      "bacnet:1001/analogInput:1",
      28,
      "bacnet:1001/binaryValue:2",
      undefined,
    ]);
    expect(config.library.version).toBe(3);
    expect(config.output_count).toBe(1);
    expect(out.instances).toEqual([{ nodeId: "vav1", definitionId: "zone-alarm" }]);
  });

  it("leaves out nodes on an unbound optional point, with their wires, and takes defaults", () => {
    const out = expandSubflowInstances(
      flow({ id: "zone-alarm", points: { zone_temp: "bacnet:1001/analogInput:1" } }),
      [def],
    );
    const config = out.flow.nodes?.[0]?.config as {
      flow: { nodes: { id: string; config: Record<string, unknown> }[]; connections: { to_node: string }[] };
    };
    expect(config.flow.nodes.map((n) => n.id)).toEqual(["t", "c", "o"]);
    expect(config.flow.connections.map((c) => c.to_node)).toEqual(["c", "o"]);
    expect(config.flow.nodes[1]?.config.threshold).toBe(26);
  });

  it("names the node as drawn when a point is unbound, a parameter out of range or the definition missing", () => {
    const out = expandSubflowInstances(
      flow({ id: "zone-alarm", parameters: { limit: 99 } }),
      [def],
      "flows[1]",
    );
    expect(out.problems).toEqual([
      {
        path: "flows[1].nodes[0].config.library.points.zone_temp",
        message: 'VAV-1 alarm: point "Zone temperature" of Zone alarm is not bound'.replace(
          "VAV-1 alarm",
          '"VAV-1 alarm"',
        ),
        code: "unbound_point",
      },
      {
        path: "flows[1].nodes[0].config.library.parameters.limit",
        message: '"VAV-1 alarm": "High limit" must be between 10 and 40 °C',
        code: "bad_parameter",
      },
    ]);
    const missing = expandSubflowInstances(flow({ id: "nope" }), [def]);
    expect(missing.problems[0]).toMatchObject({
      path: "nodes[0].config.library.id",
      code: "unknown_subflow",
    });
  });

  it("refuses a definition whose placeholders name nothing declared", () => {
    const bad = SubflowDefinitionSchema.safeParse({ ...definition, parameters: [] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(["flow", "nodes", 1, "config", "threshold"]);
  });
});
