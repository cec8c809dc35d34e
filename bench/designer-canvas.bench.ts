// Designer canvas benchmark (issues 6 and 15), run by `pnpm bench designer`. Loads a 2,000-node, 2,500-wire
// flow into the built Designer in Debian's headless Chromium, then drags one node and pans and zooms with
// the mouse for a few seconds each; the same pan and zoom over an empty flow is the baseline of the run.
// Prints and writes bench/results/designer-canvas.json: time to load (navigation → every node and wire
// drawn) and, per phase, (a) the frame interval seen by requestAnimationFrame, which headless Chromium
// paces at 60 Hz, so its median cannot go below ~16.7 ms and its p95 shows jank, and (b) the main-thread
// work per frame from Chrome's own counters (CDP Performance.getMetrics TaskDuration): that is the number
// to hold against the 16 ms budget. BENCH_NODES changes the size, BENCH_PROFILE=1 prints where the time
// goes. Needs `pnpm --filter @bms/designer build`.
//
// 2026-12-02: every phase (and the load) runs a second time under a Chrome trace; its main-thread self
// time per frame, split by kind (script, gc, style, layout, hit_test, paint, composite, other; see
// main-thread-split.ts), goes to designer-canvas.json as split_ms_per_frame (load_split_ms for the load),
// with the canvas's element count. The headline figure is measured as before, on the untraced run.
// 2026-12-02, loadavg 4.4-21 during the run, empty-canvas baseline 4.5 ms/frame: load 2,959 ms, pan/zoom
// 26.7 ms/frame, drag 23.5 ms/frame. Traced split per pan/zoom frame: script 4.7, style 6.9, hit test 6.2,
// layout 4.5, paint 4.0, other 3.3; per drag frame: script 9.1, layout 4.9, paint 4.4, hit test 3.0. The
// React Flow patch (patches/@xyflow__react@12.12.1.patch) halved script (10.9-13.3 -> 4.7 pan, 13.5-21.6
// -> 9.1 drag). What the trace says is left (BENCH_TRACE_DIR keeps the traces):
//  - layout: each drag step lays out the whole document (layout root #document, 12-41 dirty objects of
//    70,000) in 16-25 ms: a moved wire's svg is not a relayout boundary, and React Flow's 4,500
//    absolutely placed nodes and wire svgs are all placed again. `contain: layout size` on the svgs did
//    not change the layout root (tried, measured, reverted).
//  - hit test: 2-9 ms per pointer event, over 4,500 self-painting layers (each node is translated, each
//    wire is its own positioned svg), even when it lands on the pane.
//  - style: 2,005 elements restyled at each pan's start and end (the pane's inherited grabbing cursor;
//    overriding it did not change the count), 4,500 at each node drag's start and end.
//  - load: script 1.1 s, style 0.6 s, GC 0.6 s, paint 0.35 s for 52,761 elements (26 per node).
//  Tried and reverted (worse): content-visibility on node rows when zoomed out (6,000 new paint layers),
//  will-change: transform on the viewport (paint 66-137 ms/frame in software compositing).
//  What would close it: fewer DOM elements and layers per node and wire (all wires in one svg, plain
//  boxes mounted when zoomed out) or a canvas renderer for large flows.
// 2026-12-02 (session 6): level of detail (level-of-detail.ts): below zoom 0.30 (back above 0.36) a large
// flow's nodes mount as one-element boxes and React Flow gets no wires; every wire is drawn in one svg
// (far-wires.tsx, paths of 32 curves). The fitted view is far, so the canvas went from 52,761 elements and
// ~4,500 layers to 4,091 elements and 1 svg. The pan now presses on an empty point of the pane found from
// the DOM (emptyPanePoint): before, a press could land on a node at the fitted view and drag it, which is
// the drag phase, not panning; the probes' hit tests count in the phase. Drawn = every node, and every
// wire either as a React Flow edge or as a curve of the far svg. Two runs at loadavg 12-38 (shared 2 cores,
// empty baseline 5.2-5.7 ms/frame): load 2,866 / 1,243 ms, pan/zoom 27.7 / 22.2 ms/frame, drag 34.3 /
// 14.9 ms/frame. Traced split per pan/zoom frame (run 2): style 3.0, paint 1.6, script 1.0, layout 0.9,
// hit test 0.8 (8.3 ms traced); per drag frame: script 10.4, paint 5.3, hit test 1.4. Load (run 2):
// script 605, gc 206, style 132, paint 121 ms. The two runs differ by 2x with the machine's load; what
// is left: the drag's script (the store's node array and React Flow's adoption of 2,000 nodes per frame,
// and the minimap's 2,000 node selectors on every store update), and style at each pan's start and end.
// 2026-12-02 04:02-04:18 (designer3): the minimap is one svg path of every node, computed once per change
// of the node list (flow-minimap.tsx; React Flow's ran 2,000 selectors and a bounds pass per frame); a pan
// no longer restyles every node (the pane's dragging class had a descendant rule and an inherited cursor:
// a transparent pan shield takes the pointer while the pane is dragged, the viewport keeps its own
// cursor); zoom label and minimap are contained boxes. Three runs, same build family, empty baseline in
// each: loadavg 4.0-5.2: pan/zoom 13.88 ms/frame (empty 5.6), drag 21.22, load 2,034 ms; loadavg
// 23.3-18.8: 18.15 (empty 5.03), drag 18.83, load 2,300; loadavg 5.7-5.5 (final, results file): 11.16
// (empty 4.48), drag 16.55, load 2,417 (empty flow 1,698). Traced pan/zoom frame (final): style 0.06
// (was 3.0), layout 1.08, hit test 0.72, paint 1.97, script 0.74: 6.21 ms against 5.48 on the empty
// canvas. Left: each wheel step lays out from #document (12-20 dirty objects of 6,766; 1-11 ms with the
// load); forced layouts of a scale change, a translate change and the label text probed in the page
// cost <= 0.5 ms each, so its source is not found. The drag keeps script 5.7 and paint 5.2 per frame.
// 2026-12-02 06:16-06:25 (drag): a drag frame no longer goes through the editor store. live-drag.ts
// replaces only the dragged nodes' entries in React Flow's node lookup (a frame's members with it) and
// wakes its subscribers once, so only the dragged node's element and its wires' paths change; the drop is
// the store's one change (one undo step, one autosave). Same drag path, same 2,000 nodes. Two runs:
// loadavg 18.5-21.6 (results file; empty baseline 4.36 ms/frame): drag 11.42 ms/frame (was 16.55), pan/zoom
// 13.62, load 1,944; loadavg 20.7-27.0 (empty 5.1): drag 12.04, pan/zoom 19.99, load 2,714. Traced drag
// frame (results run): script 1.81 (was 5.74), paint 2.02 (was 5.15), other 0.98, hit test 0.57, style
// 0.27: 5.89 ms (was 15.47). What is left, from the second run's trace (BENCH_TRACE_DIR): Layerize 3.35
// ms a frame (0.18 on the empty canvas): every far node is its own translated paint chunk (React Flow
// places each node with a transform), so each repaint layerizes 2,000 chunks; then script ~3 (React
// Flow's 2,000 node selectors and the far-wires selector on each store wake), hit test 0.9. A third run
// at loadavg 86-91 (empty 3.44): drag 14.55, pan/zoom 20.21, load 4,272. Tried and reverted: making the
// drag-time `pointer-events: none` rule of globals.css win over React Flow's inline `pointer-events: all`
// (!important): hit test per event went up (2.26 ms against 1.45), and a style pass at each drag's start.
// 2026-12-02 05:25-06:55 (load): the load. Profiles (CPU profile of the page, Chrome traces with each
// task's thread time, /proc CPU of every process) showed: lucide's whole `icons` object (454 KB of script)
// imported for the node icons; the required-input check filtering all wires per node (nodes x wires,
// 85 ms a pass); the open flow validated twice in the first render (project check, then the open flow),
// plus three Zod parses of 2,000 nodes; hidden panels (debugger, replay, tests, browsers) in the page's
// chunk. Now: icons imported one by one (node-icon.tsx), the check in one pass, each flow validated once
// (validated-flow.ts), a large flow's first validation when the browser is idle after drawing (the
// Problems tab says "checking"; problems_shown_ms records when it showed), hidden panels load on first
// open. Page script 293 -> 165 kB gzip. The load figure is now the median of 5 reloads (one reload ranged
// 1.2-3.8 s with this machine's load). Same bench, main (b1bad5d) then this branch back to back:
// loadavg 42-24: 1,951 ms (rounds 1,798-2,741), traced script 1,077 ms; loadavg 24-15: 1,210 ms (rounds
// 1,172-1,505), script 534 ms, problems shown at 1,556 ms (results file). An earlier pair: main 1,648 at
// loadavg 24-4, this branch 3,563 at loadavg 4-90: the machine's load decides more than the code. Main-
// thread CPU of a 2,000-node load (trace thread time, final builds, 6+6 interleaved runs): main 701-845
// (median ~765) -> 594-757 ms (median ~650); the empty flow 164-212 -> 134-184 ms;
// every process together (renderer, browser, GPU, server) ~2.0-2.4 s of CPU: on 2 shared cores that is
// the floor. Left (profile, this branch): React mounting 2,000 React Flow node wrappers and far boxes
// (~250 ms script), GC ~200-300 ms (per-node objects: the parsed document, graph, geometry, React Flow's
// internals), paint ~100-170 ms, the renderer's raster and compositor threads ~600 ms. What would close
// more: far nodes drawn without a React Flow wrapper each (one canvas), fewer copies of the document.
// 2026-12-02 07:05 (load, on main merged with live-drag; results file): loadavg 17-13, load 1,949 ms
// (rounds 1,507-2,123), empty 740, problems shown 2,538; traced load script 741, gc 156, paint 150 ms;
// pan/zoom 15.67, drag 14.27 ms/frame in the same run.
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { api, REPO_ROOT } from "@bms/test-support";
import type { CDPSession, Page } from "playwright-core";
import { openBrowser } from "../apps/designer/e2e/support/browser";
import { startDesigner } from "../apps/designer/e2e/support/designer";
import { freePort } from "../apps/designer/e2e/support/ports";
import { KINDS, type Kind, mainThreadSplit, type TraceEvent } from "./main-thread-split";
import { writeSection, writeSummary } from "./report";

