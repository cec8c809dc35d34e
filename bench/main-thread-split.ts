// Where a renderer's main-thread time goes, from a Chrome trace (categories devtools.timeline and
// disabled-by-default-devtools.timeline): each event's self time (its duration less its children's) is
// charged to a kind, the way DevTools' summary does it. An event whose name is not listed takes the kind
// of the event it runs inside (V8.GC_* phases inside MinorGC are GC, a nested v8 call inside FunctionCall
// is script); self time of the task wrapper itself (RunTask: scheduling, input routing, IPC) is "other".

export interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tid: number;
  pid: number;
  args?: { name?: string };
}

export const KINDS = ["script", "gc", "style", "layout", "hit_test", "paint", "composite", "other"] as const;
export type Kind = (typeof KINDS)[number];

const KIND_OF_EVENT: Readonly<Record<string, Kind>> = {
  // JavaScript: React renders, React Flow's store updates and selectors, d3-zoom/drag handlers.
  FunctionCall: "script",
  EvaluateScript: "script",
  EventDispatch: "script",
  TimerFire: "script",
  FireAnimationFrame: "script",
  FireIdleCallback: "script",
  RunMicrotasks: "script",
  "v8.compile": "script",
  "v8.compileModule": "script",
  "v8.evaluateModule": "script",
  "V8.Execute": "script",
  XHRReadyStateChange: "script",
  XHRLoad: "script",
  MinorGC: "gc",
  MajorGC: "gc",
  "BlinkGC.AtomicPhase": "gc",
  // Style recalculation (selector matching, computed styles) and layout.
  UpdateLayoutTree: "style",
  RecalculateStyles: "style",
  ParseAuthorStyleSheet: "style",
  Layout: "layout",
  // Which element is under the pointer, on every pointer move and wheel event.
  HitTest: "hit_test",
  // Paint: property trees, display-list recording and layerization (raster is off the main thread).
  PrePaint: "paint",
  Paint: "paint",
  PaintImage: "paint",
  Layerize: "paint",
  UpdateLayer: "paint",
  // Handing the frame to the compositor.
  Commit: "composite",
  CompositeLayers: "composite",
  UpdateLayerTree: "composite",
};

function kindOf(name: string): Kind | undefined {
  return KIND_OF_EVENT[name] ?? (name.startsWith("V8.GC") ? "gc" : undefined);
}

/** Milliseconds of main-thread self time per kind, over every complete event on the renderer's main thread. */
export function mainThreadSplit(events: readonly TraceEvent[]): Record<Kind, number> {
  const totals = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  const threads = events.filter((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain");
  const onMain = (e: TraceEvent) => threads.some((t) => t.pid === e.pid && t.tid === e.tid);
  // Every renderer main thread in the trace: the bench has one page, so in practice one thread.
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of events)
    if (e.ph === "X" && e.dur !== undefined && onMain(e)) {
      const key = `${e.pid}:${e.tid}`;
      const list = byThread.get(key);
      if (list) list.push(e);
      else byThread.set(key, [e]);
    }
  for (const list of byThread.values()) {
    // Parents before their children: earlier start first, the longer of two that start together first.
    list.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
    const stack: { end: number; kind: Kind; self: number }[] = [];
    const close = (until: number) => {
      while (stack.length && stack[stack.length - 1]!.end <= until) {
        const done = stack.pop()!;
        totals[done.kind] += done.self / 1000;
      }
    };
    for (const e of list) {
      const dur = e.dur ?? 0;
      close(e.ts);
      const parent = stack[stack.length - 1];
      if (parent) parent.self -= Math.min(dur, parent.end - e.ts);
      stack.push({ end: e.ts + dur, kind: kindOf(e.name) ?? parent?.kind ?? "other", self: dur });
    }
    close(Number.POSITIVE_INFINITY);
  }
  return totals;
}
