import { describe, expect, it } from "vitest";
import { jsonNestingDepth, MAX_JSON_DEPTH } from "./json-depth";

describe("jsonNestingDepth", () => {
  it.each([
    ["1", 0],
    ['"[[[{{{"', 0],
    ["[]", 1],
    ['{"a":[1,{"b":[]}]}', 4],
    ['["\\"[", [[]]]', 3],
    ['{"a\\\\":[{}]}', 3],
  ])("%s nests %i deep", (text, depth) => {
    expect(jsonNestingDepth(text)).toBe(depth);
  });

  it("stops counting once past the limit, so a 100,000-deep body costs one short scan", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    expect(jsonNestingDepth(deep, MAX_JSON_DEPTH)).toBe(MAX_JSON_DEPTH + 1);
    expect(jsonNestingDepth(deep)).toBe(100_000);
  });
});