const NODES = Number(process.env.BENCH_NODES ?? 2000);
const MEASURE_MS = Number(process.env.BENCH_SECONDS ?? 4) * 1000;
/** Reloads per flow whose median is the load figure (BENCH_LOAD_ROUNDS). */
const LOAD_ROUNDS = Number(process.env.BENCH_LOAD_ROUNDS ?? 5);
/** BENCH_PROFILE=1 also records a CPU profile of each measured phase and prints its costliest functions. */
const PROFILE = process.env.BENCH_PROFILE === "1";
/** BENCH_TRACE_DIR=<dir> also keeps each traced phase as <dir>/<phase>.trace.json (opens in DevTools). */
const TRACE_DIR = process.env.BENCH_TRACE_DIR;

/** One block of a plant: two sensors, their thresholds, an OR and an AND of both, two commands. */
const BLOCK_NODES = 8;
const BLOCKS_PER_ROW = 10;

/**
 * Blocks of 8 nodes and 10 wires (the eight inside a block and two from the block before: alarms chain
 * between plants) laid out on a grid, the shape of real flows: 2,000 nodes give 250 blocks
 * and 2,500 wires (issue 15's size). The first block's two cross wires come from its own thresholds.
 */
function bigFlow(flowId: string, size: number) {
  const nodes: { id: string; type: string; position: { x: number; y: number }; config: unknown }[] = [];
  const connections: { from_node: string; from_output: string; to_node: string; to_input: string }[] = [];
  const wire = (from: string, out: string, to: string, input: string) =>
    connections.push({ from_node: from, from_output: out, to_node: to, to_input: input });
  for (let b = 0; nodes.length < size; b++) {
    const x0 = (b % BLOCKS_PER_ROW) * 1300;
    const y0 = Math.floor(b / BLOCKS_PER_ROW) * 320;
    const device = 1000 + (b % 50);
    const id = (name: string) => `${name}_${b}`;
    const add = (name: string, type: string, col: number, row: number, config: unknown) => {
      if (nodes.length < size)
        nodes.push({ id: id(name), type, position: { x: x0 + col * 300, y: y0 + row * 140 }, config });
    };
    add("read1", "sensor_read", 0, 0, {
      point: `bacnet:${device}/analogInput:${b * 2}`,
      fallback: null,
      max_age_ms: 0,
    });
    add("read2", "sensor_read", 0, 1, {
      point: `bacnet:${device}/analogInput:${b * 2 + 1}`,
      fallback: null,
      max_age_ms: 0,
    });
    add("cmp1", "threshold", 1, 0, { operator: ">", value: 24 });
    add("cmp2", "threshold", 1, 1, { operator: "<", value: 16 });
    add("any", "or", 2, 0, { input_count: 3 });
    add("all", "and", 2, 1, { input_count: 3 });
    add("write1", "actuator_write", 3, 0, { point: `bacnet:${device}/binaryOutput:${b * 2}`, priority: 8 });
    add("write2", "actuator_write", 3, 1, {
      point: `bacnet:${device}/binaryOutput:${b * 2 + 1}`,
      priority: 8,
    });
    const prev = (name: string) => (b === 0 ? id(name === "any" ? "cmp1" : "cmp2") : `${name}_${b - 1}`);
    const out = (name: string) => (name.startsWith("read") ? "value" : "result");
    const block: [string, string, string][] = [
      ["read1", "cmp1", "value"],
      ["read2", "cmp2", "value"],
      ["cmp1", "any", "in1"],
      ["cmp2", "any", "in2"],
      ["cmp1", "all", "in1"],
      ["cmp2", "all", "in2"],
      ["any", "write1", "value"],
      ["all", "write2", "value"],
    ];
    for (const [from, to, input] of block) wire(id(from), out(from), id(to), input);
    wire(prev("any"), "result", id("any"), "in3");
    wire(prev("all"), "result", id("all"), "in3");
  }
  // A size that cuts a block leaves wires to nodes that were not placed: drop them.
  const placed = new Set(nodes.map((n) => n.id));
  return {
    metadata: {
      flow_id: flowId,
      flow_name: "bench",
      version: "1.0.0",
      generated_at: new Date().toISOString(),
    },
    nodes,
    connections: connections.filter((c) => placed.has(c.from_node) && placed.has(c.to_node)),
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;
}

const round = (value: number) => Number(value.toFixed(2));

interface Phase {
  frames: number;
  /**
   * The same phase run again under a Chrome trace: its main-thread time per frame by kind (self time,
   * main-thread-split.ts). Tracing costs a little, so the headline figure comes from the untraced run.
   */
  split_ms_per_frame?: Record<Kind, number> & { frames: number; total: number };
  /** Main-thread work per frame from Chrome's counters: the number held against the 16 ms budget. */
  main_thread_ms_per_frame: number;
  median_frame_interval_ms: number;
  p95_frame_interval_ms: number;
  max_frame_interval_ms: number;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}

/** The functions with the most self time in a CPU profile, for the console: where a phase's frames go. */
function topFunctions(
  profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] },
  count = 12,
) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    const file = frame.url.split("/").pop() ?? "";
    const key = `${frame.functionName || "(anonymous)"} ${file}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(
      ([name, ms]) =>
        `  ${ms.toFixed(0).padStart(6)} ms ${((ms / total) * 100).toFixed(1).padStart(5)} %  ${name}`,
    )
    .join("\n");
}

/** Renderer main-thread time per trace event kind (style, layout, paint, script …); kinds nest, so they overlap. */
function mainThreadKinds(events: TraceEvent[], count = 14): string {
  const main = events.find((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain");
  const totals = new Map<string, number>();
  for (const e of events)
    if (main && e.tid === main.tid && e.pid === main.pid && e.ph === "X" && e.dur)
      totals.set(e.name, (totals.get(e.name) ?? 0) + e.dur / 1000);
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([kind, ms]) => `  ${ms.toFixed(0).padStart(6)} ms  ${kind}`)
    .join("\n");
}

/** Runs `act` under a Chrome trace of the timeline categories and answers the trace's events. */
async function traced(cdp: CDPSession, act: () => Promise<void>): Promise<TraceEvent[]> {
  const trace: TraceEvent[] = [];
  const collect = (data: { value: object[] }) => trace.push(...(data.value as TraceEvent[]));
  cdp.on("Tracing.dataCollected", collect);
  await cdp.send("Tracing.start", {
    categories: "devtools.timeline,disabled-by-default-devtools.timeline",
    transferMode: "ReportEvents",
  });
  await act();
  const done = new Promise((resolve) => cdp.once("Tracing.tracingComplete", resolve));
  await cdp.send("Tracing.end");
  await done;
  cdp.off("Tracing.dataCollected", collect);
  return trace;
}

/** With BENCH_TRACE_DIR, writes a phase's trace where DevTools' Performance panel can open it. */
function keepTrace(name: string, trace: TraceEvent[]) {
  if (!TRACE_DIR) return;
  mkdirSync(TRACE_DIR, { recursive: true });
  writeFileSync(join(TRACE_DIR, `${name.replace(/[^\w]+/g, "-")}.trace.json`), JSON.stringify(trace));
}

/** A split in milliseconds divided by `per` (frames), rounded, with its total. */
function perFrame(split: Record<Kind, number>, per: number) {
  const out = Object.fromEntries(KINDS.map((k) => [k, round(split[k] / Math.max(1, per))])) as Record<
    Kind,
    number
  >;
  return { ...out, total: round(KINDS.reduce((sum, k) => sum + split[k], 0) / Math.max(1, per)) };
}

/** Runs `act`; with BENCH_PROFILE=1, prints its costliest functions and its main-thread work by kind. */
async function profiled(cdp: CDPSession, name: string, act: () => Promise<void>): Promise<void> {
  if (!PROFILE || !name) return act();
  const trace = await traced(cdp, async () => {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
    await cdp.send("Profiler.start");
    await act();
    const { profile } = await cdp.send("Profiler.stop");
    console.log(`${name}: costliest functions (self time)\n${topFunctions(profile as never)}`);
  });
  console.log(`${name}: main-thread work by kind\n${mainThreadKinds(trace)}`);
}

/** The intervals between animation frames while `act` runs, seen by requestAnimationFrame in the page. */
async function framesDuring(page: Page, act: () => Promise<void>): Promise<number[]> {
  // A string, not a function: tsx's name helpers would not exist in the page.
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__recording = true;
    let last = performance.now();
    const tick = (now) => {
      window.__frames.push(now - last);
      last = now;
      if (window.__recording) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  await act();
  return (await page.evaluate(
    "(() => { window.__recording = false; return window.__frames.slice(1); })()",
  )) as number[];
}

/**
 * Counts frames and Chrome's main-thread task time while `act` runs; then runs `act` again under a trace
 * for the split by kind (the trace's own cost stays out of the headline figure).
 */
async function measure(page: Page, cdp: CDPSession, name: string, act: () => Promise<void>): Promise<Phase> {
  const taskSeconds = async () => {
    const { metrics } = await cdp.send("Performance.getMetrics");
    return metrics.find((m) => m.name === "TaskDuration")?.value ?? Number.NaN;
  };
  const before = await taskSeconds();
  let frames: number[] = [];
  await profiled(cdp, name, async () => {
    frames = await framesDuring(page, act);
  });
  const after = await taskSeconds();
  let tracedFrames = 0;
  const trace = await traced(cdp, async () => {
    tracedFrames = (await framesDuring(page, act)).length;
  });
  keepTrace(name, trace);
  const sorted = [...frames].sort((a, b) => a - b);
  return {
    frames: frames.length,
    main_thread_ms_per_frame: round(((after - before) * 1000) / Math.max(1, frames.length)),
    median_frame_interval_ms: round(percentile(sorted, 0.5)),
    p95_frame_interval_ms: round(percentile(sorted, 0.95)),
    max_frame_interval_ms: round(sorted[sorted.length - 1] ?? Number.NaN),
    split_ms_per_frame: { frames: tracedFrames, ...perFrame(mainThreadSplit(trace), tracedFrames) },
  };
}

const designer = await startDesigner({ supervisorUrl: `http://127.0.0.1:${await freePort()}` });
const browser = await openBrowser({
  width: 1600,
  height: 1000,
  extraArgs: ["--disable-gpu-vsync", "--disable-frame-rate-limit"],
});

