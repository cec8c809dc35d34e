import type { InternalNode } from "@xyflow/react";
import { describe, expect, it } from "vitest";
import { nodesPicture } from "./flow-minimap";

/** What nodesPicture reads of React Flow's internal node: the user node's size and the absolute position. */
function internal(
  id: string,
  at: { x: number; y: number },
  size: { width?: number; height?: number; measured?: { width: number; height: number } },
  hidden = false,
): InternalNode {
  return {
    id,
    position: at,
    data: {},
    measured: {},
    internals: { positionAbsolute: at, z: 0, userNode: { id, position: at, data: {}, hidden, ...size } },
  } as unknown as InternalNode;
}

describe("minimap picture", () => {
  it("draws every sized, shown node as one rectangle of one path and bounds them all", () => {
    const picture = nodesPicture([
      internal("a", { x: 10, y: 20 }, { measured: { width: 220, height: 60 } }),
      internal("b", { x: -40, y: 300 }, { width: 100, height: 50 }),
      internal("unsized", { x: 5000, y: 5000 }, {}),
      internal("hidden", { x: -9000, y: 0 }, { width: 10, height: 10 }, true),
    ]);
    expect(picture.path).toBe("M10,20h220v60h-220zM-40,300h100v50h-100z");
    expect(picture.bounds).toEqual({ x: -40, y: 20, width: 270, height: 330 });
  });

  it("has no bounds when nothing can be drawn", () => {
    expect(nodesPicture([internal("unsized", { x: 0, y: 0 }, {})])).toEqual({ path: "", bounds: null });
  });
});
