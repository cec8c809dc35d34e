// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are alert templates, ${} is their syntax
import { describe, expect, it } from "vitest";
import { compileTemplate, formatValue, renderTemplate } from "./template";
import type { NodeValue } from "./types";

const vars: Record<string, NodeValue> = {
  temp: { value: 26.456, quality: "good", timestamp: 0 },
  zone: { value: "East wing", quality: "good", timestamp: 0 },
  broken: { value: null, quality: "bad", timestamp: 0, reason: "timeout" },
};
const resolve = (name: string) => vars[name];

describe("alert templates", () => {
  const cases: [string, string, string][] = [
    ["Temperature high: $temp", "Temperature high: 26.46", "good"],
    ["${round(temp, 1)} °C in $zone", "26.5 °C in East wing", "good"],
    ["Cost $$5, plain $ sign, $1", "Cost $5, plain $ sign, $1", "good"],
    ["Sensor reads $broken", "Sensor reads ?", "uncertain"],
    ["Unknown $nobody", "Unknown ?", "uncertain"],
    ["no variables", "no variables", "good"],
    ["$temp$zone", "26.46East wing", "good"],
  ];
  it.each(cases)("%s → %s", (source, text, quality) => {
    const compiled = compileTemplate(source);
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    expect(renderTemplate(compiled.template, resolve)).toMatchObject({ text, quality });
  });

  it("refuses unsafe or broken expressions when compiled", () => {
    expect(compileTemplate("x ${constructor.constructor('return process')()}").ok).toBe(false);
    expect(compileTemplate("x ${temp").ok).toBe(false);
  });

  it("formats numbers for operators", () => {
    expect([formatValue(3), formatValue(2.005), formatValue(-0.1234), formatValue(true)]).toEqual([
      "3",
      "2.01",
      "-0.12",
      "true",
    ]);
  });
});
