import { describe, expect, it } from "vitest";
import { zodProblems } from "./common";
import { FlowConfigurationStructureSchema } from "./flow";
import { FlowTestCaseSchema } from "./flow-test-case";
import { ProjectDocumentSchema, readProjectDocument, renameFlowIds } from "./project-document";

const FLOW = "3f1e0f4e-8b7a-4f55-9a52-0c1d2e3f4a5b";
const OTHER = "5b2c9d1e-0f3a-4b6c-8d7e-9f0a1b2c3d4e";
const DAMPER = "bacnet:3001/analogOutput:1";

const flow = FlowConfigurationStructureSchema.parse({
  metadata: { flow_id: FLOW, flow_name: "VAV", version: "1.0.0", generated_at: "2026-01-01T00:00:00Z" },
  nodes: [],
  connections: [],
});

const valid = {
  id: "warm",
  name: "warm zone",
  flow_id: FLOW,
  duration_s: 600,
  inputs: [{ at_s: 0, point: "bacnet:3001/analogInput:1", value: 26 }],
  expect: [{ point: DAMPER, mode: "eventually", to_s: 300, op: "gt", value: 80 }],
};

function problems(input: unknown) {
  const r = FlowTestCaseSchema.safeParse(input);
  return r.success ? [] : zodProblems(r.error);
}

describe("flow test cases", () => {
  it("reads a test case with its defaults: a Monday-morning start, good quality, the window from 0", () => {
    const t = FlowTestCaseSchema.parse(valid);
    expect(t.start).toBe("2026-01-05T08:00:00.000Z");
    expect(t.inputs[0]!.quality).toBe("good");
    expect(t.expect[0]).toMatchObject({ from_s: 0, tolerance: 0 });
  });

  it.each([
    [
      "a step setting both a point and a parameter",
      { inputs: [{ at_s: 0, point: DAMPER, parameter: "sp", value: 1 }] },
      "inputs[0]",
    ],
    [
      "a step after the end of the run",
      { inputs: [{ at_s: 900, point: DAMPER, value: 1 }] },
      "inputs[0].at_s",
    ],
    ["an expectation naming no target", { expect: [{ mode: "always", op: "eq", value: 1 }] }, "expect[0]"],
    [
      "between without its upper bound",
      { expect: [{ point: DAMPER, mode: "always", op: "between", value: 10 }] },
      "expect[0].max",
    ],
    [
      "a window that ends before it starts",
      { expect: [{ point: DAMPER, mode: "always", op: "eq", value: 1, from_s: 100, to_s: 50 }] },
      "expect[0].to_s",
    ],
    ["no expectation at all", { expect: [] }, "expect"],
    [
      "an unknown comparison",
      { expect: [{ point: DAMPER, mode: "always", op: "approx", value: 1 }] },
      "expect[0].op",
    ],
  ])("refuses %s, naming the path", (_what, change, path) => {
    expect(problems({ ...valid, ...change }).map((p) => p.path)).toContain(path);
  });

  it("are stored in the project document, which refuses a case naming a flow it does not hold", () => {
    const doc = { flows: [{ configuration: flow }], tests: [valid] };
    expect(ProjectDocumentSchema.parse(doc).tests).toHaveLength(1);
    const orphan = readProjectDocument({ ...doc, tests: [{ ...valid, flow_id: OTHER }] });
    expect(orphan.ok).toBe(false);
    if (!orphan.ok) expect(orphan.errors.map((e) => e.path)).toEqual(["tests[0].flow_id"]);
    const twice = readProjectDocument({ ...doc, tests: [valid, valid] });
    expect(twice.ok).toBe(false);
  });

  it("leaves documents written before test cases existed as they were", () => {
    const doc = ProjectDocumentSchema.parse({ flows: [{ configuration: flow }] });
    expect("tests" in doc).toBe(false);
  });

  it("follow their flow when the project's flows are renamed (a copy, an import beside the original)", () => {
    const doc = ProjectDocumentSchema.parse({ flows: [{ configuration: flow }], tests: [valid] });
    const copy = renameFlowIds(doc, () => OTHER);
    expect(copy.flows[0]!.configuration.metadata.flow_id).toBe(OTHER);
    expect(copy.tests![0]!.flow_id).toBe(OTHER);
    expect(ProjectDocumentSchema.safeParse(copy).success).toBe(true);
  });
});