let session: CDPSession | null = null;
/** One CDP session for the bench's page: Chrome's counters and the profiler. */
async function cdpOf(page: Page): Promise<CDPSession> {
  if (!session) {
    session = await browser.context.newCDPSession(page);
    await session.send("Performance.enable");
  }
  return session;
}

/** Saves a flow of `size` nodes in a new project and opens it: answers the measured load time. */
async function openFlow(size: number) {
  const created = await api<{ project: { id: string } }>(designer.url, "/api/projects", {
    body: { name: `bench ${size}` },
  });
  const projectId = created.body.project.id;
  const opened = await api<{
    document: {
      base_version: number;
      document: { flows: { configuration: { metadata: { flow_id: string } } }[] };
    };
  }>(designer.url, `/api/projects/${projectId}/document`);
  const { base_version, document: savedDocument } = opened.body.document;
  const flowId = savedDocument.flows[0]?.configuration.metadata.flow_id ?? "bench";
  const flow = bigFlow(flowId, size);
  const saved = await api(designer.url, `/api/projects/${projectId}/versions`, {
    body: {
      base_version,
      document: { ...savedDocument, flows: [{ configuration: flow, flow_data: { comments: [] } }] },
    },
  });
  if (saved.status !== 201) throw new Error(`saving the bench flow failed: ${JSON.stringify(saved.body)}`);
  const { page } = browser;
  const drawn = async () => {
    await page.getByTestId("flow-canvas").waitFor();
    await page.waitForFunction(
      // A wire is drawn either by React Flow (one element each) or, on a far canvas, as one curve (one
      // "M" command) in the far-wires svg's paths.
      ([n, e]) =>
        document.querySelectorAll(".react-flow__node").length >= n! &&
        document.querySelectorAll(".react-flow__edge").length +
          Array.from(document.querySelectorAll('[data-testid="far-wires"] path')).reduce(
            (sum, path) => sum + (path.getAttribute("d")?.match(/M/g)?.length ?? 0),
            0,
          ) >=
          e!,
      [flow.nodes.length, flow.connections.length],
      { timeout: 60_000, polling: "raf" },
    );
  };
  // Warm the server-side route once so the measured load is the editor's, not Next's first compile.
  await page.goto(`${designer.url}/projects/${projectId}`);
  await drawn();
  const cdp = await cdpOf(page);
  // LOAD_ROUNDS reloads, each from a settled page (its Problems shown): the figure is their median, as
  // one reload on this shared machine ranged 1.2-3.8 s with the load of the moment (2026-12-02).
  const rounds: { load: number; checked: number }[] = [];
  for (let round = 0; round < LOAD_ROUNDS; round++) {
    const started = Date.now();
    // The profile (BENCH_PROFILE=1) covers the first round.
    await profiled(cdp, round === 0 ? `${size} nodes load` : "", async () => {
      await page.reload();
      await drawn();
    });
    const load = Date.now() - started;
    // A large flow's Problems count comes after the canvas (large-flow.ts): when it showed, from the same start.
    await page.getByTestId("validation-panel").waitFor({ timeout: 60_000 });
    rounds.push({ load, checked: Date.now() - started });
  }
  const median = (values: number[]) =>
    percentile(
      [...values].sort((a, b) => a - b),
      0.5,
    );
  const loadMs = median(rounds.map((r) => r.load));
  const checkedMs = median(rounds.map((r) => r.checked));
  // The same load again under a trace: where its main-thread time goes (total ms, not per frame).
  const trace = await traced(cdp, async () => {
    await page.reload();
    await drawn();
  });
  keepTrace(`${size} nodes load`, trace);
  const dom = (await page.evaluate(`(() => {
    const canvas = document.querySelector('[data-testid="flow-canvas"]');
    return {
      elements: canvas ? canvas.querySelectorAll("*").length : 0,
      svg_elements: canvas ? canvas.querySelectorAll("svg").length : 0,
    };
  })()`)) as { elements: number; svg_elements: number };
  return {
    loadMs,
    checkedMs,
    loadRounds: rounds.map((r) => r.load),
    loadSplit: perFrame(mainThreadSplit(trace), 1),
    dom,
    nodes: flow.nodes.length,
    edges: flow.connections.length,
  };
}

