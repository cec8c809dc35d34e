import { describe, expect, it } from "vitest";
import { asScalar, buildJsonPath, lookupJsonPath, parseJsonPath } from "./json-path";

describe("JSON paths", () => {
  it.each([
    ["temperature", ["temperature"]],
    ["object.temperature", ["object", "temperature"]],
    ["$.current.temperature_2m", ["current", "temperature_2m"]],
    ["data[0].value", ["data", 0, "value"]],
    ["matrix[1][2]", ["matrix", 1, 2]],
    ["$", []],
  ])("parses %s", (text, segments) => {
    expect(parseJsonPath(text)).toEqual({ ok: true, segments });
  });

  it.each([["a..b"], ["a[x]"], ["a[0"], ["."], ["a.b]"]])("rejects %s", (text) => {
    expect(parseJsonPath(text).ok).toBe(false);
  });

  it("looks values up and names the first missing segment", () => {
    const doc = { a: { b: [10, { c: "x" }] }, n: null };
    const path = (t: string) => {
      const p = parseJsonPath(t);
      if (!p.ok) throw new Error(p.message);
      return p.segments;
    };
    expect(lookupJsonPath(doc, path("a.b[1].c"))).toEqual({ found: true, value: "x" });
    expect(lookupJsonPath(doc, path("n"))).toEqual({ found: true, value: null });
    expect(lookupJsonPath(doc, path("a.b[5]"))).toEqual({ found: false, at: "a.b[5]" });
    expect(lookupJsonPath(doc, path("a.x.y"))).toEqual({ found: false, at: "a.x" });
    // Own keys only: a path never reaches the prototype.
    expect(lookupJsonPath(doc, path("a.constructor"))).toEqual({ found: false, at: "a.constructor" });
  });

  it("builds the document a write publishes", () => {
    expect(buildJsonPath(["value", "sp"], 19)).toEqual({ value: { sp: 19 } });
    expect(buildJsonPath(["list", 1], true)).toEqual({ list: [null, true] });
    expect(buildJsonPath([], 3)).toBe(3);
  });

  it("accepts scalars only as point values", () => {
    expect(asScalar(1.5)).toEqual({ ok: true, value: 1.5 });
    expect(asScalar("on")).toEqual({ ok: true, value: "on" });
    expect(asScalar({}).ok).toBe(false);
    expect(asScalar([1]).ok).toBe(false);
  });
});
