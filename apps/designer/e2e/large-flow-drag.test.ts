import { api } from "@bms/test-support";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LARGE_FLOW_NODES, NEAR_ZOOM } from "../src/components/flow-editor/large-flow";
import { type BrowserSession, openBrowser } from "./support/browser";
import { type DesignerHandle, startDesigner } from "./support/designer";
import {
  COLUMNS,
  createChainProject,
  nodeAt,
  onScreen,
  type Point,
  pressAndMove,
  zoomInTo,
  zoomShown,
} from "./support/large-flow";

// No supervisor and no fixed port: the Designer takes a free port on 127.0.0.1 (support/designer.ts).

const NODES = 240;
const GRID = 8;

const wireId = (from: number, to: number) => `or_${from}.result->or_${to}.in1`;

type Curve = { start: Point; end: Point };

/** A bezier "M sx,sy C … tx,ty" as its two ends. */
function curveOf(d: string): Curve {
  const numbers = (d.match(/-?[\d.]+/g) ?? []).map(Number);
  return {
    start: { x: numbers[0]!, y: numbers[1]! },
    end: { x: numbers[numbers.length - 2]!, y: numbers[numbers.length - 1]! },
  };
}

/** Every curve of the far canvas's svg (far-wires.tsx), each "M…" of its paths. */
async function farCurves(page: Page): Promise<Curve[]> {
  const paths = await page
    .locator('[data-testid="far-wires"] path')
    .evaluateAll((els) => els.map((el) => el.getAttribute("d") ?? ""));
  return paths.flatMap((d) =>
    d
      .split("M")
      .filter(Boolean)
      .map((part) => curveOf(`M${part}`)),
  );
}

/** A wire React Flow draws itself (near): its path's ends. */
async function nearWire(page: Page, id: string): Promise<Curve> {
  const d = await page
    .locator(`.react-flow__edge[data-id="${id}"] path.react-flow__edge-path`)
    .getAttribute("d");
  return curveOf(d ?? "");
}

const near = (a: Point, b: Point) => Math.abs(a.x - b.x) < 0.01 && Math.abs(a.y - b.y) < 0.01;
const plus = (a: Point, d: Point) => ({ x: a.x + d.x, y: a.y + d.y });
const minus = (a: Point, b: Point) => ({ x: a.x - b.x, y: a.y - b.y });

/** The far curve that starts or ends at `at` (a wire's end on a node), or undefined. */
function farCurveAt(curves: Curve[], side: "start" | "end", at: Point): Curve | undefined {
  return curves.find((c) => near(c[side], at));
}

async function dirty(page: Page): Promise<string | null> {
  return page.getByTestId("save-status").getAttribute("data-dirty");
}

/**
 * Issue 15's drag at scale: a drag frame moves only the dragged node and its wires (live-drag.ts), and the
 * document changes once, at the drop. On a large flow, far out (wires in one svg) and zoomed in (React
 * Flow's wires, a multi-selection): the wires follow the node while the mouse is still down, nothing is
 * an unsaved change until the drop, the drop lands on the grid where the node was last drawn, one undo
 * returns it, and the saved position is the one found after a reload.
 */