/**
 * The point nearest the canvas's centre where the pointer lands on the empty pane (no node, wire or
 * control under it), probing outward in rings; the centre itself when nothing empty is found. A pan must
 * press on the pane: pressing on a node drags that node instead, which is the drag phase, not panning.
 * The probes (a hit test each, usually one or a few) are part of the measured phase's work.
 */
async function emptyPanePoint(page: Page, cx: number, cy: number): Promise<{ x: number; y: number }> {
  return (await page.evaluate(
    `(([cx, cy]) => {
      const empty = (x, y) => document.elementFromPoint(x, y)?.classList.contains("react-flow__pane");
      if (empty(cx, cy)) return { x: cx, y: cy };
      for (let r = 12; r <= 300; r += 12)
        for (let a = 0; a < 16; a++) {
          const x = cx + r * Math.cos((a * Math.PI) / 8);
          const y = cy + r * Math.sin((a * Math.PI) / 8);
          if (empty(x, y)) return { x, y };
        }
      return { x: cx, y: cy };
    })([${cx}, ${cy}])`,
  )) as { x: number; y: number };
}

/**
 * Pans by dragging the empty pane (pressing where emptyPanePoint finds no node) and zooms with the wheel
 * around the centre, for MEASURE_MS.
 */
async function panAndZoom(page: Page) {
  const canvas = await page.getByTestId("flow-canvas").boundingBox();
  if (!canvas) throw new Error("canvas not visible");
  const centreX = canvas.x + canvas.width / 2;
  const centreY = canvas.y + canvas.height / 2;
  const until = Date.now() + MEASURE_MS;
  for (let step = 0; Date.now() < until; step++) {
    const { x: cx, y: cy } = await emptyPanePoint(page, centreX, centreY);
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    for (let i = 0; i < 10; i++) await page.mouse.move(cx - i * 25, cy - i * 12);
    await page.mouse.up();
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, step % 2 === 0 ? -120 : 120);
  }
}

