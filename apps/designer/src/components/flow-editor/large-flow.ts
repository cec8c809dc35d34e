"use client";

import { useEffect, useState } from "react";

/**
 * Past this many nodes the editor trades some immediacy and looks for frame time: the canvas draws only
 * what is on screen, drops node shadows, shows plain boxes when zoomed far out (globals.css), and the
 * whole-project validation waits until edits settle.
 */
export const LARGE_FLOW_NODES = 200;

/**
 * Below this zoom a large flow's nodes draw as plain boxes (level-of-detail.ts): text is under 4 px there,
 * unreadable, and painting it for 2,000 nodes cost most of a pan or zoom frame.
 */
export const FAR_ZOOM = 0.3;

/**
 * Zoomed back in past this, full nodes return. The gap is the hysteresis: a wheel step that lands near
 * FAR_ZOOM and the next one back do not mount and unmount 2,000 nodes each time.
 */
export const NEAR_ZOOM = 0.36;

/**
 * Past this many nodes the canvas draws only what is on screen (React Flow's onlyRenderVisibleElements).
 * Up to it every node stays mounted: measured at 2,000 nodes, culling cost more than it saved (a
 * visibility pass over every node and wire on each pan/zoom frame, and nodes mounted and unmounted as
 * they cross the edge of the view: pan/zoom 44 ms/frame culled, 28 mounted). Beyond the size measured,
 * culling keeps the page's memory bounded.
 */
export const CULL_FLOW_NODES = 3000;

/** How long a large flow's document must stay unchanged before the project is validated again. */
export const VALIDATION_SETTLE_MS = 300;

/** A large flow just opened is validated when the browser is first idle, and at the latest this long after. */
export const OPEN_VALIDATION_WAIT_MS = 2000;

/** Runs `run` when the main thread is idle (at the latest after `timeout` ms); answers a cancel. */
function whenIdle(run: () => void, timeout: number): () => void {
  if (typeof window.requestIdleCallback === "function") {
    const handle = window.requestIdleCallback(run, { timeout });
    return () => window.cancelIdleCallback(handle);
  }
  // Safari has no requestIdleCallback: after the frames that draw the canvas.
  const timer = setTimeout(run, VALIDATION_SETTLE_MS);
  return () => clearTimeout(timer);
}

/**
 * The document revision validation should judge: the current one for a small flow; for a large flow, the
 * last one that stayed unchanged for VALIDATION_SETTLE_MS, so typing in a field or a burst of edits does
 * not revalidate 2,000 nodes on every keystroke. Whoever acts on the result (deploy) checks it is current.
 * null while a large flow just opened is not checked yet: its first check waits until the browser is idle
 * after drawing the canvas, since validating 2,000 nodes (~100-250 ms of script, measured 2026-12-02) in
 * the first render held back the canvas; the Problems tab says it is checking meanwhile.
 */
export function useSettledRevision(revision: number, large: boolean): number | null {
  const [settled, setSettled] = useState<number | null>(large ? null : revision);
  const opening = settled === null;
  useEffect(() => {
    if (!large) return;
    if (opening) return whenIdle(() => setSettled(revision), OPEN_VALIDATION_WAIT_MS);
    const timer = setTimeout(() => setSettled(revision), VALIDATION_SETTLE_MS);
    return () => clearTimeout(timer);
  }, [revision, large, opening]);
  return large ? settled : revision;
}
