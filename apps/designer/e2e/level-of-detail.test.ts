import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAR_ZOOM, LARGE_FLOW_NODES, NEAR_ZOOM } from "../src/components/flow-editor/large-flow";
import { type BrowserSession, openBrowser } from "./support/browser";
import { connectPorts } from "./support/canvas";
import { type DesignerHandle, startDesigner } from "./support/designer";
import { COLUMNS, createChainProject, onScreen, zoomInTo } from "./support/large-flow";

// No supervisor and no fixed port: the Designer takes a free port on 127.0.0.1 (support/designer.ts).

const NODES = 300;

/** How the canvas draws right now: its level, full and far node counts, handles, wires of each kind. */
function drawn(page: Page) {
  return page.evaluate(() => {
    const canvas = document.querySelector('[data-testid="flow-canvas"]');
    const farPaths = [...document.querySelectorAll('[data-testid="far-wires"] path')];
    const farNodes = [...document.querySelectorAll(".react-flow__node-bms")];
    return {
      lod: canvas?.getAttribute("data-lod"),
      nodes: farNodes.length,
      far: document.querySelectorAll('[data-detail="far"]').length,
      // A far node is one element inside React Flow's wrapper; a full node has many.
      maxElementsPerNode: Math.max(0, ...farNodes.map((n) => n.querySelectorAll("*").length)),
      handles: document.querySelectorAll(".react-flow__handle").length,
      rfWires: document.querySelectorAll(".react-flow__edge").length,
      farWires: farPaths.reduce((sum, p) => sum + (p.getAttribute("d")?.match(/M/g)?.length ?? 0), 0),
      zoom: Number.parseFloat(document.querySelector('[data-testid="zoom-level"]')?.textContent ?? "0") / 100,
    };
  });
}

/**
 * Issue 15's level of detail: a large flow fitted in view (far out) draws each node as one element and
 * every wire in one svg; zoomed in, full nodes with their ports and React Flow's wires return, and wiring
 * by hand works; zoomed out again, the new wire is among the far wires. A zoom step that stays far does
 * not mount the nodes again.
 */
describe("Designer level of detail on a large flow", () => {
  let designer: DesignerHandle;
  let browser: BrowserSession;

  beforeAll(async () => {
    designer = await startDesigner({});
    browser = await openBrowser({ width: 1400, height: 900 });
  });

  afterAll(async () => {
    await browser?.close();
    await designer?.stop();
  });

  it("draws boxes far out, full nodes zoomed in, and connecting still works", async () => {
    expect(NODES).toBeGreaterThan(LARGE_FLOW_NODES);
    const { projectId, flow } = await createChainProject(designer.url, "level of detail", NODES);
    const wires = flow.connections.length;

    const page = browser.page;
    await page.goto(`${designer.url}/projects/${projectId}`);
    // Opened without a saved view: fitted, far out. One element per node, no handles, every wire in one svg.
    await expect.poll(async () => (await drawn(page)).farWires, { timeout: 30_000 }).toBe(wires);
    const far = await drawn(page);
    expect(far).toMatchObject({ lod: "far", nodes: NODES, far: NODES, handles: 0, rfWires: 0 });
    expect(far.maxElementsPerNode).toBe(1);
    expect(far.zoom).toBeLessThan(FAR_ZOOM);

    // A zoom step that stays far mounts nothing again: the same box element is still there.
    await page.evaluate(() => {
      (document.querySelector('[data-testid="flow-node-or_0"]') as HTMLElement & { mark?: number }).mark = 1;
    });
    await page.getByTestId("zoom-in").click();
    await expect.poll(async () => (await drawn(page)).zoom).toBeGreaterThan(far.zoom);
    expect((await drawn(page)).lod).toBe("far");
    expect(
      await page.evaluate(
        () =>
          (document.querySelector('[data-testid="flow-node-or_0"]') as HTMLElement & { mark?: number }).mark,
      ),
    ).toBe(1);

    // Zoomed in past NEAR_ZOOM: full nodes with their ports, React Flow's own wires, no far svg.
    await zoomInTo(page, 1);
    const near = await drawn(page);
    expect(near.zoom).toBeGreaterThan(NEAR_ZOOM);
    expect(near).toMatchObject({ lod: "near", nodes: NODES, far: 0, rfWires: wires, farWires: 0 });
    expect(near.handles).toBe(NODES * 3);
    expect(near.maxElementsPerNode).toBeGreaterThan(1);

    // Wire two neighbours on screen by hand: or_i.result -> or_{i+1}.in2 (a chain flow's row is COLUMNS long).
    let from = -1;
    for (let i = 0; i < NODES - 1 && from < 0; i++) {
      if (i % COLUMNS === COLUMNS - 1) continue;
      if (
        (await onScreen(page, `handle-or_${i}-out-result`)) &&
        (await onScreen(page, `handle-or_${i + 1}-in-in2`))
      )
        from = i;
    }
    expect(from, "two wired neighbours on screen after zooming in at the centre").toBeGreaterThanOrEqual(0);
    await connectPorts(page, { node: `or_${from}`, port: "result" }, { node: `or_${from + 1}`, port: "in2" });
    await expect.poll(async () => (await drawn(page)).rfWires).toBe(wires + 1);

    // Fitted again (far): boxes again, and the new wire is drawn with the others in the far svg.
    await page.getByTestId("zoom-fit").click();
    await expect.poll(async () => (await drawn(page)).lod).toBe("far");
    await expect.poll(async () => (await drawn(page)).farWires).toBe(wires + 1);
    expect(await drawn(page)).toMatchObject({ far: NODES, handles: 0, rfWires: 0 });
  });
});
