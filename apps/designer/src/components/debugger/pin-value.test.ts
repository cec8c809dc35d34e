import { describe, expect, it } from "vitest";
import { parsePinValue } from "./pin-value";

describe("the value typed for a pin", () => {
  it.each([
    ["21.5", 21.5],
    [" -3 ", -3],
    ["on", true],
    ["FALSE", false],
    ["null", null],
    ["occupied", "occupied"],
  ])("%s pins %j", (text, value) => {
    expect(parsePinValue(text)).toEqual({ ok: true, value });
  });

  it("refuses an empty value rather than pinning nothing", () => {
    expect(parsePinValue("  ")).toEqual({ ok: false, message: "type a value to pin" });
  });
});
