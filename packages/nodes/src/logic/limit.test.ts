import { describe, expect, it } from "vitest";
import { type InputSpec, nodeRunner, v } from "../testing/node-runner";
import { limit } from "./limit";

describe("limit", () => {
  const cases: [string, Record<string, unknown>, Record<string, InputSpec>, unknown, unknown, string][] = [
    ["inside", { min: 12, max: 18 }, { value: 15 }, 15, false, "good"],
    ["at the low limit exactly", { min: 12, max: 18 }, { value: 12 }, 12, false, "good"],
    ["below", { min: 12, max: 18 }, { value: 10 }, 12, true, "good"],
    ["above", { min: 12, max: 18 }, { value: 19 }, 18, true, "good"],
    ["no high limit", { min: 12 }, { value: 1e6 }, 1e6, false, "good"],
    ["limit inputs override config", { min: 12, max: 18 }, { value: 30, max: 25 }, 25, true, "good"],
    ["min > max: max wins", { min: 20, max: 10 }, { value: 15 }, 10, true, "good"],
    ["bad value propagates", { min: 0, max: 1 }, { value: v(0.5, "bad") }, null, null, "bad"],
    ["NaN value", {}, { value: Number.NaN }, null, null, "bad"],
    ["bad limit input", {}, { value: 1, min: v(0, "bad") }, null, null, "bad"],
    ["fallback", { on_bad_input: "fallback", fallback: 14 }, { value: null }, 14, false, "uncertain"],
  ];
  it.each(cases)("%s", (_name, config, inputs, value, limited, quality) => {
    const out = nodeRunner(limit, config).run(inputs);
    expect(out.value).toMatchObject({ value, quality });
    expect(out.limited?.value).toBe(limited);
  });
});
