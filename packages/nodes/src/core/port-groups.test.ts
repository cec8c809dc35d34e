import { describe, expect, it } from "vitest";
import { nodeCatalog } from "../engine/catalog";
import { lookupNode } from "../registry";
import { portGroupsOf, presentPorts } from "./port-groups";

const names = (type: string, config: Record<string, unknown>, wired: string[] = [], side = "inputs") => {
  const d = lookupNode(type)!;
  return presentPorts(side === "inputs" ? d.inputs : d.outputs, config, new Set(wired)).map(
    (p) => `${p.name}${p.required ? "*" : ""}`,
  );
};

describe("configurable port counts", () => {
  const cases: [string, string, Record<string, unknown>, string[], string, string[]][] = [
    ["select: default two choices", "select", {}, [], "inputs", ["selector*", "in0", "in1"]],
    ["select: four", "select", { input_count: 4 }, [], "inputs", ["selector*", "in0", "in1", "in2", "in3"]],
    [
      "select: a wire beyond the count stays",
      "select",
      { input_count: 2 },
      ["in5"],
      "inputs",
      ["selector*", "in0", "in1", "in5"],
    ],
    ["math: default a, b", "math", { expression: "a" }, [], "inputs", ["a", "b"]],
    ["math: none (aliases only)", "math", { input_count: 0 }, [], "inputs", []],
    ["math: old flow wired c and h", "math", {}, ["c", "h"], "inputs", ["a", "b", "c", "h"]],
    ["and: two inputs, the first required", "and", {}, [], "inputs", ["in1*", "in2"]],
    [
      "and: one wired satisfies the group",
      "and",
      { input_count: 3 },
      ["in2"],
      "inputs",
      ["in1", "in2", "in3"],
    ],
    [
      "and: an old flow's multi-wire port stays and satisfies it",
      "and",
      {},
      ["inputs"],
      "inputs",
      ["in1", "in2", "inputs"],
    ],
    ["average: five", "average", { input_count: 5 }, [], "inputs", ["in1*", "in2", "in3", "in4", "in5"]],
    [
      "sequencer: outputs follow units",
      "sequencer",
      { units: 3 },
      [],
      "outputs",
      ["out1", "out2", "out3", "running", "lead"],
    ],
    ["loop: no shared inputs by default", "loop", {}, [], "inputs", ["items*"]],
    ["loop: an old loop wired on in2 keeps it", "loop", {}, ["items", "in2"], "inputs", ["items*", "in2"]],
    [
      "subflow: ports from its counts",
      "subflow",
      { input_count: 2, output_count: 0 },
      [],
      "inputs",
      ["in1", "in2"],
    ],
  ];
  it.each(cases)("%s", (_name, type, config, wired, side, expected) => {
    expect(names(type, config, wired, side)).toEqual(expected);
  });

  it("describes each group once, for the editor's + input", () => {
    const d = lookupNode("select")!;
    expect(portGroupsOf(d.inputs, d.outputs)).toEqual([
      { count: "input_count", side: "input", max: 8, default: 2 },
    ]);
    const s = lookupNode("sequencer")!;
    expect(portGroupsOf(s.inputs, s.outputs)).toEqual([
      { count: "units", side: "output", max: 8, default: 2 },
    ]);
  });

  it("the validator reads the same list: an AND with nothing wired needs its first input", () => {
    const info = nodeCatalog()("and")!;
    expect(
      info
        .inputsFor?.({}, new Set())
        .filter((p) => p.required)
        .map((p) => p.label),
    ).toEqual(["Input 1"]);
    expect(info.inputsFor?.({}, new Set(["inputs"])).some((p) => p.required)).toBe(false);
  });
});
