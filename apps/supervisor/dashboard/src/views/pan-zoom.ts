import { useEffect, useRef, useState } from "preact/hooks";

/** A rectangle in the picture's own (SVG user) coordinates. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

interface Pointer {
  x: number;
  y: number;
}

/** How far (px) a press may wander and still count as a tap on a node rather than a drag. */
const TAP_SLOP = 5;
/**
 * The closest zoom draws the flow at three times the Designer's size (a node 660 px wide), enough for a
 * finger on a value chip; the farthest shows the whole flow at a quarter of its fit.
 */
const MAX_PX_PER_UNIT = 3;
const MAX_ZOOM_OUT = 4;
/** Zoom per step of the +/− buttons. */
const STEP = 1.4;

export interface PanZoom {
  /** The viewBox to draw: the fitted flow until the operator zooms or pans. */
  view: Box;
  /** Width of the fitted flow over the width shown, in %: 100 at fit, more when zoomed in. */
  zoomPercent: number;
  fitted: boolean;
  zoomIn(): void;
  zoomOut(): void;
  fit(): void;
  /** Spread these on the <svg>. */
  handlers: {
    onWheel(e: WheelEvent): void;
    onPointerDown(e: PointerEvent): void;
    onPointerMove(e: PointerEvent): void;
    onPointerUp(e: PointerEvent): void;
    onPointerCancel(e: PointerEvent): void;
    onClickCapture(e: MouseEvent): void;
  };
}

/**
 * Zoom and pan of an SVG by its viewBox: the wheel (and a trackpad pinch, which Chromium and Safari
 * send as a wheel with ctrlKey) zooms around the cursor, one pointer drags the picture, two touch
 * pointers pinch-zoom around their midpoint and pan with it. The view keeps the fitted box's aspect
 * ratio, so with the default `xMidYMid meet` one user unit is `k / view.w` pixels, where k is fixed by
 * the element's size; that keeps the maths exact between renders. A drag never becomes a node tap.
 */
