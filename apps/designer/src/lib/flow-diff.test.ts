import { starterSubflows } from "@bms/nodes/starters";
import { describe, expect, it } from "vitest";
import { diffDocuments, diffFlows, summarizeDiff, summarizeDocumentDiff } from "./flow-diff";
import { demoFlowConfiguration } from "./flow-document";

const FLOW_ID = "3f1e0f4e-8b7a-4f55-9a52-0c1d2e3f4a5b";

describe("diff between two versions of a flow", () => {
  const before = demoFlowConfiguration(FLOW_ID, "Demo");

  it("reports no change for the same flow", () => {
    const diff = diffFlows(before, structuredClone(before));
    expect(Object.values(diff.nodes).every((c) => c === "unchanged")).toBe(true);
    expect(summarizeDiff(diff)).toBe("no changes");
  });

  it("tells added, removed, changed and moved nodes and connection changes apart", () => {
    const after = structuredClone(before);
    after.nodes = after.nodes.filter((n) => n.id !== "cooling_cmd");
    after.connections = after.connections.filter((c) => c.to_node !== "cooling_cmd");
    after.nodes.find((n) => n.id === "too_warm")!.config.value = 25;
    after.nodes.find((n) => n.id === "zone_temp")!.position = { x: 10, y: 10 };
    after.nodes.push({
      id: "alarm",
      type: "actuator_write",
      version: 1,
      position: { x: 0, y: 0 },
      config: { point: "bacnet:1001/binaryValue:1" },
      runtime_options: {},
    });
    after.connections.push({
      from_node: "too_warm",
      from_output: "result",
      to_node: "alarm",
      to_input: "value",
    });

    const diff = diffFlows(before, after);
    expect(diff.nodes).toEqual({
      zone_temp: "moved",
      too_warm: "changed",
      alarm: "added",
      cooling_cmd: "removed",
    });
    expect(diff.changedFields.too_warm).toEqual(["config.value"]);
    expect(diff.connectionsAdded).toEqual(["too_warm.result->alarm.value"]);
    expect(diff.connectionsRemoved).toEqual(["too_warm.result->cooling_cmd.value"]);
    expect(summarizeDiff(diff)).toBe(
      "1 node added, 1 node removed, 1 node changed, 1 node moved, 1 connection added, 1 connection removed",
    );
  });

  it("notices a changed label, alias or trigger", () => {
    const after = structuredClone(before);
    after.nodes[0]!.label = "Zone temperature";
    after.execution.trigger = { type: "interval", interval_ms: 5000 };
    const diff = diffFlows(before, after);
    expect(diff.changedFields.zone_temp).toEqual(["label"]);
    expect(diff.executionChanged).toBe(true);
  });
});

describe("diff between two versions of a project document", () => {
  it("names added, removed and renamed flows, library changes and the instances a definition change touches", () => {
    const library = starterSubflows();
    const vav = library.find((d) => d.id === "vav-cooling-reheat")!;
    const instance = (id: string, label: string) => ({
      id,
      type: "subflow",
      version: 1,
      label,
      config: { library: { id: vav.id, points: {}, parameters: {} } },
      runtime_options: {},
    });
    const ahu = demoFlowConfiguration(FLOW_ID, "AHU-1");
    const loops = {
      ...demoFlowConfiguration("5b2c9d1e-0f3a-4b6c-8d7e-9f0a1b2c3d4e", "VAV loops"),
      nodes: [instance("v1", "VAV-1"), instance("v2", "VAV-2")],
      connections: [],
    };
    const plant = demoFlowConfiguration("7c9e6679-7425-40de-944b-e07fc1f90ae7", "Plant");
    const before = {
      flows: [ahu, loops, plant].map((configuration) => ({
        configuration,
        flow_data: { comments: [], groups: [] },
      })),
      library,
    };
    const edited = structuredClone(vav);
    edited.version = 2;
    edited.parameters[0]!.default = 23;
    const after = {
      flows: [
        { configuration: loops, flow_data: { comments: [], groups: [] } },
        {
          configuration: { ...ahu, metadata: { ...ahu.metadata, flow_name: "AHU-1 (roof)" } },
          flow_data: { comments: [], groups: [] },
        },
      ],
      library: library.map((d) => (d.id === vav.id ? edited : d)),
    };
    const diff = diffDocuments(before, after);
    expect(diff.flows.map((f) => [f.name, f.change])).toEqual([
      ["VAV loops", "unchanged"],
      ["AHU-1 (roof)", "renamed"],
      ["Plant", "removed"],
    ]);
    expect(diff.library).toEqual([{ id: vav.id, name: vav.name, change: "changed" }]);
    expect(diff.instancesChanged.map((i) => `${i.flowName} / ${i.nodeLabel}`)).toEqual([
      "VAV loops / VAV-1",
      "VAV loops / VAV-2",
    ]);
    expect(diff.reordered).toBe(true);
    expect(summarizeDocumentDiff(diff)).toBe(
      'flow renamed to "AHU-1 (roof)"; flow "Plant" removed; flows reordered; library "VAV cooling with reheat" changed; 2 instances updated',
    );
  });
});
