import { describe, expect, it } from "vitest";
import { lookupNode } from "../registry";
import { testFlow } from "../testing/harness";
import { compileFlow } from "./compile";
import { statePlanOf } from "./state-persistence";

describe("statePlanOf: which node state is saved, and when", () => {
  const plan = (() => {
    const compiled = compileFlow(
      testFlow(
        [
          { id: "k", type: "constant", config: { value: 1 } },
          { id: "f", type: "math", config: { expression: "a * 2" } },
          { id: "mem", type: "latch", config: {} },
          // A filter fed back through a feedback: its outputs are loop state, periodic.
          { id: "sum", type: "math", config: { expression: "a + b" } },
          { id: "back", type: "feedback", config: { initial: 0 } },
          // A gate holding itself on through a feedback: a seal-in, on change.
          { id: "hold", type: "or", config: {} },
          { id: "held", type: "feedback", config: { initial: false } },
          { id: "sub", type: "subflow", config: { flow: { nodes: [], connections: [] } } },
        ],
        [
          { from_node: "k", from_output: "value", to_node: "f", to_input: "a" },
          { from_node: "k", from_output: "value", to_node: "sum", to_input: "a" },
          { from_node: "back", from_output: "value", to_node: "sum", to_input: "b" },
          { from_node: "sum", from_output: "result", to_node: "back", to_input: "value" },
          { from_node: "held", from_output: "value", to_node: "hold", to_input: "in1" },
          { from_node: "hold", from_output: "result", to_node: "held", to_input: "value" },
        ],
      ),
      lookupNode,
    );
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
    return compiled.value;
  })();
  const ids = (indices: number[]) => indices.map((i) => plan.nodes[i]!.id).sort();

  it("saves nodes with state and loop sources, never stateless ones", () => {
    const p = statePlanOf(plan);
    expect([...p.loopSources].sort()).toEqual(["hold", "sum"]);
    // A feedback has no state of its own: it reads its source's last outputs, which are saved.
    expect(ids(p.persisted)).toEqual(["f", "hold", "mem", "sub", "sum"]);
  });

  it("writes latches, seal-ins and sub-flows on change, math and fed-back filters periodically", () => {
    const p = statePlanOf(plan);
    expect(ids(p.onChange)).toEqual(["hold", "mem", "sub"]);
    expect(statePlanOf(plan)).toBe(p);
  });
});
