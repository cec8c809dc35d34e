import { describe, expect, it } from "vitest";
import { diffFlows, summarizeDiff } from "./flow-diff";
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
