import { describe, expect, it } from "vitest";
import { emptyFlowConfiguration } from "./flow-document";
import { validateFlow } from "./flow-validation";
import { checkProjectDocument } from "./site-check";
import { validateFlowOnce } from "./validated-flow";

const flowWith = (config: Record<string, unknown>) => ({
  ...emptyFlowConfiguration("00000000-0000-4000-8000-000000000001", "Flow"),
  nodes: [{ id: "t1", type: "threshold", version: 1, position: { x: 0, y: 0 }, config, runtime_options: {} }],
});

describe("a flow validated once", () => {
  it("answers the same result for the same flow object and for its parsed value", () => {
    const flow = { ...flowWith({}), nodes: [] };
    const first = validateFlowOnce(flow);
    expect(validateFlowOnce(flow)).toBe(first);
    if (!first.ok) throw new Error("an empty flow is valid");
    expect(first.value).not.toBe(flow);
    expect(validateFlowOnce(first.value)).toBe(first);
  });

  it("validates a new object again: an edit is a new document, never a stale answer", () => {
    const good = flowWith({ operator: ">", value: 24 });
    const bad = flowWith({ operator: "≈", value: 24 });
    expect(validateFlowOnce(good)).not.toEqual(validateFlowOnce(bad));
  });

  it("gives the open flow the problems the project check found, without a second pass", () => {
    const flow = flowWith({ operator: "≈", value: 24 });
    const check = checkProjectDocument({
      flows: [{ configuration: flow, flow_data: { comments: [], groups: [] } }],
      library: [],
    });
    const own = validateFlow(check.flows[0]!);
    expect(own.map((p) => p.path)).toEqual(
      check.problems.map((p) => p.path.replace("flows[0].configuration.", "")),
    );
    expect(own.length).toBeGreaterThan(0);
  });
});