/**
 * Drags one node back and forth in small steps for MEASURE_MS, at the fitted view where every node is
 * drawn (the worst case: zoomed in, fewer nodes are on screen).
 */
async function dragNode(page: Page, nodeId: string) {
  const box = await page.getByTestId(`flow-node-${nodeId}`).boundingBox();
  if (!box) throw new Error(`node ${nodeId} not visible`);
  const x = box.x + box.width / 2;
  const y = box.y + Math.min(box.height / 2, 6);
  const until = Date.now() + MEASURE_MS;
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let step = 0; Date.now() < until; step++) {
    const dx = (step % 40 < 20 ? step % 20 : 20 - (step % 20)) * 6;
    await page.mouse.move(x + dx, y + dx / 3);
  }
  await page.mouse.up();
}

/** The machine's 1-minute load at the start and the end of the run (the machine is shared). */
const loadAtStart = loadavg()[0]!;
try {
  const { page } = browser;
  const cdp = await cdpOf(page);
  // The baseline in the same run: the same pan and zoom over an empty canvas (the browser's own cost).
  const empty = await openFlow(0);
  const emptyPan = await measure(page, cdp, "empty canvas pan/zoom", () => panAndZoom(page));
  const loaded = await openFlow(NODES);
  const middle = `read1_${Math.floor(loaded.nodes / BLOCK_NODES / 2)}`;
  const drag = await measure(page, cdp, `${NODES} nodes drag`, () => dragNode(page, middle));
  const pan = await measure(page, cdp, `${NODES} nodes pan/zoom`, () => panAndZoom(page));
  const version = browser.context.browser()?.version() ?? "chromium";
  const result = {
    benchmark: "designer-canvas",
    date: new Date().toISOString(),
    browser: version,
    nodes: loaded.nodes,
    edges: loaded.edges,
    load_ms: loaded.loadMs,
    /** From the same start until the Problems tab showed the project's check (after the canvas, for a large flow). */
    problems_shown_ms: loaded.checkedMs,
    /** Every reload's time, in order: load_ms is their median. */
    load_rounds_ms: loaded.loadRounds,
    /** A second load under a trace: its main-thread milliseconds by kind. */
    load_split_ms: loaded.loadSplit,
    /** Elements under the canvas once every node and wire is drawn (what style, layout and hit tests walk). */
    dom: loaded.dom,
    pan_zoom: pan,
    drag,
    empty_canvas: {
      load_ms: empty.loadMs,
      problems_shown_ms: empty.checkedMs,
      load_rounds_ms: empty.loadRounds,
      pan_zoom: emptyPan,
    },
    // Kept at the top level for readers of the earlier file.
    main_thread_ms_per_frame: pan.main_thread_ms_per_frame,
    goal_frame_ms: 16,
    goal_load_ms: 2000,
    measured_ms: MEASURE_MS,
    loadavg_1min: { start: round(loadAtStart), end: round(loadavg()[0]!) },
    note:
      "Headless Chromium paces frames at 60 Hz (an empty page measures ~16.7 ms), so the interval median is " +
      "bounded below by it; main_thread_ms_per_frame is the cost. Software rendering (--disable-gpu), 2 shared cores. " +
      "The drag is measured at the fitted view, where every node is drawn.",
  };
  const dir = join(REPO_ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "designer-canvas.json"), `${JSON.stringify(result, null, 2)}\n`);
  // Issue 15's keys are for 2,000 nodes: a run at another size leaves them "not measured". The per-frame
  // figure is the worse of panning/zooming and dragging: both must hold the budget.
  if (NODES === 2000)
    writeSummary({
      designer_2000_nodes_ms_per_frame: Math.max(pan.main_thread_ms_per_frame, drag.main_thread_ms_per_frame),
      designer_2000_nodes_load_ms: loaded.loadMs,
      designer_2000_nodes_pan_zoom_ms_per_frame: pan.main_thread_ms_per_frame,
      designer_2000_nodes_drag_ms_per_frame: drag.main_thread_ms_per_frame,
    });
  writeSection({
    bench: "designer-canvas",
    title: "Designer canvas",
    charts: [
      {
        file: "designer-canvas.svg",
        title: `${loaded.nodes} nodes and ${loaded.edges} wires: main-thread work per frame`,
        unit: "ms per frame",
        bars: [
          { label: `pan and zoom, ${loaded.nodes} nodes`, value: pan.main_thread_ms_per_frame, role: "ours" },
          { label: `drag a node, ${loaded.nodes} nodes`, value: drag.main_thread_ms_per_frame, role: "ours" },
          { label: "pan and zoom, empty canvas", value: emptyPan.main_thread_ms_per_frame, role: "baseline" },
          { label: "Node-RED at 782 nodes (issue 15)", value: 100, role: "baseline" },
        ],
        goal: { value: 16, label: "budget 16 ms" },
      },
      {
        file: "designer-canvas-load.svg",
        title: `Opening the editor: ${loaded.nodes} nodes against an empty flow`,
        unit: "ms, navigation to every node and wire drawn",
        bars: [
          { label: `${loaded.nodes} nodes, ${loaded.edges} wires`, value: loaded.loadMs, role: "ours" },
          { label: "empty flow", value: empty.loadMs, role: "baseline" },
        ],
        goal: { value: 2000, label: "goal 2 s" },
      },
    ],
    lines: [
      `- ${loaded.nodes} nodes, ${loaded.edges} wires: loaded in ${loaded.loadMs} ms, the median of ${loaded.loadRounds.length} reloads (${loaded.loadRounds.join(", ")}; empty flow: ${empty.loadMs} ms); the Problems tab showed the project's check at ${loaded.checkedMs} ms.`,
      `- Pan and zoom: ${pan.main_thread_ms_per_frame} ms of main-thread work per frame over ${pan.frames} frames (empty canvas: ${emptyPan.main_thread_ms_per_frame} ms).`,
      `- Dragging one node at the fitted view (every node drawn): ${drag.main_thread_ms_per_frame} ms per frame over ${drag.frames} frames.`,
      "- Node-RED's figure is the one issue 15 quotes (about 100 ms per frame at 782 nodes), not measured here.",
    ],
  });
  const splitText = (label: string, split: Phase["split_ms_per_frame"]) =>
    `  ${label}: ${KINDS.map((k) => `${k} ${split?.[k]}`).join(", ")} (traced ${split?.total} ms/frame over ${split?.frames} frames)`;
  console.log(
    `main-thread ms per frame by kind (a traced repeat of each phase):\n${splitText("pan/zoom", pan.split_ms_per_frame)}\n${splitText("drag", drag.split_ms_per_frame)}\n${splitText("empty pan/zoom", emptyPan.split_ms_per_frame)}\n  load (ms): ${KINDS.map((k) => `${k} ${loaded.loadSplit[k]}`).join(", ")}; ${loaded.dom.elements} elements, ${loaded.dom.svg_elements} svg`,
  );
  console.log(
    `designer canvas: ${loaded.nodes} nodes / ${loaded.edges} wires loaded in ${loaded.loadMs} ms (median of ${loaded.loadRounds.join(", ")}; empty ${empty.loadMs} ms; problems shown at ${loaded.checkedMs} ms); ` +
      `pan/zoom ${pan.main_thread_ms_per_frame} ms/frame over ${pan.frames} frames (p95 interval ${pan.p95_frame_interval_ms} ms); ` +
      `drag ${drag.main_thread_ms_per_frame} ms/frame over ${drag.frames} frames (p95 interval ${drag.p95_frame_interval_ms} ms); ` +
      `empty canvas pan/zoom ${emptyPan.main_thread_ms_per_frame} ms/frame (goal ≤ 16 ms, load ≤ 2,000 ms)`,
  );
} finally {
  await browser.close();
  await designer.stop();
}
