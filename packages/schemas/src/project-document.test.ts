import { describe, expect, it } from "vitest";
import { type FlowConfiguration, FlowConfigurationStructureSchema } from "./flow";
import {
  documentProblemTarget,
  expandProjectFlows,
  ProjectDocumentSchema,
  projectWriteConflicts,
  readProjectDocument,
  sharedWrites,
} from "./project-document";

const A = "3f1e0f4e-8b7a-4f55-9a52-0c1d2e3f4a5b";
const B = "5b2c9d1e-0f3a-4b6c-8d7e-9f0a1b2c3d4e";

function flow(id: string, name: string, nodes: FlowConfiguration["nodes"] = []): FlowConfiguration {
  return FlowConfigurationStructureSchema.parse({
    metadata: { flow_id: id, flow_name: name, version: "1.0.0", generated_at: "2026-01-01T00:00:00Z" },
    nodes,
    connections: [],
  });
}

const writer = (id: string, label: string, point: string, priority: number) => ({
  id,
  type: "actuator_write",
  version: 1,
  label,
  config: { point, priority },
  runtime_options: {},
});
/** What the node library answers for an actuator_write (a fake catalog would hide nothing here). */
const writesOf = (node: FlowConfiguration["nodes"][number]) =>
  node.type === "actuator_write"
    ? [{ ref: String(node.config.point), priority: Number(node.config.priority ?? 16) }]
    : [];

describe("project document", () => {
  it("reads the old single-flow shape as one flow with an empty library", () => {
    const read = readProjectDocument({ configuration: flow(A, "Old"), flow_data: { comments: [] } });
    expect(read.ok && read.value.flows.map((f) => f.configuration.metadata.flow_name)).toEqual(["Old"]);
    expect(read.ok && read.value.library).toEqual([]);
    const bad = readProjectDocument({ configuration: { nodes: 3 } });
    expect(bad.ok).toBe(false);
  });

  it("refuses two flows with one id and a project without flows", () => {
    const twice = ProjectDocumentSchema.safeParse({
      flows: [{ configuration: flow(A, "a") }, { configuration: flow(A, "b") }],
    });
    expect(twice.success).toBe(false);
    expect(twice.error?.issues[0]?.path).toEqual(["flows", 1, "configuration", "metadata", "flow_id"]);
    expect(twice.error?.issues[0]?.message).toContain('flow "b" has the same id as flow "a"');
    expect(ProjectDocumentSchema.safeParse({ flows: [] }).success).toBe(false);
  });

  it("names both nodes and flows for one point at one priority, and lists writers at different priorities", () => {
    const flows = [
      flow(A, "AHU-1", [writer("w1", "Fan cmd", "bacnet:1/binaryOutput:1", 8)]),
      flow(B, "Plant", [
        writer("x", "Fan override", "bacnet:1/binaryOutput:1", 8),
        writer("y", "Valve", "bacnet:1/analogOutput:2", 10),
      ]),
      flow("7c9e6679-7425-40de-944b-e07fc1f90ae7", "Night", [
        writer("n", "Valve night", "bacnet:1/analogOutput:2", 12),
      ]),
    ];
    const conflicts = projectWriteConflicts(flows, writesOf);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]!.path).toBe("flows[1].configuration.nodes[0]");
    expect(conflicts[0]!.message).toContain(
      'node "Fan override" in flow "Plant" and node "Fan cmd" in flow "AHU-1"',
    );
    expect(documentProblemTarget(conflicts[0]!.path)).toEqual({ flow: 1, node: 0 });
    const shared = sharedWrites(flows, writesOf);
    expect(shared.map((s) => [s.ref, s.writers.map((w) => `${w.flowName}@${w.priority}`)])).toEqual([
      ["bacnet:1/analogOutput:2", ["Plant@10", "Night@12"]],
    ]);
  });

  it("expands library instances per flow, with problems pointing into the document", () => {
    const doc = ProjectDocumentSchema.parse({
      flows: [
        { configuration: flow(A, "AHU-1") },
        {
          configuration: flow(B, "VAV", [
            {
              id: "vav1",
              type: "subflow",
              version: 1,
              label: "VAV-1",
              config: { library: { id: "zone", points: { temp: "bacnet:3001/analogInput:1" } } },
              runtime_options: {},
            },
            {
              id: "vav2",
              type: "subflow",
              version: 1,
              label: "VAV-2",
              config: { library: { id: "zone", points: {}, parameters: { limit: 99 } } },
              runtime_options: {},
            },
          ]),
        },
      ],
      library: [
        {
          id: "zone",
          name: "Zone",
          points: [{ key: "temp", label: "Zone temp", direction: "read" }],
          parameters: [{ key: "limit", label: "Limit", default: 26, min: 10, max: 40 }],
          flow: { nodes: [{ id: "t", type: "sensor_read", config: { point: "{{point:temp}}" } }] },
        },
      ],
    });
    const expanded = expandProjectFlows(doc);
    expect(expanded.instances.map((i) => i.nodeId)).toEqual(["vav1", "vav2"]);
    const inside = expanded.flows[1]!.nodes[0]!.config.flow as { nodes: { config: { point: string } }[] };
    expect(inside.nodes[0]!.config.point).toBe("bacnet:3001/analogInput:1");
    expect(expanded.problems.map((p) => p.path)).toEqual([
      "flows[1].configuration.nodes[1].config.library.points.temp",
      "flows[1].configuration.nodes[1].config.library.parameters.limit",
    ]);
  });
});
