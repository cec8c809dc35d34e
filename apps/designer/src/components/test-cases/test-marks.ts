import type { FlowTestResult } from "@bms/nodes/flow-test";
import { type FlowTestCase, normalizePointRef } from "@bms/schemas";
import type { TestMark } from "../../store/debug-overlay";

function canonical(ref: string): string {
  try {
    return normalizePointRef(ref);
  } catch {
    return ref;
  }
}

/**
 * Which node of the flow each verdict belongs to on the canvas: an expectation on a node output marks
 * that node; one on a point marks every node that commands the point (its `point` config).
 */
export function testMarksOf(
  nodes: readonly { id: string; type: string; config: Record<string, unknown> }[],
  cases: readonly FlowTestCase[],
  results: readonly FlowTestResult[],
): Record<string, TestMark> {
  const writers = new Map<string, string[]>();
  for (const n of nodes) {
    if (n.type === "sensor_read" || typeof n.config.point !== "string") continue;
    const ref = canonical(n.config.point);
    writers.set(ref, [...(writers.get(ref) ?? []), n.id]);
  }
  const marks: Record<string, TestMark> = {};
  for (const result of results) {
    const test = cases.find((c) => c.id === result.id);
    if (!test) continue;
    for (const verdict of result.expectations) {
      const e = test.expect[verdict.index];
      if (!e) continue;
      const targets = e.output ? [e.output.node] : (writers.get(canonical(e.point!)) ?? []);
      for (const node of targets) {
        const mark = marks[node] ?? { passed: 0, failed: 0 };
        marks[node] = mark;
        if (verdict.passed) mark.passed++;
        else mark.failed++;
      }
    }
  }
  return marks;
}