export function usePanZoom(svg: { current: SVGSVGElement | null }, fitBox: Box): PanZoom {
  const fitKey = `${fitBox.x},${fitBox.y},${fitBox.w},${fitBox.h}`;
  const [view, setView] = useState<Box | null>(null);
  // The source of truth between renders: several pointer events can arrive before Preact draws.
  const current = useRef<Box | null>(null);
  const fitRef = useRef(fitBox);
  fitRef.current = fitBox;
  const pointers = useRef(new Map<number, Pointer>());
  const dragged = useRef(false);
  const pressedAt = useRef<Pointer | null>(null);

  // A new deployment (another flow, other positions) starts fitted again.
  useEffect(() => {
    current.current = null;
    setView(null);
  }, [fitKey]);

  const shown = (): Box => current.current ?? fitRef.current;

  const commit = (next: Box | null) => {
    current.current = next;
    setView(next);
  };

  /** Element geometry: top-left of the drawn picture (letterboxing included) and px per unit × view.w. */
  const geometry = () => {
    const el = svg.current;
    if (!el) return undefined;
    const rect = el.getBoundingClientRect();
    const f = fitRef.current;
    const k = Math.min(rect.width, (rect.height * f.w) / f.h);
    if (!(k > 0)) return undefined;
    return {
      left: rect.left + (rect.width - k) / 2,
      top: rect.top + (rect.height - (k * f.h) / f.w) / 2,
      k,
    };
  };

  const toUser = (client: Pointer, v: Box): Pointer | undefined => {
    const g = geometry();
    if (!g) return undefined;
    return { x: v.x + ((client.x - g.left) * v.w) / g.k, y: v.y + ((client.y - g.top) * v.w) / g.k };
  };

  const clampWidth = (w: number) => {
    const f = fitRef.current;
    const closest = Math.min(f.w, (geometry()?.k ?? 0) / MAX_PX_PER_UNIT);
    return Math.min(f.w * MAX_ZOOM_OUT, Math.max(closest, w));
  };

  /** The view of width `w` that puts user point `anchor` under screen point `client`. */
  const placeAt = (anchor: Pointer, client: Pointer, w: number): Box | undefined => {
    const g = geometry();
    if (!g) return undefined;
    const f = fitRef.current;
    const h = (w * f.h) / f.w;
    let x = anchor.x - ((client.x - g.left) * w) / g.k;
    let y = anchor.y - ((client.y - g.top) * w) / g.k;
    // Keep the flow in sight: the view's centre stays over the flow's own box.
    x = Math.min(f.x + f.w, Math.max(f.x, x + w / 2)) - w / 2;
    y = Math.min(f.y + f.h, Math.max(f.y, y + h / 2)) - h / 2;
    return { x, y, w, h };
  };

  const zoomAround = (client: Pointer, factor: number) => {
    const v = shown();
    const anchor = toUser(client, v);
    if (!anchor) return;
    const next = placeAt(anchor, client, clampWidth(v.w / factor));
    if (next) commit(next);
  };

  const zoomCentre = (factor: number) => {
    const el = svg.current;
    if (!el) return;
    const rect = el.getBoundingClientRect();
    zoomAround({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 }, factor);
  };

  const midpoint = (): { at: Pointer; spread: number } | undefined => {
    const [a, b] = [...pointers.current.values()];
    if (!a || !b) return undefined;
    return { at: { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 }, spread: Math.hypot(a.x - b.x, a.y - b.y) };
  };

  const release = (e: PointerEvent) => {
    pointers.current.delete(e.pointerId);
    const el = svg.current;
    if (el?.hasPointerCapture(e.pointerId)) el.releasePointerCapture(e.pointerId);
    if (pointers.current.size === 0) pressedAt.current = null;
  };

  const f = view ?? fitBox;
  return {
    view: f,
    zoomPercent: (fitBox.w / f.w) * 100,
    fitted: view === null,
    zoomIn: () => zoomCentre(STEP),
    zoomOut: () => zoomCentre(1 / STEP),
    fit: () => commit(null),
    handlers: {
      onWheel(e) {
        e.preventDefault();
        // Lines (Firefox) are ~16 px; a pinch arrives as small ctrlKey deltas and wants more gain.
        const delta = e.deltaY * (e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1);
        zoomAround({ x: e.clientX, y: e.clientY }, Math.exp(-delta * (e.ctrlKey ? 0.01 : 0.002)));
      },
      onPointerDown(e) {
        if (e.pointerType === "mouse" && e.button !== 0) return;
        pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
        if (pointers.current.size === 1) {
          pressedAt.current = { x: e.clientX, y: e.clientY };
          dragged.current = false;
        } else {
          // A second finger: that is a pinch, never a tap.
          dragged.current = true;
        }
      },
      onPointerMove(e) {
        const before = pointers.current.get(e.pointerId);
        if (!before) return;
        const pinch = pointers.current.size >= 2 ? midpoint() : undefined;
        const now = { x: e.clientX, y: e.clientY };
        pointers.current.set(e.pointerId, now);
        if (pinch) {
          const after = midpoint();
          const v = shown();
          const anchor = toUser(pinch.at, v);
          if (!after || !anchor || pinch.spread < 1 || after.spread < 1) return;
          const next = placeAt(anchor, after.at, clampWidth((v.w * pinch.spread) / after.spread));
          if (next) commit(next);
          return;
        }
        const start = pressedAt.current;
        if (!dragged.current) {
          if (!start || Math.hypot(now.x - start.x, now.y - start.y) < TAP_SLOP) return;
          dragged.current = true;
          // Captured only once it is a drag, so a plain tap still clicks the node under it.
          try {
            svg.current?.setPointerCapture(e.pointerId);
          } catch {
            // the pointer is already gone
          }
        }
        const v = shown();
        const anchor = toUser(before, v);
        if (!anchor) return;
        const next = placeAt(anchor, now, v.w);
        if (next) commit(next);
      },
      onPointerUp: release,
      onPointerCancel: release,
      onClickCapture(e) {
        // The click that ends a drag or a pinch is not a tap on the node under it.
        if (dragged.current) {
          e.stopPropagation();
          e.preventDefault();
          dragged.current = false;
        }
      },
    },
  };
}
