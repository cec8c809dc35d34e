import { describe, expect, it } from "vitest";
import { nodeRunner, v } from "../testing/node-runner";
import { subflowInput } from "./subflow-input";

describe("subflow_input", () => {
  const cases: [string, Record<string, unknown>, Record<string, ReturnType<typeof v>>, unknown, string][] = [
    ["given by the host", { name: "item" }, { item: v(5) }, 5, "good"],
    ["quality passes through", { name: "item" }, { item: v(5, "bad") }, 5, "bad"],
    ["default when not given", { name: "in1", default: 2 }, {}, 2, "good"],
    ["bad when not given and no default", { name: "in1" }, {}, null, "bad"],
  ];
  it.each(cases)("%s", (_name, config, given, value, quality) => {
    const out = nodeRunner(subflowInput, config, { subflowInputs: given }).run().value;
    expect(out).toMatchObject({ value, quality });
  });
});
