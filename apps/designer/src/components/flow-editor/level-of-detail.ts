"use client";

import { createContext, useState } from "react";
import { FAR_ZOOM, NEAR_ZOOM } from "./large-flow";

/**
 * The canvas's level of detail, one value for the whole canvas: "far" while a large flow is zoomed out
 * below FAR_ZOOM, where each node mounts as a one-element box and every wire is drawn in one svg path
 * (far-wires.tsx); "near" otherwise, with full nodes, ports and React Flow's own wires. Provided by the
 * canvas, so nodes re-render only when the level changes, never on a pan or zoom frame.
 */
export type Detail = "near" | "far";
export const CanvasDetail = createContext<Detail>("near");

/** The three numbers of React Flow's transform: x, y, zoom. */
type Transform = readonly [number, number, number];

/**
 * A selector of React Flow's store answering whether the canvas is "far", with hysteresis (far below
 * FAR_ZOOM, near again only above NEAR_ZOOM). `startFar` is the level before the first fit: a large flow
 * opened without a saved view is fitted (far) once React Flow has a size, and until then its transform
 * is the unmoved [0, 0, 1]; following that would mount 2,000 full nodes only to replace them a frame
 * later, which was most of the load. So while `waitForFit` holds and the view has not moved, the level
 * stays `startFar`.
 */
export function farSelector(large: () => boolean, startFar: boolean, waitForFit: boolean) {
  let far = startFar;
  let waiting = waitForFit;
  return (s: { transform: Transform }): boolean => {
    const [x, y, zoom] = s.transform;
    if (waiting) {
      if (x === 0 && y === 0 && zoom === 1) return far;
      waiting = false;
    }
    far = large() && (far ? zoom < NEAR_ZOOM : zoom < FAR_ZOOM);
    return far;
  };
}

/** One selector per canvas for its life (its hysteresis state lives in the closure). */
export function useFarSelector(large: () => boolean, startFar: boolean, waitForFit: boolean) {
  const [selector] = useState(() => farSelector(large, startFar, waitForFit));
  return selector;
}

/** What of React Flow's store the handle refresh reads. */
interface HandleStore {
  domNode: HTMLDivElement | null;
  nodeLookup: Map<
    string,
    { type?: string; internals: { handleBounds?: { source: unknown[] | null; target: unknown[] | null } } }
  >;
  updateNodeInternals: (
    updates: Map<string, { id: string; nodeElement: HTMLDivElement; force?: boolean }>,
    params?: { triggerFitView: boolean },
  ) => void;
}

/**
 * After a far canvas comes near: React Flow may have read a far box's handles from the DOM (a box has
 * none), and a full node of the same size gives its ResizeObserver nothing to report, so its wires would
 * have no ends. Every flow node whose handles React Flow does not know is measured again, once, in one
 * pass over the node elements (React Flow's own useUpdateNodeInternals queries the document per node).
 */
export function refreshHandlesAfterFar(state: HandleStore): void {
  const { domNode, nodeLookup, updateNodeInternals } = state;
  if (!domNode) return;
  const updates = new Map<string, { id: string; nodeElement: HTMLDivElement; force: boolean }>();
  for (const element of domNode.querySelectorAll<HTMLDivElement>(".react-flow__node-bms")) {
    const id = element.dataset.id;
    const bounds = id ? nodeLookup.get(id)?.internals.handleBounds : undefined;
    if (id && !bounds?.source?.length && !bounds?.target?.length)
      updates.set(id, { id, nodeElement: element, force: true });
  }
  if (updates.size > 0) updateNodeInternals(updates, { triggerFitView: false });
}
