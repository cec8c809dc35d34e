import { describe, expect, it } from "vitest";
import { HeapBudget, heapNeededMb, pointsForHeapMb } from "./heap-budget";

describe("HeapBudget", () => {
  it("sizes the heap by points and agrees with itself both ways", () => {
    expect(heapNeededMb(50_000)).toBeGreaterThan(heapNeededMb(2_000));
    for (const points of [0, 2_000, 50_000, 120_000]) {
      // The heap a site needs holds at least that site.
      expect(pointsForHeapMb(heapNeededMb(points))).toBeGreaterThanOrEqual(points);
    }
  });

  it("warns once when the site outgrows the heap limit, with the flag to set, and clears when it fits", () => {
    const warnings: string[] = [];
    let limitMb = 512;
    const budget = new HeapBudget(
      (m) => warnings.push(m),
      () => limitMb * 1e6,
    );
    expect(budget.current).toBeNull();
    const small = budget.check(2_000);
    expect(small).toMatchObject({ points: 2_000, heap_limit_mb: 512, ok: true });
    expect(small.warning).toBeUndefined();

    const tooBig = pointsForHeapMb(512) + 10_000;
    const big = budget.check(tooBig);
    expect(big.ok).toBe(false);
    expect(big.heap_needed_mb).toBe(heapNeededMb(tooBig));
    expect(big.warning).toContain(`--max-old-space-size=${heapNeededMb(tooBig)}`);
    // A flow starting or stopping re-checks the same site: no second warning.
    budget.check(tooBig);
    expect(warnings).toHaveLength(1);

    limitMb = heapNeededMb(tooBig);
    expect(budget.check(tooBig).ok).toBe(true);
    expect(budget.current?.ok).toBe(true);
    expect(warnings).toHaveLength(1);
  });
});
