import { describe, expect, it } from "vitest";
import { PriorityArray } from "./priority-array";

describe("PriorityArray", () => {
  it("falls back to the relinquish default when every slot is NULL", () => {
    const pa = new PriorityArray(0);
    expect(pa.effective()).toEqual({ value: 0, priority: null });
  });

  it("takes the highest (lowest-numbered) non-NULL slot", () => {
    const pa = new PriorityArray(24);
    pa.write(16, 22);
    expect(pa.effective()).toEqual({ value: 22, priority: 16 });
    pa.write(8, 19);
    expect(pa.effective()).toEqual({ value: 19, priority: 8 });
    pa.write(12, 30);
    expect(pa.presentValue).toBe(19);
  });

  it("walks back down the slots as they are relinquished", () => {
    const pa = new PriorityArray(0);
    pa.write(16, 1);
    pa.write(8, 0);
    expect(pa.presentValue).toBe(0);
    pa.write(8, null);
    expect(pa.effective()).toEqual({ value: 1, priority: 16 });
    pa.write(16, null);
    expect(pa.effective()).toEqual({ value: 0, priority: null });
  });

  it("keeps 0 as a real command, not as NULL", () => {
    const pa = new PriorityArray(1);
    pa.write(10, 0);
    expect(pa.effective()).toEqual({ value: 0, priority: 10 });
  });

  it("rejects priorities outside 1..16", () => {
    const pa = new PriorityArray(0);
    expect(() => pa.write(0, 1)).toThrow(RangeError);
    expect(() => pa.write(17, 1)).toThrow(RangeError);
    expect(() => pa.write(2.5, 1)).toThrow(RangeError);
  });

  it("snapshots 16 slots in priority order and can relinquish all", () => {
    const pa = new PriorityArray(0);
    pa.write(1, 5);
    const snap = pa.snapshot();
    expect(snap).toHaveLength(16);
    expect(snap[0]).toBe(5);
    pa.relinquishAll();
    expect(pa.presentValue).toBe(0);
  });
});
