// Designer canvas benchmark (issue 6), run by `pnpm bench designer`. Loads a 500-node flow into the
// built Designer in Debian's headless Chromium, then pans and zooms with the mouse for a few seconds.
// Prints and writes bench/results/designer-canvas.json: time to load (navigation → all nodes drawn)
// and, while panning/zooming, (a) the frame interval seen by requestAnimationFrame, which headless
// Chromium paces at 60 Hz, so its median cannot go below ~16.7 ms and its p95 shows jank, and (b) the
// main-thread work per frame from Chrome's own counters (CDP Performance.getMetrics TaskDuration):
// that is the number to hold against the 16 ms budget. Needs `pnpm --filter @bms/designer build`.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { api, REPO_ROOT } from "@bms/test-support";
import { openBrowser } from "../apps/designer/e2e/support/browser";
import { startDesigner } from "../apps/designer/e2e/support/designer";
import { freePort } from "../apps/designer/e2e/support/ports";
import { writeSection, writeSummary } from "./report";

const NODES = Number(process.env.BENCH_NODES ?? 500);
const MEASURE_MS = Number(process.env.BENCH_SECONDS ?? 4) * 1000;

/** Chains of sensor_read → threshold → actuator_write laid out on a grid, the shape of real flows. */
function bigFlow(flowId: string) {
  const nodes: unknown[] = [];
  const connections: unknown[] = [];
  const chains = Math.ceil(NODES / 3);
  for (let c = 0; c < chains && nodes.length < NODES; c++) {
    const row = Math.floor(c / 4);
    const x0 = (c % 4) * 960;
    const y = row * 140;
    const device = 1000 + (c % 50);
    const ids = [`read_${c}`, `cmp_${c}`, `write_${c}`];
    nodes.push({
      id: ids[0],
      type: "sensor_read",
      position: { x: x0, y },
      config: { point: `bacnet:${device}/analogInput:${c}`, fallback: null, max_age_ms: 0 },
    });
    if (nodes.length < NODES) {
      nodes.push({
        id: ids[1],
        type: "threshold",
        position: { x: x0 + 300, y },
        config: { operator: ">", value: 24 },
      });
      connections.push({ from_node: ids[0], from_output: "value", to_node: ids[1], to_input: "value" });
    }
    if (nodes.length < NODES) {
      nodes.push({
        id: ids[2],
        type: "actuator_write",
        position: { x: x0 + 600, y },
        config: { point: `bacnet:${device}/binaryOutput:${c}`, priority: 8 },
      });
      connections.push({ from_node: ids[1], from_output: "result", to_node: ids[2], to_input: "value" });
    }
  }
  return {
    metadata: {
      flow_id: flowId,
      flow_name: "bench",
      version: "1.0.0",
      generated_at: new Date().toISOString(),
    },
    nodes,
    connections,
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;
}

const designer = await startDesigner({ supervisorUrl: `http://127.0.0.1:${await freePort()}` });
const browser = await openBrowser({
  width: 1600,
  height: 1000,
  extraArgs: ["--disable-gpu-vsync", "--disable-frame-rate-limit"],
});
try {
  const created = await api<{ project: { id: string } }>(designer.url, "/api/projects", {
    body: { name: "bench" },
  });
  const projectId = created.body.project.id;
  const project = await api<{ project: { id: string } }>(designer.url, `/api/projects/${projectId}`);
  const current = await api<{ version: { configuration: { metadata: { flow_id: string } } } }>(
    designer.url,
    `/api/projects/${project.body.project.id}/versions/1`,
  );
  const saved = await api(designer.url, `/api/projects/${projectId}/versions`, {
    body: {
      base_version: 1,
      configuration: bigFlow(current.body.version.configuration.metadata.flow_id),
      flow_data: { comments: [] },
    },
  });
  if (saved.status !== 201) throw new Error(`saving the bench flow failed: ${JSON.stringify(saved.body)}`);

  const { page } = browser;
  // Warm the server-side route once so the measured load is the editor's, not Next's first compile.
  await page.goto(`${designer.url}/projects/${projectId}`);
  await page.waitForFunction((n) => document.querySelectorAll(".react-flow__node").length >= n, NODES, {
    timeout: 60_000,
  });

  const loadStarted = Date.now();
  await page.reload();
  await page.waitForFunction((n) => document.querySelectorAll(".react-flow__node").length >= n, NODES, {
    timeout: 60_000,
  });
  // Wait for the edges too: they are drawn once the nodes are measured.
  await page.waitForFunction(
    (n) => document.querySelectorAll(".react-flow__edge").length >= n,
    Math.floor((NODES * 2) / 3) - 1,
  );
  const loadMs = Date.now() - loadStarted;

  // Record every frame's duration while the mouse pans and the wheel zooms.
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
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send("Performance.enable");
  const taskSeconds = async () => {
    const { metrics } = await cdp.send("Performance.getMetrics");
    return metrics.find((m) => m.name === "TaskDuration")?.value ?? Number.NaN;
  };
  const taskBefore = await taskSeconds();
  const canvas = await page.getByTestId("flow-canvas").boundingBox();
  if (!canvas) throw new Error("canvas not visible");
  const cx = canvas.x + canvas.width / 2;
  const cy = canvas.y + canvas.height / 2;
  const until = Date.now() + MEASURE_MS;
  let step = 0;
  while (Date.now() < until) {
    // Pan: drag the empty pane; zoom: wheel in and out around the centre.
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    for (let i = 0; i < 10; i++) await page.mouse.move(cx - i * 25, cy - i * 12);
    await page.mouse.up();
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, step % 2 === 0 ? -120 : 120);
    step++;
  }
  const frames = (await page.evaluate(
    "(() => { window.__recording = false; return window.__frames.slice(1); })()",
  )) as number[];
  const taskAfter = await taskSeconds();
  const sorted = [...frames].sort((a, b) => a - b);
  const workPerFrame = ((taskAfter - taskBefore) * 1000) / Math.max(1, frames.length);
  const version = browser.context.browser()?.version() ?? "chromium";
  const result = {
    benchmark: "designer-canvas",
    date: new Date().toISOString(),
    browser: version,
    nodes: NODES,
    edges: Math.floor((NODES * 2) / 3),
    load_ms: loadMs,
    frames: frames.length,
    main_thread_ms_per_frame: Number(workPerFrame.toFixed(2)),
    median_frame_interval_ms: Number(percentile(sorted, 0.5).toFixed(2)),
    p95_frame_interval_ms: Number(percentile(sorted, 0.95).toFixed(2)),
    max_frame_interval_ms: Number((sorted[sorted.length - 1] ?? Number.NaN).toFixed(2)),
    goal_frame_ms: 16,
    measured_ms: MEASURE_MS,
    note:
      "Headless Chromium paces frames at 60 Hz (an empty page measures ~16.7 ms), so the interval median is " +
      "bounded below by it; main_thread_ms_per_frame is the cost. Software rendering (--disable-gpu), 2 shared cores.",
  };
  const dir = join(REPO_ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "designer-canvas.json"), `${JSON.stringify(result, null, 2)}\n`);
  // Issue 15's keys are for 2,000 nodes: a run at another size leaves them "not measured".
  if (NODES === 2000)
    writeSummary({
      designer_2000_nodes_ms_per_frame: result.main_thread_ms_per_frame,
      designer_2000_nodes_load_ms: result.load_ms,
    });
  writeSection({
    bench: "designer-canvas",
    title: "Designer canvas",
    charts: [
      {
        file: "designer-canvas.svg",
        title: `Panning and zooming ${NODES} nodes`,
        unit: "ms per frame",
        bars: [
          { label: "main-thread work per frame", value: result.main_thread_ms_per_frame, role: "ours" },
          { label: "frame interval, median", value: result.median_frame_interval_ms, role: "baseline" },
          { label: "frame interval, p95", value: result.p95_frame_interval_ms, role: "baseline" },
        ],
        goal: { value: 16, label: "budget 16 ms" },
      },
    ],
    lines: [
      `- ${NODES} nodes, ${result.edges} edges: loaded in ${loadMs} ms; ${result.main_thread_ms_per_frame} ms of main-thread work per frame over ${frames.length} frames.`,
      "- The grey bars are the browser's frame pacing in the same run (60 Hz headless: ~16.7 ms at best).",
    ],
  });
  console.log(
    `designer canvas: ${NODES} nodes loaded in ${loadMs} ms; pan/zoom main-thread work ${result.main_thread_ms_per_frame} ms/frame ` +
      `(goal < 16 ms); frame interval median ${result.median_frame_interval_ms} ms, p95 ${result.p95_frame_interval_ms} ms ` +
      `over ${frames.length} frames`,
  );
} finally {
  await browser.close();
  await designer.stop();
}
