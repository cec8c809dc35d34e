import { describe, expect, it } from "vitest";
import { type InputSpec, nodeRunner, v } from "../testing/node-runner";
import { select } from "./select";

describe("select", () => {
  const cases: [string, Record<string, InputSpec>, unknown, string][] = [
    ["0 selects in0", { selector: 0, in0: 18, in1: 22 }, 18, "good"],
    ["1 selects in1", { selector: 1, in0: 18, in1: 22 }, 22, "good"],
    ["true selects in1", { selector: true, in0: 18, in1: 22 }, 22, "good"],
    ["false selects in0", { selector: false, in0: 18, in1: 22 }, 18, "good"],
    ["1.6 rounds to 2", { selector: 1.6, in2: "c" }, "c", "good"],
    ["7 selects in7", { selector: 7, in7: 7 }, 7, "good"],
    ["8 is out of range", { selector: 8, in0: 1 }, null, "bad"],
    ["-1 is out of range", { selector: -1, in0: 1 }, null, "bad"],
    ["chosen input not connected", { selector: 3, in0: 1 }, null, "bad"],
    ["bad selector", { selector: v(1, "bad"), in1: 1 }, null, "bad"],
    ["NaN selector", { selector: Number.NaN, in1: 1 }, null, "bad"],
    ["bad unselected input does not matter", { selector: 0, in0: 5, in1: v(null, "bad") }, 5, "good"],
    ["chosen input's quality passes", { selector: 0, in0: v(5, "uncertain") }, 5, "uncertain"],
  ];
  it.each(cases)("%s", (_name, inputs, value, quality) => {
    expect(nodeRunner(select).run(inputs).value).toMatchObject({ value, quality });
  });

  const counted: [string, number, Record<string, InputSpec>, unknown, string][] = [
    ["2 is out of range with two inputs", 2, { selector: 2, in0: 1, in1: 2 }, null, "bad"],
    ["2 selects in2 with three inputs", 3, { selector: 2, in2: "c" }, "c", "good"],
    ["a wire kept beyond the count is still selectable", 2, { selector: 5, in5: 55 }, 55, "good"],
  ];
  it.each(counted)("input_count: %s", (_name, input_count, inputs, value, quality) => {
    expect(nodeRunner(select, { input_count }).run(inputs).value).toMatchObject({ value, quality });
  });
});
