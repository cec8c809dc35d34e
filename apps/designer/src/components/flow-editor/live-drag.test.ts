import type { InternalNode, Node, NodeChange } from "@xyflow/react";
import { adoptUserNodes } from "@xyflow/system";
import { describe, expect, it } from "vitest";
import { createStore } from "zustand/vanilla";
import { createLiveDrag, isDragFrame } from "./live-drag";

/** React Flow's node lookup as React Flow builds it (its own adoptUserNodes), in a zustand store as its is. */
function flowStoreOf(nodes: Node[]) {
  const nodeLookup = new Map<string, InternalNode>();
  adoptUserNodes(nodes, nodeLookup, new Map(), { checkEquality: true });
  return createStore<{ nodeLookup: Map<string, InternalNode> }>()(() => ({ nodeLookup }));
}

const node = (id: string, x: number, y: number, type = "bms"): Node => ({
  id,
  type,
  position: { x, y },
  data: {},
  measured: { width: 220, height: 80 },
});

const drag = (id: string, x: number, y: number, dragging = true): NodeChange<Node> => ({
  type: "position",
  id,
  position: { x, y },
  dragging,
});

describe("live drag", () => {
  it("takes only frames of a drag in progress", () => {
    expect(isDragFrame([drag("a", 1, 2)])).toBe(true);
    expect(isDragFrame([drag("a", 1, 2), drag("b", 3, 4)])).toBe(true);
    expect(isDragFrame([])).toBe(false);
    expect(isDragFrame([drag("a", 1, 2, false)])).toBe(false);
    expect(isDragFrame([drag("a", 1, 2), { type: "select", id: "b", selected: true }])).toBe(false);
  });

  it("moves the dragged node's lookup entry alone and wakes React Flow's subscribers once a frame", () => {
    const store = flowStoreOf([node("a", 0, 0), node("b", 300, 0), node("c", 600, 0)]);
    const before = new Map(store.getState().nodeLookup);
    let wakes = 0;
    store.subscribe(() => wakes++);
    const live = createLiveDrag(store, () => undefined);

    expect(live.frame([drag("b", 320, 16)])).toBe(true);
    const lookup = store.getState().nodeLookup;
    const b = lookup.get("b")!;
    expect(b).not.toBe(before.get("b"));
    expect(b.position).toEqual({ x: 320, y: 16 });
    expect(b.internals.positionAbsolute).toEqual({ x: 320, y: 16 });
    expect(b.internals.userNode.position).toEqual({ x: 320, y: 16 });
    // Size and handles stay: the wires' ends are computed from them.
    expect(b.measured).toEqual({ width: 220, height: 80 });
    expect(lookup.get("a")).toBe(before.get("a"));
    expect(lookup.get("c")).toBe(before.get("c"));
    expect(wakes).toBe(1);
    expect([...live.positions()]).toEqual([["b", { x: 320, y: 16 }]]);
  });

  it("keeps live positions in a node list adopted mid-drag, and forgets them at the drop", () => {
    const nodes = [node("a", 0, 0), node("b", 300, 0)];
    const live = createLiveDrag(flowStoreOf(nodes), () => undefined);
    expect(live.overlay(nodes)).toBe(nodes);
    live.frame([drag("a", 40, 8)]);
    const shown = live.overlay(nodes);
    expect(shown[0]!.position).toEqual({ x: 40, y: 8 });
    expect(shown[1]).toBe(nodes[1]);
    // A selection mid-drag is not a drop: the position stays live.
    live.settle([{ type: "select", id: "a", selected: true }]);
    expect(live.positions().size).toBe(1);
    live.settle([drag("a", 48, 8, false)]);
    expect(live.positions().size).toBe(0);
    expect(live.overlay(nodes)).toBe(nodes);
  });

  it("carries a dragged frame's members by its delta, except members dragged themselves", () => {
    const store = flowStoreOf([
      node("group_1", -20, -40, "group"),
      node("a", 0, 0),
      node("b", 300, 0),
      node("c", 600, 0),
    ]);
    const members = (id: string) => (id === "group_1" ? ["a", "b"] : undefined);
    const live = createLiveDrag(store, members);
    live.frame([drag("group_1", 0, -24), drag("b", 350, 50)]);
    const at = (id: string) => store.getState().nodeLookup.get(id)!.position;
    expect(at("a")).toEqual({ x: 20, y: 16 });
    expect(at("b")).toEqual({ x: 350, y: 50 });
    expect(at("c")).toEqual({ x: 600, y: 0 });
    // The next frame's delta is from where the frame is now.
    live.frame([drag("group_1", 8, -24), drag("b", 358, 50)]);
    expect(at("a")).toEqual({ x: 28, y: 16 });
    // The frame's drop settles its members too (the store moves them by the frame's delta).
    live.settle([drag("group_1", 8, -24, false), drag("b", 358, 50, false)]);
    expect(live.positions().size).toBe(0);
  });

  it("declines a frame it cannot move (a node gone from the lookup), changing nothing", () => {
    const store = flowStoreOf([node("a", 0, 0)]);
    const before = store.getState().nodeLookup.get("a");
    let wakes = 0;
    store.subscribe(() => wakes++);
    const live = createLiveDrag(store, () => undefined);
    expect(live.frame([drag("a", 8, 8), drag("gone", 8, 8)])).toBe(false);
    expect(store.getState().nodeLookup.get("a")).toBe(before);
    expect(wakes).toBe(0);
    expect(live.positions().size).toBe(0);
  });
});
