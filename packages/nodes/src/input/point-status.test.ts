import { describe, expect, it } from "vitest";
import type { NodeValue } from "../core/types";
import { nodeRunner, T0 } from "../testing/node-runner";
import { pointStatus } from "./point-status";

const POINT = "bacnet:1001/analogInput:3.presentValue";

describe("point_status", () => {
  const cases: [string, NodeValue | undefined, boolean, string, number | null, boolean][] = [
    ["fresh good value", { value: 5, quality: "good", timestamp: T0 - 10_000 }, true, "good", 10, false],
    [
      "exactly max age is not stale",
      { value: 5, quality: "good", timestamp: T0 - 120_000 },
      true,
      "good",
      120,
      false,
    ],
    ["older than max age", { value: 5, quality: "good", timestamp: T0 - 121_000 }, false, "good", 121, true],
    ["uncertain", { value: 5, quality: "uncertain", timestamp: T0 }, false, "uncertain", 0, false],
    ["bad", { value: null, quality: "bad", timestamp: T0 }, false, "bad", 0, false],
    ["never read", undefined, false, "bad", null, true],
  ];
  it.each(cases)("%s", (_name, read, ok, quality, age, stale) => {
    const r = nodeRunner(
      pointStatus,
      { point: "bacnet:1001:AI3", max_age_s: 120 },
      { points: read ? { [POINT]: read } : {} },
    );
    const out = r.run();
    expect([out.ok?.value, out.quality?.value, out.age_s?.value, out.stale?.value]).toEqual([
      ok,
      quality,
      age,
      stale,
    ]);
    expect(out.ok?.quality).toBe("good");
  });

  it("declares its point for batched reads", () => {
    expect(pointStatus.points?.(pointStatus.config.parse({ point: "bacnet:1001:AI3" }))).toEqual({
      reads: [POINT],
    });
  });
});
