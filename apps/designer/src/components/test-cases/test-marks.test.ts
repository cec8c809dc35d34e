import type { FlowTestResult } from "@bms/nodes/flow-test";
import { type FlowTestCase, FlowTestCaseSchema } from "@bms/schemas";
import { describe, expect, it } from "vitest";
import { testMarksOf } from "./test-marks";

const FLOW = "6d0e8f1a-1a2b-4c3d-8e4f-5a6b7c8d0002";
const nodes = [
  { id: "zone", type: "sensor_read", config: { point: "bacnet:3001/analogInput:1" } },
  { id: "calc", type: "math", config: {} },
  { id: "damper", type: "actuator_write", config: { point: "bacnet:3001/analogOutput:1" } },
];
const test: FlowTestCase = FlowTestCaseSchema.parse({
  id: "t1",
  name: "warm zone",
  flow_id: FLOW,
  duration_s: 60,
  expect: [
    { point: "bacnet:3001/analogOutput:1.presentValue", mode: "at_end", op: "ge", value: 80 },
    { output: { node: "calc", port: "result" }, mode: "at_end", op: "eq", value: 1 },
    { point: "bacnet:3001/analogInput:1", mode: "at_end", op: "eq", value: 1 },
  ],
});
const result = (passed: boolean[]): FlowTestResult => ({
  id: "t1",
  name: "warm zone",
  flowId: FLOW,
  flowName: "VAV",
  passed: passed.every(Boolean),
  scans: 61,
  simulatedS: 60,
  elapsedMs: 3,
  expectations: passed.map((p, index) => ({ index, label: `expect[${index}]`, passed: p, diff: [] })),
});

describe("test verdicts on the canvas", () => {
  it("marks the node that commands a point and the node whose output is expected", () => {
    expect(testMarksOf(nodes, [test], [result([false, true, true])])).toEqual({
      damper: { passed: 0, failed: 1 },
      calc: { passed: 1, failed: 0 },
    });
  });

  it("a point only read (never commanded) marks no node, and unknown cases are skipped", () => {
    expect(testMarksOf(nodes, [], [result([true, true, true])])).toEqual({});
  });
});
