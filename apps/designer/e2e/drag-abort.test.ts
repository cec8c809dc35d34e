import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LARGE_FLOW_NODES } from "../src/components/flow-editor/large-flow";
import { type BrowserSession, openBrowser } from "./support/browser";
import { type DesignerHandle, startDesigner } from "./support/designer";
import { createChainProject, nodeAt, type Point, pressAndMove } from "./support/large-flow";

// No supervisor and no fixed port: the Designer takes a free port on 127.0.0.1 (support/designer.ts).

const NODES = 240;

type Draft = { document: { flows: { configuration: { nodes: { id: string; position: Point }[] } }[] } };

/** What says a drag is still going on: the canvas's flag (it takes the other nodes out of the hit test) and nodes drawn dragging. */
function dragState(page: Page) {
  return page.evaluate(() => ({
    canvas: document.querySelector('[data-testid="flow-canvas"]')?.getAttribute("data-dragging") ?? null,
    nodes: document.querySelectorAll(".react-flow__node.dragging").length,
    // A node other than the dragged one still takes the pointer (it does not while a drag is live).
    othersHit: getComputedStyle(document.querySelector('[data-id="or_0"]')!).pointerEvents !== "none",
  }));
}

const idle = { canvas: null, nodes: 0, othersHit: true };

async function dirty(page: Page): Promise<string | null> {
  return page.getByTestId("save-status").getAttribute("data-dirty");
}

/**
 * A drag React Flow never sees end: its gesture waits for a mouseup that a blurred window, a cancelled
 * pointer or a release it did not see never sends. Each such end is a drop where the node is drawn (one
 * undo step, one autosaved draft), except Escape, which cancels: the node goes back, nothing changed.
 * Either way the canvas leaves its dragging state at once, and the late release does nothing more.
 */
