import { describe, expect, it } from "vitest";
import { flowHarness, testFlow } from "../testing/harness";
import { nodeRunner, v } from "../testing/node-runner";
import { feedback } from "./feedback";

describe("feedback", () => {
  const cases: [string, Record<string, unknown>, unknown, unknown, string][] = [
    ["passes last scan's value", {}, v(5), 5, "good"],
    ["passes its quality", {}, v(5, "bad", "offline"), 5, "bad"],
    ["initial before any value", { initial: 0 }, undefined, 0, "good"],
    ["bad before any value without initial", {}, undefined, null, "bad"],
  ];
  it.each(cases)("%s", (_name, config, input, value, quality) => {
    const out = nodeRunner(feedback, config).run(input === undefined ? {} : { value: input as never });
    expect(out.value).toMatchObject({ value, quality });
  });

  it("closes a loop legally: a running sum one scan late", async () => {
    const h = flowHarness(
      testFlow(
        [
          { id: "one", type: "constant", config: { value: 1 } },
          { id: "sum", type: "math", config: { expression: "a + b" } },
          { id: "last", type: "feedback", config: { initial: 0 } },
        ],
        [
          { from_node: "one", from_output: "value", to_node: "sum", to_input: "a" },
          { from_node: "last", from_output: "value", to_node: "sum", to_input: "b" },
          { from_node: "sum", from_output: "result", to_node: "last", to_input: "value" },
        ],
      ),
    );
    const sums: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      await h.scan(1000);
      sums.push(h.output("sum", "result")?.value);
    }
    expect(sums).toEqual([1, 2, 3, 4]);
  });

  it("the same loop without feedback is refused, naming the nodes", () => {
    expect(() =>
      flowHarness(
        testFlow(
          [
            { id: "x", type: "math", config: { expression: "a + 1" } },
            { id: "y", type: "math", config: { expression: "a + 1" } },
          ],
          [
            { from_node: "x", from_output: "result", to_node: "y", to_input: "a" },
            { from_node: "y", from_output: "result", to_node: "x", to_input: "a" },
          ],
        ),
      ),
    ).toThrow(/cycle Math \(x\) → Math \(y\) → Math \(x\)/);
  });
});
