"use client";

import {
  type Edge,
  EdgeLabelRenderer,
  getBezierPath,
  type InternalNode,
  Position,
  useStore,
} from "@xyflow/react";
import { memo, useMemo, useState } from "react";

/*
 * Every wire of a far canvas (level-of-detail.ts) in one svg: its paths each hold the curves of up to
 * CHUNK wires of one look (plain, selected, a comparison's added and removed). React Flow draws each wire as its
 * own positioned svg of four elements, which at 2,500 wires were 10,000 elements and 2,500 layers that
 * style, hit testing and paint walked on every pan and zoom frame. Far out a wire is a hairline no one
 * aims at, so one svg loses nothing; zoomed in, React Flow's own wires return, with hover, selection and
 * live values. React Flow is handed no wires while far (flow-canvas.tsx), so it keeps no 2,500 wire
 * components whose selectors ran on every pan frame; the editor store removes a deleted node's wires
 * itself.
 */

type HandleBox = {
  id?: string | null;
  x: number;
  y: number;
  width: number;
  height: number;
  position: Position;
};

/**
 * Where a wire leaves or enters a node: the middle of the handle's outer side, as React Flow draws it.
 * React Flow measures a far box on mounting and finds no handles in it (a box has none): the node's known
 * handles (node-size.ts) stand in, so a wire ends where it will when the node is drawn in full, and does
 * not jump when the node is adopted again (selected, dragged).
 */
function endOf(node: InternalNode, side: "source" | "target", handleId: string | null | undefined) {
  const measured = node.internals.handleBounds?.[side] as HandleBox[] | null | undefined;
  const handles = measured?.length
    ? measured
    : (node.internals.userNode.handles?.filter((h) => h.type === side) as HandleBox[] | undefined);
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

/**
 * Wires per path. Dragging a node changes a few wires: only their paths get a new `d` (React compares
 * the strings), so a drag frame re-joins and the browser re-parses a few hundred curves, not 2,500,
 * while the canvas keeps under a hundred elements for its wires.
 */
const CHUNK = 32;

/** The look a wire draws with: its own stroke and dash (a comparison colours wires), darker when selected. */
function lookOf(edge: Edge): { key: string; stroke: string; dash: string | undefined } {
  const style = edge.style as { stroke?: string; strokeDasharray?: string | number } | undefined;
  const stroke = edge.selected ? SELECTED : (style?.stroke ?? PLAIN);
  const dash = style?.strokeDasharray === undefined ? undefined : String(style.strokeDasharray);
  return { key: `${stroke}|${dash ?? ""}`, stroke, dash };
}

type Curve = { edge: Edge; from: InternalNode; to: InternalNode; d: string };

/** The curves of one chunk of wires grouped by look, and the joined paths they gave last time. */
interface Chunk {
  curves: (Curve | null)[];
  looks: Look[];
}

function curveOf(edge: Edge, from: InternalNode, to: InternalNode): Curve {
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
  return { edge, from, to, d };
}

function looksOf(index: number, curves: (Curve | null)[]): Look[] {
  const byLook = new Map<string, Look & { parts: string[] }>();
  for (const curve of curves) {
    if (!curve) continue;
    const look = lookOf(curve.edge);
    const group = byLook.get(look.key);
    if (group) group.parts.push(curve.d);
    else byLook.set(look.key, { ...look, key: `${index}|${look.key}`, d: "", parts: [curve.d] });
  }
  return [...byLook.values()].map(({ parts, ...look }) => ({ ...look, d: parts.join("") }));
}

/**
 * A selector of React Flow's store answering the wires' paths for one list of wires, the same array
 * while no wire end moved: it runs on every store update (each pan frame), so it checks identities
 * (React Flow replaces a node's internal object whenever it moves or changes) and computes a curve again
 * only for a wire whose end moved, and a chunk's paths only when one of its curves changed.
 */
function wiresSelector(edges: readonly Edge[], chunks: Chunk[]) {
  chunks.length = Math.ceil(edges.length / CHUNK);
  let paths: Look[] | null = null;
  return (s: { nodeLookup: Map<string, InternalNode> }): Look[] => {
    let changed = paths === null;
    for (let c = 0; c < chunks.length; c++) {
      const chunk = chunks[c] ?? { curves: [], looks: [] };
      chunks[c] = chunk;
      let dirty = chunk.curves.length !== Math.min(CHUNK, edges.length - c * CHUNK);
      chunk.curves.length = Math.min(CHUNK, edges.length - c * CHUNK);
      for (let i = 0; i < chunk.curves.length; i++) {
        const edge = edges[c * CHUNK + i]!;
        const from = s.nodeLookup.get(edge.source);
        const to = s.nodeLookup.get(edge.target);
        const known = chunk.curves[i];
        if (known && known.edge === edge && known.from === from && known.to === to) continue;
        chunk.curves[i] = from && to ? curveOf(edge, from, to) : null;
        dirty = true;
      }
      if (dirty) {
        chunk.looks = looksOf(c, chunk.curves);
        changed = true;
      }
    }
    if (changed || !paths) {
      // The selected look last, so a selected wire is drawn over the others.
      paths = chunks
        .flatMap((chunk) => chunk.looks)
        .sort((l, r) => Number(l.stroke === SELECTED) - Number(r.stroke === SELECTED));
    }
    return paths;
  };
}

/** All wires of a far canvas in one svg, under the nodes (React Flow's label layer sits below them). */
function FarWiresInner({ edges }: { edges: readonly Edge[] }) {
  // The curves outlive a change of the wire list (a wire added or selected): unchanged ones are kept.
  const [chunks] = useState<Chunk[]>(() => []);
  const selector = useMemo(() => wiresSelector(edges, chunks), [edges, chunks]);
  const paths = useStore(selector);
  return (
    <EdgeLabelRenderer>
      <svg
        className="pointer-events-none absolute left-0 top-0 overflow-visible"
        width={1}
        height={1}
        data-testid="far-wires"
        aria-hidden="true"
      >
        {paths.map((look) => (
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
