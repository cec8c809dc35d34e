import { describe, expect, it } from "vitest";
import { flowHarness, testFlow } from "../testing/harness";
import { type InputSpec, nodeRunner, v } from "../testing/node-runner";
import { conditional } from "./conditional";

describe("conditional", () => {
  const cases: [string, Record<string, unknown>, Record<string, InputSpec>, string[], unknown][] = [
    ["true takes then, carrying the condition", {}, { condition: true }, ["then"], true],
    ["false takes else", {}, { condition: false }, ["else"], false],
    ["carries value when connected", {}, { condition: 1, value: 21.5 }, ["then"], 21.5],
    ["bad condition takes no branch", {}, { condition: v(true, "bad") }, [], undefined],
    ["null condition takes no branch", {}, { condition: null, value: 3 }, [], undefined],
    ["NaN condition takes no branch", {}, { condition: Number.NaN }, [], undefined],
    [
      "bad condition to else when asked",
      { on_bad_condition: "else" },
      { condition: null, value: 3 },
      ["else"],
      3,
    ],
  ];
  it.each(cases)("%s", (_name, config, inputs, ports, value) => {
    const out = nodeRunner(conditional, config).run(inputs);
    expect(Object.keys(out)).toEqual(ports);
    if (ports[0]) expect(out[ports[0]]?.value).toBe(value);
  });

  it("skips the untaken branch and everything downstream of it in a flow", async () => {
    const h = flowHarness(
      testFlow(
        [
          { id: "cond", type: "constant", config: { value: true } },
          { id: "if", type: "conditional", config: {} },
          { id: "then_not", type: "not", config: {} },
          { id: "else_not", type: "not", config: {} },
          { id: "else_after", type: "not", config: {} },
        ],
        [
          { from_node: "cond", from_output: "value", to_node: "if", to_input: "condition" },
          { from_node: "if", from_output: "then", to_node: "then_not", to_input: "value" },
          { from_node: "if", from_output: "else", to_node: "else_not", to_input: "value" },
          { from_node: "else_not", from_output: "result", to_node: "else_after", to_input: "value" },
        ],
      ),
    );
    const statuses = Object.fromEntries((await h.scan()).runs.map((r) => [r.nodeId, r.status]));
    expect(statuses).toEqual({
      cond: "completed",
      if: "completed",
      then_not: "completed",
      else_not: "skipped",
      else_after: "skipped",
    });
  });
});
