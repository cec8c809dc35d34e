import { type TestExpectation, TestExpectationSchema } from "@bms/schemas";
import { describe, expect, it } from "vitest";
import { judge, type Sample, satisfies } from "./expectations";

const e = (over: Record<string, unknown>): TestExpectation =>
  TestExpectationSchema.parse({
    point: "bacnet:1/analogOutput:1",
    mode: "always",
    op: "eq",
    value: 0,
    ...over,
  });
const samples = (values: (number | boolean | undefined)[], every = 10): Sample[] =>
  values.map((value, i) => ({ atS: i * every, value }));

describe("flow test expectations", () => {
  it.each([
    [{ op: "eq", value: 50, tolerance: 0.5 }, 50.4, true],
    [{ op: "eq", value: 50, tolerance: 0.5 }, 50.6, false],
    [{ op: "ne", value: 50 }, 50, false],
    [{ op: "gt", value: 80 }, 80, false],
    [{ op: "gt", value: 80, tolerance: 1 }, 79.5, true],
    [{ op: "ge", value: 80 }, 80, true],
    [{ op: "lt", value: 10 }, 10, false],
    [{ op: "le", value: 10 }, 10, true],
    [{ op: "between", value: 12, max: 18 }, 18, true],
    [{ op: "between", value: 12, max: 18 }, 11.9, false],
    // A binary point commanded true is 1, as BACnet reads it.
    [{ op: "eq", value: 1 }, true, true],
    [{ op: "eq", value: false }, 0, true],
    [{ op: "eq", value: "auto" }, "auto", true],
    [{ op: "gt", value: "auto" }, "manual", false],
    [{ op: "eq", value: 0 }, null, false],
    [{ op: "ne", value: 0 }, undefined, false],
  ])("%o against %o is %s", (over, actual, want) => {
    expect(satisfies(e(over), actual as never)).toBe(want);
  });

  it("always: names the first miss, how many scans missed and the range seen", () => {
    const out = judge(e({ op: "le", value: 50 }), "damper", samples([20, 40, 60, 70, 45]), [], 40);
    expect(out.passed).toBe(false);
    expect(out.diff).toEqual([
      "expected: damper ≤ 50 at every scan from 0 s to 40 s",
      "actual:   2 of 5 scans missed, first at 20 s with 60; 20 at 0 s → 45 at 40 s (min 20 at 0 s, max 70 at 30 s)",
    ]);
  });

  it("eventually: looks only inside the window", () => {
    const rising = samples([20, 40, 60, 85, 90]);
    expect(judge(e({ mode: "eventually", op: "gt", value: 80, to_s: 30 }), "d", rising, [], 40).passed).toBe(
      true,
    );
    const late = judge(e({ mode: "eventually", op: "gt", value: 80, to_s: 20 }), "d", rising, [], 40);
    expect(late.diff).toEqual([
      "expected: d > 80 at some scan within 0–20 s",
      "actual:   never; 20 at 0 s → 60 at 20 s (min 20 at 0 s, max 60 at 20 s)",
    ]);
  });

  it("at_end: judges the window's last scan, and says when nothing was written", () => {
    expect(judge(e({ mode: "at_end", value: 90 }), "d", samples([20, 90]), [], 10).passed).toBe(true);
    expect(
      judge(e({ mode: "at_end", value: 90 }), "d", samples([undefined, undefined]), [], 10).diff[1],
    ).toBe("actual:   nothing at 10 s");
  });

  it("checks the priority of the writes in the window", () => {
    const out = judge(e({ value: 20, priority: 10 }), "d", samples([20, 20]), [{ atS: 0, priority: 8 }], 10);
    expect(out.diff).toEqual([
      "expected: d = 20 at every scan from 0 s to 10 s, written at priority 10",
      "actual:   written at priority 8 at 0 s",
    ]);
  });
});
