import type { InternalNode, Node, NodeChange, XYPosition } from "@xyflow/react";

/*
 * A drag in progress moves only what it drags. React Flow reports every pointer move of a drag as
 * position changes with `dragging: true`; handed to the editor store, each one replaced the store's node
 * array, and React Flow adopted all the nodes again (2,000 of them at issue 15's size), ran every node's
 * selector in both stores and redrew the minimap: that was most of a drag frame's script. Here a drag
 * frame replaces only the dragged nodes' entries in React Flow's own node lookup (a frame's members with
 * it) and wakes React Flow's subscribers once: the dragged node's element and its wires (React Flow's
 * edges near, far-wires.tsx's paths far) follow, because they compare those entries by identity, and
 * nothing else renders. The drop (the same changes with `dragging: false`) goes to the editor store as
 * before: one document change, one undo step (begun at the drag's start), one autosave.
 */

/** What of React Flow's store a live drag reads and wakes. */
export interface LiveDragFlowStore {
  getState(): { nodeLookup: Map<string, InternalNode> };
  setState(partial: Record<string, never>): void;
}

/** A drag frame's change: a dragged node's new position. */
type PositionChange = { type: "position"; id: string; position: XYPosition; dragging: true };

/**
 * Whether `changes` are one frame of a drag in progress (nothing but positions still dragging): those
 * the live drag takes; anything else (the drop, a selection, a resize, a keyboard nudge) is the store's.
 */
export function isDragFrame<N extends Node>(changes: readonly NodeChange<N>[]): boolean {
  return (
    changes.length > 0 &&
    changes.every((c) => c.type === "position" && c.dragging === true && c.position !== undefined)
  );
}

/** The lookup entry of a node moved to `position`, as React Flow would adopt it (no parent, no extent). */
function movedTo(node: InternalNode, position: XYPosition): InternalNode {
  const dx = position.x - node.position.x;
  const dy = position.y - node.position.y;
  const { positionAbsolute } = node.internals;
  return {
    ...node,
    position,
    dragging: true,
    internals: {
      ...node.internals,
      positionAbsolute: { x: positionAbsolute.x + dx, y: positionAbsolute.y + dy },
      userNode: { ...node.internals.userNode, position, dragging: true },
    },
  };
}

export interface LiveDrag {
  /**
   * Takes a drag frame (see isDragFrame): moves the dragged nodes (and a dragged frame's members that
   * are not dragged themselves, by the frame's delta, as the store does at the drop) in React Flow's
   * lookup and wakes its subscribers once. Answers false, having done nothing, when it cannot (a node
   * with a parent, or not in the lookup): the caller then hands the changes to the store.
   */
  frame(changes: readonly NodeChange<Node>[]): boolean;
  /** Forgets the live positions of the nodes these changes move or remove: the store has them now. */
  settle(changes: readonly NodeChange<Node>[]): void;
  /**
   * `nodes` with the live positions of a drag in progress, for a node list React Flow adopts mid-drag
   * (the store changed, e.g. the dragged node became selected): it would put the node back where the
   * store has it until the next pointer move. The same array when no drag is live.
   */
  overlay<N extends Node>(nodes: N[]): N[];
  /** The live positions left (none after a drop): ids and where they are on the canvas. */
  positions(): ReadonlyMap<string, XYPosition>;
  /** Forgets every live position: a cancelled drag, whose nodes React Flow takes from the store again. */
  clear(): void;
}

/** `membersOf(id)`: the member node ids of a group frame, undefined for any other node. */
export function createLiveDrag(
  flowStore: LiveDragFlowStore,
  membersOf: (id: string) => readonly string[] | undefined,
): LiveDrag {
  const live = new Map<string, XYPosition>();
  return {
    frame(changes) {
      const { nodeLookup } = flowStore.getState();
      const moves = new Map<string, XYPosition>();
      for (const change of changes as readonly PositionChange[]) moves.set(change.id, change.position);
      for (const change of changes as readonly PositionChange[]) {
        const members = membersOf(change.id);
        const frame = nodeLookup.get(change.id);
        if (!members || !frame) continue;
        const dx = change.position.x - frame.position.x;
        const dy = change.position.y - frame.position.y;
        for (const id of members) {
          const member = nodeLookup.get(id);
          if (member && !moves.has(id))
            moves.set(id, { x: member.position.x + dx, y: member.position.y + dy });
        }
      }
      for (const id of moves.keys()) {
        const node = nodeLookup.get(id);
        if (!node || node.parentId) return false;
      }
      for (const [id, position] of moves) {
        nodeLookup.set(id, movedTo(nodeLookup.get(id)!, position));
        live.set(id, position);
      }
      // React Flow's own way to wake its subscribers after changing the lookup in place.
      flowStore.setState({});
      return true;
    },
    settle(changes) {
      for (const change of changes) {
        if (change.type !== "position" && change.type !== "remove") continue;
        live.delete(change.id);
        // A dropped frame's members were moved live without a change of their own: the store moves them.
        for (const id of membersOf(change.id) ?? []) live.delete(id);
      }
    },
    overlay(nodes) {
      if (live.size === 0) return nodes;
      return nodes.map((n) => {
        const position = live.get(n.id);
        return position ? { ...n, position, dragging: true } : n;
      });
    },
    positions: () => live,
    clear: () => live.clear(),
  };
}
