"use client";

import { type InternalNode, useStore, useStoreApi } from "@xyflow/react";
import { XYMinimap, type XYMinimapInstance } from "@xyflow/system";
import { memo, useEffect, useMemo, useRef } from "react";

const WIDTH = 200;
const HEIGHT = 150;
/** Margin around the flow in minimap pixels (React Flow's offsetScale). */
const MARGIN_PX = 5;

const COLORS = {
  background: "#ffffff",
  node: "#cbd5e1",
  nodeStroke: "#64748b",
  mask: "rgba(226, 232, 240, 0.7)",
  maskStroke: "#0284c7",
};

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Every node as one rectangle of one svg path, with the box around them all. */
export interface NodesPicture {
  path: string;
  bounds: Rect | null;
}

/** A node's box in flow coordinates, or null while it has no size yet (React Flow's minimap skips those too). */
function nodeBox(node: InternalNode): Rect | null {
  const user = node.internals.userNode;
  const width = user.measured?.width ?? user.width ?? user.initialWidth ?? 0;
  const height = user.measured?.height ?? user.height ?? user.initialHeight ?? 0;
  if (user.hidden || width <= 0 || height <= 0) return null;
  return { ...node.internals.positionAbsolute, width, height };
}

/** The picture of the nodes: one pass over React Flow's node lookup. */
export function nodesPicture(nodes: Iterable<InternalNode>): NodesPicture {
  const parts: string[] = [];
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (const node of nodes) {
    const box = nodeBox(node);
    if (!box) continue;
    parts.push(`M${box.x},${box.y}h${box.width}v${box.height}h${-box.width}z`);
    x0 = Math.min(x0, box.x);
    y0 = Math.min(y0, box.y);
    x1 = Math.max(x1, box.x + box.width);
    y1 = Math.max(y1, box.y + box.height);
  }
  return {
    path: parts.join(""),
    bounds: parts.length > 0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null,
  };
}

function union(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return {
    x,
    y,
    width: Math.max(a.x + a.width, b.x + b.width) - x,
    height: Math.max(a.y + a.height, b.y + b.height) - y,
  };
}

/** The nodes' path: a memoised element, so a pan or zoom frame re-renders only the viewport's mask. */
const NodesPath = memo(function NodesPath({ path }: { path: string }) {
  return <path d={path} fill={COLORS.node} stroke={COLORS.nodeStroke} strokeWidth={3} />;
});

/**
 * The minimap, drawn as React Flow's is (nodes as boxes, the view as a hole in a mask, pannable and
 * zoomable through React Flow's own XYMinimap) but with every node in one svg path computed once per
 * change of the node list. React Flow's MiniMap mounts a component per node whose store selector runs on
 * every store update, and sums the bounds of every node on every pan or zoom frame: at 2,000 nodes that
 * was 2,000 selectors and a pass over all nodes per frame. Needs React Flow's provider.
 */
export function FlowMinimap() {
  const store = useStoreApi();
  const svg = useRef<SVGSVGElement>(null);
  // The user nodes' array is replaced on every change of a node (and only then); the lookup it feeds,
  // read here, holds the absolute positions.
  const nodes = useStore((s) => s.nodes);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `nodes` is the signal that the lookup changed
  const picture = useMemo(() => nodesPicture(store.getState().nodeLookup.values()), [nodes, store]);
  const transform = useStore((s) => s.transform);
  const flowWidth = useStore((s) => s.width);
  const flowHeight = useStore((s) => s.height);
  const panZoom = useStore((s) => s.panZoom);
  const translateExtent = useStore((s) => s.translateExtent);

  const [tx, ty, zoom] = transform;
  const view: Rect = { x: -tx / zoom, y: -ty / zoom, width: flowWidth / zoom, height: flowHeight / zoom };
  const bounds = picture.bounds ? union(picture.bounds, view) : view;
  const viewScale = Math.max(bounds.width / WIDTH, bounds.height / HEIGHT);
  const viewScaleRef = useRef(viewScale);
  viewScaleRef.current = viewScale;
  const margin = MARGIN_PX * viewScale;
  const width = viewScale * WIDTH + margin * 2;
  const height = viewScale * HEIGHT + margin * 2;
  const x = bounds.x - (viewScale * WIDTH - bounds.width) / 2 - margin;
  const y = bounds.y - (viewScale * HEIGHT - bounds.height) / 2 - margin;

  const minimap = useRef<XYMinimapInstance | null>(null);
  useEffect(() => {
    if (!svg.current || !panZoom) return;
    const instance = XYMinimap({
      domNode: svg.current,
      panZoom,
      getTransform: () => store.getState().transform,
      getViewScale: () => viewScaleRef.current,
    });
    minimap.current = instance;
    // The panZoom may come after the first render: the instance starts with the store's current extent.
    const { translateExtent: extent, width: w, height: h } = store.getState();
    instance.update({ translateExtent: extent, width: w, height: h, pannable: true, zoomable: true });
    return () => {
      instance.destroy();
      minimap.current = null;
    };
  }, [panZoom, store]);
  useEffect(() => {
    minimap.current?.update({
      translateExtent,
      width: flowWidth,
      height: flowHeight,
      pannable: true,
      zoomable: true,
    });
  }, [translateExtent, flowWidth, flowHeight]);

  return (
    <div
      className="react-flow__minimap"
      data-testid="minimap"
      // contain: strict: the svg changing on every pan or zoom frame lays out only this box, not the page.
      style={{ margin: 8, width: WIDTH, height: HEIGHT, background: COLORS.background, contain: "strict" }}
    >
      <svg
        ref={svg}
        width={WIDTH}
        height={HEIGHT}
        viewBox={`${x} ${y} ${width} ${height}`}
        className="react-flow__minimap-svg"
        role="img"
        aria-label="Minimap: the whole flow, and the part in view"
      >
        <NodesPath path={picture.path} />
        <path
          d={`M${x - margin},${y - margin}h${width + margin * 2}v${height + margin * 2}h${-width - margin * 2}z
M${view.x},${view.y}h${view.width}v${view.height}h${-view.width}z`}
          fill={COLORS.mask}
          fillRule="evenodd"
          stroke={COLORS.maskStroke}
          strokeWidth={2 * viewScale}
          pointerEvents="none"
        />
      </svg>
    </div>
  );
}
