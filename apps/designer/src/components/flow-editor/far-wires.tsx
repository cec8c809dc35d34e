"use client";

import {
  type Edge,
  EdgeLabelRenderer,
  getBezierPath,
  type InternalNode,
  Position,
  useStore,
} from "@xyflow/react";
import { memo, useState } from "react";
import { shallow } from "zustand/shallow";

/*
 * Every wire of a far canvas (level-of-detail.ts) in one svg: one path per look (plain, selected, and a
 * comparison's added and removed), each holding all its wires' curves. React Flow draws each wire as its
 * own positioned svg of four elements, which at 2,500 wires were 10,000 elements and 2,500 layers that
 * style, hit testing and paint walked on every pan and zoom frame. Far out a wire is a hairline no one
 * aims at (they take no pointer there, globals.css), so one path per look loses nothing; zoomed in, React
 * Flow's own wires return, with hover, selection and live values.
 */

type HandleBox = {
  id?: string | null;
  x: number;
  y: number;
  width: number;
  height: number;
  position: Position;
};

/** Where a wire leaves or enters a node: the middle of the handle's outer side, as React Flow draws it. */
function endOf(node: InternalNode, side: "source" | "target", handleId: string | null | undefined) {
  const handles = node.internals.handleBounds?.[side] as HandleBox[] | null | undefined;
  const handle = handles?.find((h) => (handleId ? h.id === handleId : true)) ?? null;
  const { x: nx, y: ny } = node.internals.positionAbsolute;
  if (!handle) {
    const width = node.measured.width ?? 0;
    const height = node.measured.height ?? 0;
    return side === "source"
      ? { x: nx + width, y: ny + height / 2, position: Position.Right }
      : { x: nx, y: ny + height / 2, position: Position.Left };
  }
  const x = nx + handle.x;
  const y = ny + handle.y;
  switch (handle.position) {
    case Position.Left:
      return { x, y: y + handle.height / 2, position: handle.position };
    case Position.Top:
      return { x: x + handle.width / 2, y, position: handle.position };
    case Position.Bottom:
      return { x: x + handle.width / 2, y: y + handle.height, position: handle.position };
    default:
      return { x: x + handle.width, y: y + handle.height / 2, position: Position.Right };
  }
}

interface Look {
  key: string;
  stroke: string;
  dash: string | undefined;
  d: string;
}

const PLAIN = "#b1b1b7";
const SELECTED = "#555";

/** The look a wire draws with: its own stroke and dash (a comparison colours wires), darker when selected. */
function lookOf(edge: Edge): { key: string; stroke: string; dash: string | undefined } {
  const style = edge.style as { stroke?: string; strokeDasharray?: string | number } | undefined;
  const stroke = edge.selected ? SELECTED : (style?.stroke ?? PLAIN);
  const dash = style?.strokeDasharray === undefined ? undefined : String(style.strokeDasharray);
  return { key: `${stroke}|${dash ?? ""}`, stroke, dash };
}

/**
 * A selector of React Flow's store answering the wires' looks, the same array while no wire and no wired
 * node changed: it runs on every store update (each pan frame), so it checks identities (React Flow
 * replaces a node's internal object whenever it moves or changes) and computes a curve again only for a
 * wire whose end moved.
 */
function wiresSelector() {
  const curves = new Map<string, { edge: Edge; from: InternalNode; to: InternalNode; d: string }>();
  let lastEdges: readonly Edge[] | null = null;
  let looks: Look[] = [];
  return (s: { edges: Edge[]; nodeLookup: Map<string, InternalNode> }): Look[] => {
    let changed = s.edges !== lastEdges;
    const seen = changed ? new Set<string>() : null;
    for (const edge of s.edges) {
      seen?.add(edge.id);
      const from = s.nodeLookup.get(edge.source);
      const to = s.nodeLookup.get(edge.target);
      if (!from || !to) continue;
      const known = curves.get(edge.id);
      if (known && known.edge === edge && known.from === from && known.to === to) continue;
      const a = endOf(from, "source", edge.sourceHandle);
      const b = endOf(to, "target", edge.targetHandle);
      const [d] = getBezierPath({
        sourceX: a.x,
        sourceY: a.y,
        sourcePosition: a.position,
        targetX: b.x,
        targetY: b.y,
        targetPosition: b.position,
      });
      curves.set(edge.id, { edge, from, to, d });
      changed = true;
    }
    if (seen) for (const id of curves.keys()) if (!seen.has(id)) curves.delete(id);
    lastEdges = s.edges;
    if (!changed) return looks;
    const byLook = new Map<string, Look & { parts: string[] }>();
    for (const { edge, d } of curves.values()) {
      const look = lookOf(edge);
      const group = byLook.get(look.key);
      if (group) group.parts.push(d);
      else byLook.set(look.key, { ...look, d: "", parts: [d] });
    }
    // The selected look last, so a selected wire is drawn over the others.
    looks = [...byLook.values()]
      .sort((l, r) => Number(l.stroke === SELECTED) - Number(r.stroke === SELECTED))
      .map(({ parts, ...look }) => ({ ...look, d: parts.join("") }));
    return looks;
  };
}

/** All wires of a far canvas as one svg, under the nodes (React Flow's label layer sits below them). */
function FarWiresInner() {
  const [selector] = useState(wiresSelector);
  const looks = useStore(selector, shallow);
  return (
    <EdgeLabelRenderer>
      <svg
        className="pointer-events-none absolute left-0 top-0 overflow-visible"
        width={1}
        height={1}
        data-testid="far-wires"
        aria-hidden="true"
      >
        {looks.map((look) => (
          <path
            key={look.key}
            d={look.d}
            fill="none"
            stroke={look.stroke}
            strokeWidth={1}
            strokeDasharray={look.dash}
            vectorEffect="non-scaling-stroke"
          />
        ))}
      </svg>
    </EdgeLabelRenderer>
  );
}

export const FarWires = memo(FarWiresInner);
