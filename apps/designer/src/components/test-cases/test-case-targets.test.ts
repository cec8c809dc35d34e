import { FlowTestCaseSchema } from "@bms/schemas";
import { describe, expect, it } from "vitest";
import { rowName, testCaseProblems, testTargets } from "./test-case-targets";

const FLOW = "6d0e8f1a-1a2b-4c3d-8e4f-5a6b7c8d0003";
const nodes = [
  { id: "zone", type: "sensor_read", label: "Zone", config: { point: "bacnet:3001/analogInput:1" } },
  { id: "sp", type: "parameter", label: "Cooling setpoint", config: { name: "cool_sp", default: 24 } },
  { id: "calc", type: "math", config: { input_count: 1, expression: "a" } },
  {
    id: "damper",
    type: "actuator_write",
    label: "Damper",
    config: { point: "bacnet:3001/analogOutput:1", priority: 10 },
  },
];

describe("what a test case of the open flow can set and check, as the canvas names it", () => {
  const targets = testTargets(nodes);

  it("offers the points the flow reads and the parameters it publishes as inputs", () => {
    expect(targets.inputs.map((t) => [t.label, t.set])).toEqual([
      ["Zone: bacnet:3001/analogInput:1", { point: "bacnet:3001/analogInput:1.presentValue" }],
      ["Cooling setpoint: parameter cool_sp", { parameter: "cool_sp" }],
    ]);
  });

  it("offers every node's outputs by label (a node without one by type and id) and the commanded points", () => {
    const labels = targets.expects.map((t) => t.label);
    expect(labels).toContain("Zone → Value");
    expect(labels).toContain("Math (calc) → Result");
    expect(labels).toContain("Damper writes bacnet:3001/analogOutput:1 @ 10");
    const calc = targets.expects.find((t) => t.label === "Math (calc) → Result");
    expect(calc?.check).toEqual({ output: { node: "calc", port: "result" } });
  });

  it("names a schema problem by its row's canvas name and field, and keeps the machine path", () => {
    const raw = {
      id: "t1",
      name: "between without max",
      flow_id: FLOW,
      duration_s: 60,
      inputs: [{ at_s: 90, point: "bacnet:3001/analogInput:1", value: 27 }],
      expect: [{ output: { node: "calc", port: "result" }, mode: "at_end", op: "between", value: 1 }],
    };
    const parsed = FlowTestCaseSchema.safeParse(raw);
    expect(parsed.success).toBe(false);
    const problems = testCaseProblems(parsed.error?.issues ?? [], raw, targets);
    expect(problems).toContainEqual({
      path: "expect.0.max",
      message: "Expectation 1 (Math (calc) → Result): max: between needs a number value and a max ≥ value",
    });
    expect(problems).toContainEqual({
      path: "inputs.0.at_s",
      message: "Input 1 (Zone: bacnet:3001/analogInput:1): at_s: after the end of the run",
    });
  });

  it("names a row whose target is not in the flow by what it stores, and a row with none by number", () => {
    const test = { expect: [{ point: "bacnet:9/analogValue:1" }, {}] } as never;
    expect(rowName(test, "expect", 0, targets)).toBe("Expectation 1 (bacnet:9/analogValue:1)");
    expect(rowName(test, "expect", 1, targets)).toBe("Expectation 2");
  });
});
