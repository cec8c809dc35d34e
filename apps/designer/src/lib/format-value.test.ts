import { describe, expect, it } from "vitest";
import { showPointValue, showValue } from "./format-value";

describe("showValue", () => {
  it.each([
    [21.456, undefined, "21.46"],
    [{ value: 21.456, quality: "good" }, { units: "degreesCelsius" }, "21.46 °C"],
    [45, { units: "percent" }, "45 %"],
    [true, undefined, "true"],
    [false, { active_text: "Occupied", inactive_text: "Unoccupied" }, "Unoccupied"],
    [4, { state_text: ["Off", "Cooling", "Heating", "Auto"] }, "Auto"],
    [null, { units: "percent" }, "—"],
    [[1, 2, 3], undefined, "[3]"],
  ])("%o with %o reads %s", (raw, labels, text) => expect(showValue(raw, labels).text).toBe(text));

  it("keeps the quality of a NodeValue", () => {
    expect(showValue({ value: 3, quality: "bad" })).toEqual({ text: "3", quality: "bad" });
  });
});

describe("showPointValue", () => {
  const mode = { value: 4, text: "Auto" };
  it("uses the state text for the value it describes, and only for that value", () => {
    expect(showPointValue({ value: 4, quality: "good" }, mode)).toEqual({ text: "Auto", quality: "good" });
    expect(showPointValue(3, mode).text).toBe("3");
  });

  it("adds the point's unit symbol", () => {
    expect(showPointValue(22.4, { value: 22.4, units: "degreesCelsius" }).text).toBe("22.4 °C");
    expect(showPointValue(22.4, undefined).text).toBe("22.4");
  });
});
