import { describe, expect, it } from "vitest";
import type { BmsEdge, BmsNode } from "../../store/flow-graph";
import { knownGeometry, withKnownGeometry } from "./node-size";

const or = (id: string, inputCount: number, extra: Partial<BmsNode> = {}): BmsNode => ({
  id,
  type: "bms",
  position: { x: 0, y: 0 },
  data: { type: "or", version: 1, config: { input_count: inputCount }, runtime_options: undefined as never },
  ...extra,
});

describe("node geometry known before layout", () => {
  it("grows with the port rows and puts one handle per drawn port", () => {
    const two = knownGeometry(or("a", 2).data, "");
    const five = knownGeometry(or("a", 5).data, "");
    expect(two?.handles.map((h) => `${h.type}:${h.id}`)).toEqual([
      "target:in1",
      "target:in2",
      "source:result",
    ]);
    expect(five?.handles.filter((h) => h.type === "target")).toHaveLength(5);
    expect((five?.height ?? 0) - (two?.height ?? 0)).toBe(3 * 22);
    // A wired port beyond the configured count is drawn, so it has a handle.
    expect(knownGeometry(or("a", 2).data, "in:in4")?.handles.map((h) => h.id)).toContain("in4");
  });

  it("hands React Flow the size and handles, one object per store node and wiring", () => {
    const node = or("a", 2);
    const edges: BmsEdge[] = [];
    const sized = withKnownGeometry(node, edges);
    expect(sized.measured).toEqual({ width: 220, height: knownGeometry(node.data, "")?.height });
    expect(sized.handles).toHaveLength(3);
    expect(withKnownGeometry(node, edges)).toBe(sized);
    const wired: BmsEdge[] = [
      { id: "e", source: "b", target: "a", sourceHandle: "result", targetHandle: "in4" },
    ];
    expect(withKnownGeometry(node, wired).handles?.map((h) => h.id)).toContain("in4");
  });

  it("leaves a node to React Flow's own measurement when it is drawn otherwise", () => {
    // Measured taller (a run's value rows) or a title that may wrap: no guess is handed over.
    const taller = or("a", 2, { measured: { width: 220, height: 400 } });
    expect(withKnownGeometry(taller, [])).toBe(taller);
    const long = or("b", 2);
    long.data = { ...long.data, label: "North wing zone temperature above setpoint" };
    expect(withKnownGeometry(long, [])).toBe(long);
  });
});
