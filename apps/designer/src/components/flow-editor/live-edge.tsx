"use client";

import { BaseEdge, EdgeLabelRenderer, type EdgeProps, getBezierPath, useStore } from "@xyflow/react";
import { createContext, memo, useContext } from "react";
import { cn } from "../../lib/cn";
import { type PointLabels, showPointValue, showValue } from "../../lib/format-value";
import type { EditorState } from "../../store/editor-store";
import { useEditorStore } from "../../store/editor-store-provider";
import { QUALITY_BADGE } from "./port-style";

/** Below this zoom a label is unreadable anyway; drawing hundreds of them would only cost frames. */
export const EDGE_LABEL_MIN_ZOOM = 0.5;

/**
 * True while the canvas has a run's values to draw (monitoring, not comparing): provided by the canvas
 * from one store subscription, so an idle canvas's edges hold none.
 */
export const EdgeValuesShown = createContext(false);

/** Whether a store holds any node status, without listing its keys (this runs on every store update). */
export function hasRuntime(state: Pick<EditorState, "runtime" | "comparison">): boolean {
  if (state.comparison) return false;
  for (const _ in state.runtime) return true;
  return false;
}

const nodeIndex = new WeakMap<readonly { id: string }[], Map<string, { data?: unknown }>>();

/** The point a node reads or writes (its `config.point`), found through an index built once per node list. */
function pointOf(
  nodes: readonly { id: string; data?: unknown }[] | undefined,
  id: string,
): string | undefined {
  if (!nodes) return undefined;
  let index = nodeIndex.get(nodes);
  if (!index) {
    index = new Map(nodes.map((n) => [n.id, n]));
    nodeIndex.set(nodes, index);
  }
  const config = (index.get(id)?.data as { config?: { point?: unknown } } | undefined)?.config;
  return typeof config?.point === "string" ? config.point : undefined;
}

/**
 * The last value carried by an edge: the source's output, or else what the target read on that input.
 * An edge out of a Sensor Read's value (or into an Actuator Write's value) carries that point's value,
 * so it reads with the point's units or state text. Returned as one string (`text\u0000quality`) so the
 * selector's result compares by value and an edge re-renders only when its own value changes.
 */
export function edgeValueKey(
  state: Pick<EditorState, "runtime" | "comparison"> & {
    nodes?: readonly { id: string; data?: unknown }[];
    pointValues?: Record<string, PointLabels>;
  },
  edge: { source: string; sourceHandle?: string | null; target: string; targetHandle?: string | null },
): string | null {
  if (state.comparison) return null;
  const out = edge.sourceHandle ? state.runtime[edge.source]?.output_values?.[edge.sourceHandle] : undefined;
  const raw =
    out !== undefined
      ? out
      : edge.targetHandle
        ? state.runtime[edge.target]?.input_values?.[edge.targetHandle]
        : undefined;
  if (raw === undefined) return null;
  const point =
    (edge.sourceHandle === "value" ? pointOf(state.nodes, edge.source) : undefined) ??
    (edge.targetHandle === "value" ? pointOf(state.nodes, edge.target) : undefined);
  const shown = point ? showPointValue(raw, state.pointValues?.[point]) : showValue(raw);
  return `${shown.text}\u0000${shown.quality ?? ""}`;
}

function LiveEdgeInner(props: EdgeProps) {
  const {
    id,
    source,
    sourceHandleId,
    target,
    targetHandleId,
    sourceX,
    sourceY,
    targetX,
    targetY,
    sourcePosition,
    targetPosition,
    style,
    markerEnd,
    markerStart,
    interactionWidth,
  } = props;
  const [path, labelX, labelY] = getBezierPath({
    sourceX,
    sourceY,
    sourcePosition,
    targetX,
    targetY,
    targetPosition,
  });
  // Without a run to show, an edge subscribes to nothing: 2,500 edge selectors run on every store update
  // (each drag frame) cost more than the frame's budget, for labels that cannot exist.
  const showsValues = useContext(EdgeValuesShown);
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        {...(style ? { style } : {})}
        {...(markerEnd ? { markerEnd } : {})}
        {...(markerStart ? { markerStart } : {})}
        {...(interactionWidth !== undefined ? { interactionWidth } : {})}
      />
      {showsValues ? (
        <EdgeValue
          id={id}
          edge={{
            source,
            sourceHandle: sourceHandleId ?? null,
            target,
            targetHandle: targetHandleId ?? null,
          }}
          x={labelX}
          y={labelY}
        />
      ) : null}
    </>
  );
}

/** An edge's last live value, subscribed per edge only while the canvas shows a run (EdgeValuesShown). */
function EdgeValue({
  id,
  edge,
  x,
  y,
}: {
  id: string;
  edge: Parameters<typeof edgeValueKey>[1];
  x: number;
  y: number;
}) {
  const { source, sourceHandle, target, targetHandle } = edge;
  const key = useEditorStore((s) => edgeValueKey(s, { source, sourceHandle, target, targetHandle }));
  return key ? <EdgeValueLabel id={id} valueKey={key} x={x} y={y} /> : null;
}

/**
 * Mounted only for an edge that has a value (while monitoring), so an idle canvas pays no per-edge
 * zoom subscription during pan and zoom.
 */
function EdgeValueLabel({ id, valueKey, x, y }: { id: string; valueKey: string; x: number; y: number }) {
  const readable = useStore((s) => s.transform[2] >= EDGE_LABEL_MIN_ZOOM);
  if (!readable) return null;
  const [text, quality] = valueKey.split("\u0000");
  return (
    <EdgeLabelRenderer>
      <div
        className={cn(
          "nodrag nopan pointer-events-none absolute rounded px-1 font-mono text-[10px] leading-4 shadow-sm",
          QUALITY_BADGE[quality || "good"] ?? QUALITY_BADGE.good,
        )}
        style={{ transform: `translate(-50%, -50%) translate(${x}px, ${y}px)` }}
        data-testid={`edge-value-${id}`}
        data-quality={quality || "good"}
        title={quality ? `quality: ${quality}` : undefined}
      >
        {text}
      </div>
    </EdgeLabelRenderer>
  );
}

export const LiveEdge = memo(LiveEdgeInner);
