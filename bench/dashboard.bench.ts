// Dashboard benchmark (issue 7), run by `pnpm bench dashboard`. Measures, against a real supervisor
// running the skeleton flow on the simulator:
//  1. page weight: the bytes a browser downloads for / (HTML, JS, CSS) as served, gzip and brotli;
//  2. time to first render in headless Chromium, cold cache, each run in a fresh context: the app shell
//     on screen (performance mark), first contentful paint, and the overview showing the running flow
//     (data fetched and drawn); also with the CPU slowed 4x, a stand-in for a modest tablet.
// Results: bench/results/dashboard.json.

import { writeFileSync } from "node:fs";
import { request } from "node:http";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { CHROMIUM_ARGS, CHROMIUM_PATH, REPO_ROOT } from "@bms/test-support";
import { chromium } from "playwright-core";
import { startStack } from "../apps/supervisor/e2e/support/stack";
import { writeSection } from "./report";

const SIM_BIND = "127.0.0.62";
const SIM_PORT = 47854;
const SUP_PORT = 47855;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const loadAtStart = loadavg()[0] ?? 0;

/** The body as sent on the wire (not decompressed), so the figure is what crosses the network. */
function wireBytes(
  url: string,
  encoding: "gzip" | "br" | "identity",
): Promise<{ bytes: number; encoding: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { "accept-encoding": encoding } }, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on("end", () =>
        resolve({ bytes, encoding: String(res.headers["content-encoding"] ?? "identity") }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

async function pageWeight(base: string) {
  const html = await (await fetch(`${base}/`)).text();
  const js = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
  const css = html.match(/href="(\/assets\/[^"]+\.css)"/)?.[1];
  if (!js || !css) throw new Error("index.html names no JS or CSS asset");
  const files = { html: "/", js, css };
  const out: Record<string, Record<string, number>> = {};
  for (const [kind, path] of Object.entries(files)) {
    const raw = await wireBytes(`${base}${path}`, "identity");
    const gzip = await wireBytes(`${base}${path}`, "gzip");
    const br = await wireBytes(`${base}${path}`, "br");
    if (gzip.encoding !== "gzip" || br.encoding !== "br") {
      throw new Error(`${path} was not served compressed (${gzip.encoding}, ${br.encoding})`);
    }
    out[kind] = { raw: raw.bytes, gzip: gzip.bytes, brotli: br.bytes };
  }
  return out as Record<"html" | "js" | "css", { raw: number; gzip: number; brotli: number }>;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(sorted.length / 2)] ?? 0) * 10) / 10;
}

interface Run {
  shell_ms: number;
  first_contentful_paint_ms: number;
  flow_running_shown_ms: number;
}

async function firstRenders(base: string, token: string, cpuSlowdown: number): Promise<Run[]> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const runs: Run[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      // A fresh context: empty cache, as a tablet opening the dashboard for the first time.
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      await context.addInitScript(`localStorage.setItem("bms-dashboard-token", ${JSON.stringify(token)})`);
      const page = await context.newPage();
      if (cpuSlowdown > 1) {
        const cdp = await context.newCDPSession(page);
        await cdp.send("Emulation.setCPUThrottlingRate", { rate: cpuSlowdown });
      }
      await page.goto(`${base}/#/overview`);
      // Resolves with the page's own clock (ms since navigation start) when the data is on screen.
      const shown = await page.waitForFunction(
        `document.querySelector('[data-testid="flow-status"]')?.textContent === "Running" && performance.now()`,
        undefined,
        { timeout: 30_000, polling: "raf" },
      );
      const flowShown = Number(await shown.jsonValue());
      const marks = (await page.evaluate(`({
        shell: performance.getEntriesByName("dashboard-rendered")[0]?.startTime ?? -1,
        fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? -1,
      })`)) as { shell: number; fcp: number };
      runs.push({
        shell_ms: marks.shell,
        first_contentful_paint_ms: marks.fcp,
        flow_running_shown_ms: flowShown,
      });
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return runs;
}

function summary(runs: Run[]) {
  return {
    runs: runs.length,
    shell_ms_median: median(runs.map((r) => r.shell_ms)),
    first_contentful_paint_ms_median: median(runs.map((r) => r.first_contentful_paint_ms)),
    flow_running_shown_ms_median: median(runs.map((r) => r.flow_running_shown_ms)),
    each: runs.map((r) => ({
      shell_ms: Math.round(r.shell_ms),
      first_contentful_paint_ms: Math.round(r.first_contentful_paint_ms),
      flow_running_shown_ms: Math.round(r.flow_running_shown_ms),
    })),
  };
}

async function main() {
  const stack = await startStack({ simBind: SIM_BIND, simPort: SIM_PORT, supervisorBacnetPort: SUP_PORT });
  try {
    const base = stack.sup.url;
    const weight = await pageWeight(base);
    const fast = await firstRenders(base, stack.sup.token, 1);
    const slow = await firstRenders(base, stack.sup.token, 4);
    const result = {
      measured_at: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpu: cpus()[0]?.model ?? "unknown",
        node: process.version,
        // On a shared machine the times depend on what else runs: the load when the runs began.
        load_avg_1m_at_start: Math.round(loadAtStart * 100) / 100,
      },
      page_weight_bytes: {
        ...weight,
        total_gzip: weight.html.gzip + weight.js.gzip + weight.css.gzip,
        total_brotli: weight.html.brotli + weight.js.brotli + weight.css.brotli,
        js_gzip_budget: 300 * 1024,
      },
      first_render: { cpu_1x: summary(fast), cpu_4x_slower: summary(slow) },
      notes:
        "Served by the supervisor from dashboard/dist (pre-compressed). Times are ms from navigation start in headless Chromium on the loopback, cold cache: shell = app mounted, flow_running_shown = overview drawn with the flow's status from the API.",
    };
    const file = join(REPO_ROOT, "bench", "results", "dashboard.json");
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    writeSection({
      bench: "dashboard",
      title: "Supervisor dashboard",
      charts: [
        {
          file: "dashboard.svg",
          title: "Dashboard first render, cold cache (median of runs)",
          unit: "ms from navigation",
          bars: [
            { label: "app shell", value: result.first_render.cpu_1x.shell_ms_median, role: "ours" },
            {
              label: "flow status shown",
              value: result.first_render.cpu_1x.flow_running_shown_ms_median,
              role: "ours",
            },
            {
              label: "app shell, CPU 4× slower",
              value: result.first_render.cpu_4x_slower.shell_ms_median,
              role: "baseline",
            },
            {
              label: "flow status, CPU 4× slower",
              value: result.first_render.cpu_4x_slower.flow_running_shown_ms_median,
              role: "baseline",
            },
          ],
        },
      ],
      lines: [
        `- Page weight ${result.page_weight_bytes.total_gzip} B gzip (${result.page_weight_bytes.total_brotli} B brotli); JS budget ${result.page_weight_bytes.js_gzip_budget} B gzip.`,
        "- Grey: the same page with the CPU throttled 4× in the same run (what a slow panel PC sees).",
      ],
    });
    console.log(
      `dashboard: JS ${weight.js.gzip} B gzip (${weight.js.brotli} B br), CSS ${weight.css.gzip} B gzip; first render ${result.first_render.cpu_1x.shell_ms_median} ms (shell), ${result.first_render.cpu_1x.flow_running_shown_ms_median} ms (data); 4x slower CPU ${result.first_render.cpu_4x_slower.flow_running_shown_ms_median} ms -> ${file}`,
    );
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
