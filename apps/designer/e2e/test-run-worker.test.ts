import { api } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSession, openBrowser } from "./support/browser";
import { type DesignerHandle, startDesigner } from "./support/designer";

// No supervisor and no fixed port: the Designer takes a free port on 127.0.0.1 (support/designer.ts).

const POINT = "bacnet:1/analogValue:1";
/** A budget the array's fill fits in, so the script always reaches the call the sandbox cannot cut short. */
const BUDGET_MS = 1000;

/**
 * Zone → Script "Hog". Given 1 the script builds a 400,000-element array and calls indexOf on it in a
 * loop: one such call runs for many seconds (measured 20 s in Node on this box) and is a single QuickJS
 * operation, so the interpreter's interrupt handler cannot end it. Given 0 it answers 1 at once.
 */
function hogFlow(metadata: unknown) {
  return {
    metadata,
    execution: {
      trigger: { type: "interval", interval_ms: 1000 },
      error_handling: { retry_count: 0, timeout_ms: 2000, on_failure: "continue" },
    },
    nodes: [
      { id: "zone", type: "sensor_read", label: "Zone", position: { x: 0, y: 0 }, config: { point: POINT } },
      {
        id: "hog",
        type: "script",
        label: "Hog",
        position: { x: 320, y: 0 },
        config: {
          code:
            "if (inputs.in1 > 0) { const a = new Array(4e5).fill(0); while (true) a.indexOf(-1); }\n" +
            "return inputs.in1 + 1;",
          timeout_ms: BUDGET_MS,
          memory_mb: 64,
        },
      },
    ],
    connections: [{ from_node: "zone", from_output: "value", to_node: "hog", to_input: "in1" }],
  };
}

function testCase(flowId: string, id: string, name: string, value: number) {
  return {
    id,
    name,
    flow_id: flowId,
    duration_s: 5,
    inputs: [{ at_s: 0, point: POINT, value }],
    expect: [{ output: { node: "hog", port: "out1" }, mode: "at_end", op: "eq", value: value + 1 }],
  };
}

/**
 * The Designer runs a flow's test cases in a Web Worker with a watchdog on the page: a Script node stuck
 * in one call the sandbox cannot interrupt ends its case as timed out (naming the node as the canvas
 * does) after its budget plus grace, the page answers clicks all the while, and the next case runs on in
 * a fresh worker and passes. Only that worker may compile WebAssembly; the page may not.
 */
