import { FlowConfigurationStructureSchema, type FlowTestCaseInput, FlowTestCaseSchema } from "@bms/schemas";
import { describe, expect, it } from "vitest";
import { testFlow } from "../testing/harness";
import { runFlowTestCase } from "./run-flow-tests";

const ZONE = "bacnet:3001/analogInput:1";
const DAMPER = "bacnet:3001/analogOutput:1.presentValue";

/** A proportional cooling damper: (zone − setpoint parameter) × 20 %, clamped 0–100, written at priority 10. */
const flow = FlowConfigurationStructureSchema.parse({
  ...testFlow(
    [
      { id: "zone", type: "sensor_read", config: { point: ZONE } },
      { id: "sp", type: "parameter", config: { name: "cool_sp", default: 24 } },
      {
        id: "demand",
        type: "math",
        config: { input_count: 2, expression: "min(100, max(0, (a - b) * 20))" },
      },
      { id: "damper", type: "actuator_write", config: { point: "bacnet:3001/analogOutput:1", priority: 10 } },
    ],
    [
      { from_node: "zone", from_output: "value", to_node: "demand", to_input: "a" },
      { from_node: "sp", from_output: "value", to_node: "demand", to_input: "b" },
      { from_node: "demand", from_output: "result", to_node: "damper", to_input: "value" },
    ],
  ),
  execution: { trigger: { type: "interval", interval_ms: 5000 } },
});
const FLOW_ID = flow.metadata.flow_id;

const run = (t: Omit<FlowTestCaseInput, "flow_id" | "id" | "name">) =>
  runFlowTestCase([flow], FlowTestCaseSchema.parse({ id: "t", name: "t", flow_id: FLOW_ID, ...t }));

describe("running a flow test case", () => {
  it("plays the timeline at the flow's own interval and judges commanded points and node outputs", async () => {
    const r = await run({
      duration_s: 600,
      inputs: [
        { at_s: 0, point: ZONE, value: 25 },
        { at_s: 300, point: ZONE, value: 28 },
      ],
      expect: [
        { point: DAMPER, mode: "always", to_s: 295, op: "eq", value: 20, priority: 10 },
        { point: "bacnet:3001/analogOutput:1", mode: "at_end", op: "eq", value: 80 },
        { output: { node: "demand", port: "result" }, mode: "eventually", from_s: 300, op: "eq", value: 80 },
      ],
    });
    expect(r.error).toBeUndefined();
    expect(r.expectations.map((e) => e.diff)).toEqual([[], [], []]);
    expect(r).toMatchObject({ passed: true, scans: 121, simulatedS: 600, flowName: "test" });
  });

  it("changes parameters from the timeline, and a dead sensor holds the last command", async () => {
    const r = await run({
      duration_s: 120,
      scan_s: 1,
      inputs: [
        { at_s: 0, point: ZONE, value: 26 },
        { at_s: 30, parameter: "cool_sp", value: 25 },
        { at_s: 60, point: ZONE, value: null, quality: "bad" },
      ],
      expect: [
        { point: DAMPER, mode: "at_end", to_s: 29, op: "eq", value: 40 },
        { point: DAMPER, mode: "always", from_s: 30, op: "eq", value: 20 },
      ],
    });
    expect(r.expectations.map((e) => e.diff)).toEqual([[], []]);
    expect(r.scans).toBe(121);
  });

  it("fails with a readable diff, and names a point the flow never writes", async () => {
    const r = await run({
      duration_s: 60,
      inputs: [{ at_s: 0, point: ZONE, value: 25 }],
      expect: [
        { label: "damper opens", point: DAMPER, mode: "eventually", op: "gt", value: 80 },
        { label: "reheat", point: "bacnet:3001/analogOutput:2", mode: "at_end", op: "eq", value: 0 },
      ],
    });
    expect(r.passed).toBe(false);
    expect(r.expectations[0]!.diff).toEqual([
      "expected: bacnet:3001/analogOutput:1.presentValue > 80 at some scan within 0–60 s",
      "actual:   never; 20 at 0 s → 20 at 60 s (min 20 at 0 s, max 20 at 0 s)",
    ]);
    expect(r.expectations[1]!.diff.at(-1)).toBe("note:     the flow never writes this point");
  });

  it("refuses an expectation on a node the flow does not hold, and a flow the project does not hold", async () => {
    const r = await run({
      duration_s: 10,
      expect: [{ output: { node: "nope", port: "value" }, mode: "at_end", op: "eq", value: 1 }],
    });
    expect(r).toMatchObject({
      passed: false,
      error: 'expect[0] names node "nope", which the flow does not hold',
    });
    const other = await runFlowTestCase(
      [],
      FlowTestCaseSchema.parse({
        id: "x",
        name: "x",
        flow_id: FLOW_ID,
        duration_s: 1,
        expect: [{ point: DAMPER, mode: "at_end", op: "eq", value: 1 }],
      }),
    );
    expect(other.error).toBe(`the project holds no flow ${FLOW_ID}`);
  });
});