describe("Designer: a drag that ends without its mouseup", () => {
  let designer: DesignerHandle;
  let browser: BrowserSession;
  const drafts: Draft[] = [];

  beforeAll(async () => {
    designer = await startDesigner({});
    browser = await openBrowser({ width: 1400, height: 900 });
    const { projectId, flow } = await createChainProject(designer.url, "aborted drags", NODES);
    const page = browser.page;
    page.on("request", (request) => {
      if (request.method() === "PUT" && request.url().endsWith("/draft"))
        drafts.push(JSON.parse(request.postData() ?? "{}") as Draft);
    });
    await page.goto(`${designer.url}/projects/${projectId}`);
    await page.locator('[data-testid="far-wires"] path').first().waitFor({ timeout: 30_000 });
    if (flow.nodes.length <= LARGE_FLOW_NODES) throw new Error("the flow must be a large one");
  });

  afterAll(async () => {
    await browser?.close();
    await designer?.stop();
  });

  const page = () => browser.page;
  const undo = () => page().getByTestId("undo-button");

  /** Where `id` is in the drafts written since `from` (the last one that has it). */
  const drafted = (from: number, id: string) =>
    drafts
      .slice(from)
      .map((d) => d.document.flows[0]?.configuration.nodes.find((n) => n.id === id)?.position)
      .at(-1);

  it("Escape cancels: the node goes back, no undo step, nothing to save", async () => {
    // Far out (fitted), where a large flow's drag takes the other nodes out of the hit test.
    expect(await page().getByTestId("flow-canvas").getAttribute("data-lod")).toBe("far");
    const start = await nodeAt(page(), "or_13");
    await pressAndMove(page(), "or_13", { x: 90, y: 45 });
    expect((await dragState(page())).canvas).toBe("true");
    expect(await nodeAt(page(), "or_13")).not.toEqual(start);

    await page().keyboard.press("Escape");
    await expect.poll(() => dragState(page())).toEqual(idle);
    await expect.poll(() => nodeAt(page(), "or_13")).toEqual(start);
    await page().mouse.up();
    await page().waitForTimeout(2_500);
    expect(await nodeAt(page(), "or_13")).toEqual(start);
    expect(await dirty(page())).toBe("false");
    expect(await undo().isDisabled()).toBe(true);
    expect(drafts).toHaveLength(0);
  });

  const drops: { how: string; node: string; end: (page: Page, from: Point) => Promise<void> }[] = [
    {
      how: "the window loses focus (another window in front, a system dialog)",
      node: "or_25",
      end: (p) => p.evaluate(() => void window.dispatchEvent(new Event("blur"))),
    },
    {
      how: "the browser cancels the pointer",
      node: "or_37",
      end: (p) =>
        p.evaluate(
          () =>
            void document.body.dispatchEvent(
              new PointerEvent("pointercancel", { bubbles: true, pointerId: 1 }),
            ),
        ),
    },
    {
      how: "the release happened where the page did not see it (the next move has no button down)",
      node: "or_49",
      end: (p, from) =>
        p.evaluate(({ x, y }) => {
          const at = { clientX: x + 95, clientY: y + 50, bubbles: true, view: window };
          document.body.dispatchEvent(new PointerEvent("pointermove", { ...at, buttons: 0, pointerId: 1 }));
          document.body.dispatchEvent(new MouseEvent("mousemove", { ...at, buttons: 0 }));
        }, from),
    },
  ];

  for (const { how, node, end } of drops) {
    it(`ends as a drop where the node is drawn when ${how}`, async () => {
      const start = await nodeAt(page(), node);
      const earlier = drafts.length;
      const from = await pressAndMove(page(), node, { x: 90, y: 45 });
      const during = await nodeAt(page(), node);
      expect(during).not.toEqual(start);
      expect((await dragState(page())).canvas).toBe("true");

      await end(page(), from);
      await expect.poll(() => dragState(page())).toEqual(idle);
      expect(await nodeAt(page(), node)).toEqual(during);
      // The late release (and the moves before it) change nothing more.
      await page().mouse.move(from.x + 300, from.y + 200);
      await page().mouse.up();
      expect(await nodeAt(page(), node)).toEqual(during);

      // One document change: autosaved once, with the node where it was drawn.
      await expect.poll(() => drafts.length, { timeout: 10_000 }).toBe(earlier + 1);
      expect(drafted(earlier, node)).toEqual(during);
      await page().waitForTimeout(2_500);
      expect(drafts).toHaveLength(earlier + 1);

      // One undo step: it returns this node and leaves the earlier drops where they were.
      const before = await Promise.all(drops.map((d) => nodeAt(page(), d.node)));
      await undo().click();
      await expect.poll(() => nodeAt(page(), node)).toEqual(start);
      const after = await Promise.all(drops.map((d) => nodeAt(page(), d.node)));
      expect(after.filter((p, i) => p.x !== before[i]!.x || p.y !== before[i]!.y)).toHaveLength(1);
      await page().getByTestId("redo-button").click();
      await expect.poll(() => nodeAt(page(), node)).toEqual(during);
    });
  }

  it("released outside the window: the drop where the node was last drawn, one undo step", async () => {
    const start = await nodeAt(page(), "or_61");
    const from = await pressAndMove(page(), "or_61", { x: 90, y: 45 });
    await page().mouse.move(-40, from.y + 45, { steps: 4 });
    await page().mouse.up();
    await expect.poll(() => dragState(page())).toEqual(idle);
    const dropped = await nodeAt(page(), "or_61");
    expect(dropped).not.toEqual(start);
    const earlierDrop = await nodeAt(page(), "or_49");
    await undo().click();
    await expect.poll(() => nodeAt(page(), "or_61")).toEqual(start);
    expect(await nodeAt(page(), "or_49")).toEqual(earlierDrop);
    await page().getByTestId("redo-button").click();
    await expect.poll(() => nodeAt(page(), "or_61")).toEqual(dropped);
  });

  it("after a cancelled drag, the next move of a node (an arrow key) reaches the document", async () => {
    const start = await nodeAt(page(), "or_73");
    await pressAndMove(page(), "or_73", { x: 90, y: 45 });
    await page().keyboard.press("Escape");
    await expect.poll(() => nodeAt(page(), "or_73")).toEqual(start);
    await page().mouse.up();
    // Before the fix this change was dropped as the cancelled drag's: no move, no draft.
    const earlier = drafts.length;
    await page().locator('[data-id="or_73"]').click();
    await page().keyboard.press("ArrowRight");
    await expect.poll(async () => (await nodeAt(page(), "or_73")).x).toBeGreaterThan(start.x);
    await expect
      .poll(() => drafted(earlier, "or_73")?.x ?? start.x, { timeout: 10_000 })
      .toBeGreaterThan(start.x);
  });
});