describe("Designer: test cases run in a watched Web Worker", () => {
  let designer: DesignerHandle;
  let browser: BrowserSession;
  let projectId = "";

  beforeAll(async () => {
    designer = await startDesigner({});
    browser = await openBrowser({ width: 1400, height: 900 });
    const created = await api<{ project: { id: string } }>(designer.url, "/api/projects", {
      body: { name: "runaway script" },
    });
    projectId = created.body.project.id;
    const opened = await api<{
      document: {
        base_version: number;
        document: { flows: { configuration: { metadata: { flow_id: string } } }[] };
      };
    }>(designer.url, `/api/projects/${projectId}/document`);
    const { base_version, document } = opened.body.document;
    const metadata = document.flows[0]!.configuration.metadata;
    const saved = await api(designer.url, `/api/projects/${projectId}/versions`, {
      body: {
        base_version,
        document: {
          ...document,
          flows: [{ configuration: hogFlow(metadata), flow_data: { comments: [] } }],
          tests: [
            testCase(metadata.flow_id, "runaway", "Runaway", 1),
            testCase(metadata.flow_id, "normal", "Normal", 0),
          ],
        },
      },
    });
    if (saved.status !== 201) throw new Error(`saving the project: HTTP ${saved.status}`);
    await browser.page.goto(`${designer.url}/projects/${projectId}`);
    await browser.page.getByTestId("flow-canvas").waitFor();
    await browser.page.getByTestId("tab-tests").click();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await designer?.stop();
  });

  const page = () => browser.page;

  it("a runaway case times out naming its node, the page answers clicks meanwhile, the next case passes", async () => {
    await page().getByTestId("tests-run-all").click();
    // From the click on, until the runaway case has its verdict: press the Map button every 100 ms and
    // time how long the page takes to show the change (its aria-pressed), and how late each 100 ms timer
    // fires. A page frozen by the run would show both in seconds.
    const responsiveness = await page().evaluate(async () => {
      const button = document.querySelector<HTMLButtonElement>('[data-testid="minimap-toggle"]')!;
      const verdict = () => document.querySelector('[data-testid="test-result-runaway"]');
      const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      const clicks: number[] = [];
      const lates: number[] = [];
      const until = performance.now() + 60_000;
      while (!verdict() && performance.now() < until) {
        const before = button.getAttribute("aria-pressed");
        const clicked = performance.now();
        button.click();
        while (button.getAttribute("aria-pressed") === before && performance.now() - clicked < 5_000)
          await new Promise((resolve) => requestAnimationFrame(resolve));
        clicks.push(performance.now() - clicked);
        const slept = performance.now();
        await sleep(100);
        lates.push(performance.now() - slept - 100);
      }
      return { clicks, lates, verdict: verdict() !== null };
    });
    expect(responsiveness.verdict).toBe(true);
    console.log(
      `page during the run: ${responsiveness.clicks.length} clicks, slowest answer ` +
        `${Math.max(...responsiveness.clicks).toFixed(1)} ms, latest 100 ms timer ` +
        `${Math.max(...responsiveness.lates).toFixed(1)} ms late`,
    );
    // The run took at least the budget plus grace: many clicks fell inside the stuck call.
    expect(responsiveness.clicks.length).toBeGreaterThanOrEqual(8);
    expect(Math.max(...responsiveness.clicks)).toBeLessThan(200);
    expect(Math.max(...responsiveness.lates)).toBeLessThan(200);

    const runaway = page().getByTestId("test-result-runaway");
    expect(await runaway.getAttribute("data-verdict")).toBe("timed out");
    expect(await runaway.textContent()).toBe("TIMED OUT");
    const why = await page().getByTestId("test-error-runaway").textContent();
    expect(why).toContain('Script node "Hog"');
    expect(why).toContain(`${BUDGET_MS} ms budget`);
    // Not before budget + grace (the worker was given its due), and not long after.
    const after = Number(
      (await page().getByTestId("test-case-runaway").textContent())?.match(/after (\d+) ms/)?.[1],
    );
    expect(after).toBeGreaterThanOrEqual(BUDGET_MS + 1000);
    expect(after).toBeLessThan(BUDGET_MS + 1000 + 3000);

    // The next case ran in a fresh worker, through the real sandbox, and passed.
    const normal = page().getByTestId("test-result-normal");
    await normal.waitFor({ timeout: 30_000 });
    expect(await normal.getAttribute("data-verdict")).toBe("pass");
    await expect
      .poll(() => page().getByTestId("tests-summary").textContent())
      .toBe("1 passed, 0 failed, 1 timed out");
    expect(await page().getByTestId("tests-stop").count()).toBe(0);
  });

  it("Stop ends a run: the case in progress shows as stopped", async () => {
    await page().getByTestId("test-run-runaway").click();
    await page().getByTestId("tests-stop").click();
    const runaway = page().getByTestId("test-result-runaway");
    await expect.poll(() => runaway.getAttribute("data-verdict")).toBe("stopped");
    expect(await page().getByTestId("tests-summary").textContent()).toBe("0 passed, 0 failed, 1 stopped");
  });

  it("only the runner's worker may compile WebAssembly: the page's script-src stays strict", async () => {
    const pageCsp = (await fetch(`${designer.url}/login`)).headers.get("content-security-policy") ?? "";
    expect(pageCsp).toMatch(/script-src 'self' 'nonce-[^']+';/);
    expect(pageCsp).not.toContain("wasm-unsafe-eval");
    const compiled = await page().evaluate(() =>
      WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])).then(
        () => "compiled",
        (error: unknown) => String(error),
      ),
    );
    expect(compiled).toMatch(/Content Security Policy/);

    const workerUrl = await page().evaluate(
      () =>
        performance
          .getEntriesByType("resource")
          .map((e) => e.name)
          .find((name) => /\/flow-test-worker\.[0-9a-f]+\.js$/.test(name)) ?? null,
    );
    expect(workerUrl).not.toBeNull();
    const workerCsp = (await fetch(workerUrl!)).headers.get("content-security-policy") ?? "";
    const scriptSrc = workerCsp
      .split(";")
      .map((d) => d.trim())
      .find((d) => d.startsWith("script-src"));
    expect(scriptSrc).toBe("script-src 'self' 'wasm-unsafe-eval'");

    // A worker-shaped name this build does not hold is Next's 404: it keeps the page policy.
    const made = await fetch(`${designer.url}/_next/static/chunks/flow-test-worker.deadbeef.js`);
    expect(made.status).toBe(404);
    expect(made.headers.get("content-security-policy")).toMatch(/script-src 'self' 'nonce-[^']+';/);
    expect(made.headers.get("content-security-policy")).not.toContain("wasm-unsafe-eval");
  });
});
