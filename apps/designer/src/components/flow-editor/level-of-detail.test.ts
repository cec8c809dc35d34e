import { describe, expect, it } from "vitest";
import { FAR_ZOOM, NEAR_ZOOM } from "./large-flow";
import { farSelector } from "./level-of-detail";

const at = (zoom: number, x = 10, y = 10) => ({ transform: [x, y, zoom] as [number, number, number] });

describe("level of detail", () => {
  it("goes far below FAR_ZOOM and comes near only above NEAR_ZOOM", () => {
    const far = farSelector(() => true, false, false);
    expect(far(at(1))).toBe(false);
    expect(far(at(FAR_ZOOM + 0.01))).toBe(false);
    expect(far(at(FAR_ZOOM - 0.01))).toBe(true);
    // Between the two thresholds the level stays what it was, both ways.
    expect(far(at((FAR_ZOOM + NEAR_ZOOM) / 2))).toBe(true);
    expect(far(at(NEAR_ZOOM + 0.01))).toBe(false);
    expect(far(at((FAR_ZOOM + NEAR_ZOOM) / 2))).toBe(false);
  });

  it("is never far for a small flow", () => {
    expect(farSelector(() => false, false, false)(at(0.05))).toBe(false);
  });

  it("keeps the starting level until the first fit moves the view", () => {
    const far = farSelector(() => true, true, true);
    expect(far(at(1, 0, 0))).toBe(true);
    expect(far(at(1, 0, 0))).toBe(true);
    expect(far(at(0.08, -40, 12))).toBe(true);
    expect(far(at(1, 0, 0))).toBe(false);
  });
});