describe("Designer: dragging a node in a large flow", () => {
  let designer: DesignerHandle;
  let browser: BrowserSession;
  let projectId = "";
  /** Where the far drag left or_13 (saved with the near drag, checked after the reload). */
  let droppedFar: Point = { x: Number.NaN, y: Number.NaN };

  beforeAll(async () => {
    designer = await startDesigner({});
    browser = await openBrowser({ width: 1400, height: 900 });
  });

  afterAll(async () => {
    await browser?.close();
    await designer?.stop();
  });

  const page = () => browser.page;

  it("far out: the node and its two wires in the svg follow the mouse; the drop is one undo step", async () => {
    expect(NODES).toBeGreaterThan(LARGE_FLOW_NODES);
    const created = await createChainProject(designer.url, "large drag", NODES);
    projectId = created.projectId;
    const { flow } = created;

    await page().goto(`${designer.url}/projects/${projectId}`);
    await expect
      .poll(async () => (await farCurves(page())).length, { timeout: 30_000 })
      .toBe(flow.connections.length);
    expect(await page().getByTestId("flow-canvas").getAttribute("data-lod")).toBe("far");

    // or_13 has a wire in (from or_12) and one out (to or_14). It is not selected: the drag selects it
    // as it starts, a store change React Flow adopts mid-drag, which must not put the node back.
    expect(await page().locator(".react-flow__node.selected").count()).toBe(0);
    const start = await nodeAt(page(), "or_13");
    const before = await farCurves(page());
    // The one wire ending on its left side, and the one starting on its right side.
    const beside = (p: Point, x0: number, x1: number) =>
      p.x >= start.x + x0 && p.x <= start.x + x1 && p.y >= start.y && p.y <= start.y + 160;
    const into = before.find((c) => beside(c.end, -20, 5))!;
    const outOf = before.find((c) => beside(c.start, 150, 280))!;
    expect(into).toBeDefined();
    expect(outOf).toBeDefined();
    const other = await nodeAt(page(), "or_100");

    await pressAndMove(page(), "or_13", { x: 90, y: 45 });
    // Mid-drag: the node has moved, its two wires' ends moved with it, nothing else did, and the
    // document has not changed yet (no unsaved change, nothing to autosave).
    const during = await nodeAt(page(), "or_13");
    const delta = minus(during, start);
    expect(Math.abs(delta.x)).toBeGreaterThan(100);
    const curvesDuring = await farCurves(page());
    expect(farCurveAt(curvesDuring, "end", plus(into.end, delta))).toBeDefined();
    expect(farCurveAt(curvesDuring, "start", plus(outOf.start, delta))).toBeDefined();
    expect(farCurveAt(curvesDuring, "end", into.end)).toBeUndefined();
    expect(curvesDuring).toHaveLength(before.length);
    expect(await nodeAt(page(), "or_100")).toEqual(other);
    expect(await dirty(page())).toBe("false");

    await page().mouse.up();
    await expect.poll(() => dirty(page())).toBe("true");
    const dropped = await nodeAt(page(), "or_13");
    expect(dropped).toEqual(during);
    expect(dropped.x % GRID).toBe(0);
    expect(dropped.y % GRID).toBe(0);
    expect(farCurveAt(await farCurves(page()), "end", plus(into.end, delta))).toBeDefined();

    // One undo step returns the node and its wires; redo puts it back.
    await page().getByTestId("undo-button").click();
    await expect.poll(() => nodeAt(page(), "or_13")).toEqual(start);
    expect(farCurveAt(await farCurves(page()), "end", into.end)).toBeDefined();
    await page().getByTestId("redo-button").click();
    await expect.poll(() => nodeAt(page(), "or_13")).toEqual(dropped);
    droppedFar = dropped;
  });

  it("zoomed in: a multi-selection moves together, React Flow's wires follow, and the drop is saved", async () => {
    // Zoomed in well past NEAR_ZOOM, where nodes are big enough to aim at.
    await zoomInTo(page(), 0.8);
    expect(await page().getByTestId("flow-canvas").getAttribute("data-lod")).toBe("near");
    expect(await zoomShown(page())).toBeGreaterThan(NEAR_ZOOM);

    // Two chained neighbours with a wire in, between and out, both on screen with room to drag.
    const onNodeScreen = (id: string) => onScreen(page(), `flow-node-${id}`, 40, 200);
    let first = -1;
    for (let i = 1; i < NODES - 2 && first < 0; i++) {
      if (i % COLUMNS === 0 || i % COLUMNS >= COLUMNS - 2) continue;
      if ((await onNodeScreen(`or_${i}`)) && (await onNodeScreen(`or_${i + 1}`))) first = i;
    }
    expect(first, "two chained neighbours on screen after zooming in").toBeGreaterThan(0);
    const [a, b] = [`or_${first}`, `or_${first + 1}`];
    await page().getByTestId(`node-title-${a}`).click();
    await page().keyboard.down("Shift");
    await page().getByTestId(`node-title-${b}`).click();
    await page().keyboard.up("Shift");
    const startA = await nodeAt(page(), a);
    const startB = await nodeAt(page(), b);
    const inA = await nearWire(page(), wireId(first - 1, first));
    const between = await nearWire(page(), wireId(first, first + 1));
    const outB = await nearWire(page(), wireId(first + 1, first + 2));
    const savedVersion = Number(await page().getByTestId("save-status").getAttribute("data-version"));

    await pressAndMove(page(), a, { x: 64, y: 96 });
    const duringA = await nodeAt(page(), a);
    const delta = minus(duringA, startA);
    expect(delta.y).toBeGreaterThan(40);
    expect(await nodeAt(page(), b)).toEqual(plus(startB, delta));
    // The wire into the selection moved at its end, the one inside it at both ends, the one out at its start.
    const inNow = await nearWire(page(), wireId(first - 1, first));
    const betweenNow = await nearWire(page(), wireId(first, first + 1));
    const outNow = await nearWire(page(), wireId(first + 1, first + 2));
    expect([
      near(inNow.start, inA.start),
      near(inNow.end, plus(inA.end, delta)),
      near(betweenNow.start, plus(between.start, delta)),
      near(betweenNow.end, plus(between.end, delta)),
      near(outNow.start, plus(outB.start, delta)),
      near(outNow.end, outB.end),
    ]).toEqual([true, true, true, true, true, true]);

    await page().mouse.up();
    expect(await nodeAt(page(), a)).toEqual(duringA);
    expect(await nodeAt(page(), b)).toEqual(plus(startB, delta));

    // Saved and reloaded: the nodes are where they were dropped, in the editor and in the saved version.
    await page().getByTestId("save-button").click();
    await expect.poll(() => dirty(page())).toBe("false");
    const version = Number(await page().getByTestId("save-status").getAttribute("data-version"));
    expect(version).toBeGreaterThan(savedVersion);
    await page().reload();
    await page().locator(`.react-flow__node[data-id="${a}"]`).waitFor();
    expect(await nodeAt(page(), a)).toEqual(duringA);
    expect(await nodeAt(page(), b)).toEqual(plus(startB, delta));
    expect(await nodeAt(page(), "or_13")).toEqual(droppedFar);
    const stored = await api<{
      version: { document: { flows: { configuration: { nodes: { id: string; position: Point }[] } }[] } };
    }>(designer.url, `/api/projects/${projectId}/versions/${version}`);
    const positions = new Map(
      stored.body.version.document.flows[0]!.configuration.nodes.map((n) => [n.id, n.position]),
    );
    expect(positions.get(a)).toEqual(duringA);
    expect(positions.get(b)).toEqual(plus(startB, delta));
  });
});
