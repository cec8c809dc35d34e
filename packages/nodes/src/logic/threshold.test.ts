import { describe, expect, it } from "vitest";
import { type InputSpec, nodeRunner, v } from "../testing/node-runner";
import { threshold } from "./threshold";

describe("threshold", () => {
  const cases: [string, Record<string, unknown>, Record<string, InputSpec>, boolean | null, string][] = [
    [">: above", { operator: ">", value: 25 }, { value: 25.1 }, true, "good"],
    [">: equal is false", { operator: ">", value: 25 }, { value: 25 }, false, "good"],
    [">=: equal is true", { operator: ">=", value: 25 }, { value: 25 }, true, "good"],
    ["<", { operator: "<", value: 25 }, { value: 24.9 }, true, "good"],
    ["<=: equal", { operator: "<=", value: 25 }, { value: 25 }, true, "good"],
    ["== within tolerance", { operator: "==", value: 1, tolerance: 0.01 }, { value: 1.005 }, true, "good"],
    ["!= outside tolerance", { operator: "!=", value: 1, tolerance: 0.01 }, { value: 1.02 }, true, "good"],
    ["limit input overrides", { operator: ">", value: 25 }, { value: 22, limit: 20 }, true, "good"],
    ["bad value", { operator: ">" }, { value: v(30, "bad") }, null, "bad"],
    ["null value", { operator: ">" }, { value: null }, null, "bad"],
    ["NaN value", { operator: ">" }, { value: Number.NaN }, null, "bad"],
    ["bad limit", { operator: ">" }, { value: 1, limit: v(0, "bad") }, null, "bad"],
    ["uncertain value", { operator: ">", value: 0 }, { value: v(1, "uncertain") }, true, "uncertain"],
  ];
  it.each(cases)("%s", (_name, config, inputs, value, quality) => {
    expect(nodeRunner(threshold, config).run(inputs).result).toMatchObject({ value, quality });
  });
});
