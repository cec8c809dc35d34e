import { describe, expect, it } from "vitest";
import type { Scalar } from "../core/types";
import { nodeRunner } from "../testing/node-runner";
import { parameter } from "./parameter";

const CONFIG = { name: "setpoint", default: 22, min: 16, max: 28, unit: "°C" };

describe("parameter", () => {
  const cases: [string, Scalar | undefined, Scalar, string][] = [
    ["default until set", undefined, 22, "good"],
    ["override", 24.5, 24.5, "good"],
    ["at the high limit exactly", 28, 28, "good"],
    ["above max is clamped", 35, 28, "uncertain"],
    ["below min is clamped", 5, 16, "uncertain"],
    ["wrong type falls back to the default", "hot", 22, "uncertain"],
    ["NaN falls back to the default", Number.NaN, 22, "uncertain"],
  ];
  it.each(cases)("%s", (_name, override, value, quality) => {
    const r = nodeRunner(
      parameter,
      CONFIG,
      override === undefined ? {} : { parameters: { setpoint: override } },
    );
    expect(r.run().value).toMatchObject({ value, quality });
  });

  it("publishes its name, default and limits for the API (which refuses a value outside them)", () => {
    expect(parameter.parameters?.(parameter.config.parse(CONFIG))).toEqual([
      { name: "setpoint", value: 22, min: 16, max: 28, unit: "°C" },
    ]);
  });

  it("accepts the seed's form and refuses min > max", () => {
    expect(parameter.config.safeParse({ name: "setpoint", default: 22 }).success).toBe(true);
    expect(parameter.config.safeParse({ name: "sp", default: 1, min: 5, max: 1 }).success).toBe(false);
  });

  it("a boolean parameter takes boolean overrides", () => {
    const r = nodeRunner(
      parameter,
      { name: "night_mode", default: false },
      { parameters: { night_mode: true } },
    );
    expect(r.run().value?.value).toBe(true);
  });
});
