import { describe, expect, it } from "vitest";
import type { BmsEdge } from "./flow-graph";
import { wiredPortsKey } from "./wired-ports";

const edge = (source: string, sourceHandle: string, target: string, targetHandle: string): BmsEdge => ({
  id: `${source}.${sourceHandle}->${target}.${targetHandle}`,
  source,
  sourceHandle,
  target,
  targetHandle,
});

describe("wiredPortsKey", () => {
  it("lists a node's wired inputs and outputs, sorted, and nothing for an unwired node", () => {
    const edges = [
      edge("a", "value", "b", "in2"),
      edge("c", "result", "b", "in1"),
      edge("b", "result", "d", "value"),
    ];
    expect(wiredPortsKey(edges, "b")).toBe("in:in1|in:in2|out:result");
    expect(wiredPortsKey(edges, "a")).toBe("out:value");
    expect(wiredPortsKey(edges, "lonely")).toBe("");
  });

  it("answers from a new index when the edges array is replaced (a wire added)", () => {
    const before = [edge("a", "value", "b", "in1")];
    expect(wiredPortsKey(before, "b")).toBe("in:in1");
    const after = [...before, edge("c", "value", "b", "in2")];
    expect(wiredPortsKey(after, "b")).toBe("in:in1|in:in2");
    expect(wiredPortsKey(before, "b")).toBe("in:in1");
  });

  it("matches a scan of every edge on a large graph", () => {
    const edges: BmsEdge[] = [];
    for (let i = 0; i < 500; i++) edges.push(edge(`n${i}`, "result", `n${(i * 7 + 3) % 500}`, `in${i % 3}`));
    const scan = (id: string) =>
      edges
        .flatMap((e) =>
          e.target === id ? [`in:${e.targetHandle}`] : e.source === id ? [`out:${e.sourceHandle}`] : [],
        )
        .sort()
        .join("|");
    for (let i = 0; i < 500; i++) expect(wiredPortsKey(edges, `n${i}`)).toBe(scan(`n${i}`));
  });
});
