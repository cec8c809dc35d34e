import { describe, expect, it } from "vitest";
import { flowHarness, testFlow } from "../testing/harness";

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
  it("reads canonical points and commands the output at the configured priority", () => {
    const h = flowHarness(skeleton());
    expect(h.plan.reads).toEqual([TEMP]);
    expect(h.plan.writes).toEqual([COOL]);
    h.setPoint(TEMP, 25.1);
    const first = h.scan();
    expect(first.writes).toEqual([{ point: COOL, value: true, priority: 8, heartbeatMs: 0, nodeId: "cool" }]);
    expect(first.runs.map((r) => [r.nodeId, r.status])).toEqual([
      ["temp", "completed"],
      ["hot", "completed"],
      ["cool", "completed"],
    ]);
    h.setPoint(TEMP, 23.9);
    expect(h.scan(1000).writes[0]?.value).toBe(false);
  });

  it("holds the command when the sensor goes bad (no write of garbage)", () => {
    const h = flowHarness(skeleton());
    h.setPoint(TEMP, null, "bad");
    const result = h.scan();
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

  it("restores state for unchanged nodes only", () => {
    const h = flowHarness(skeleton());
    h.setPoint(TEMP, 30);
    h.scan();
    const saved = h.runtime.exportState();
    const changed = skeleton();
    (changed.nodes[1]!.config as { value: number }).value = 20;
    const h2 = flowHarness(changed);
    expect(h2.runtime.importState(saved).sort()).toEqual(["cool", "temp"]);
  });
});
