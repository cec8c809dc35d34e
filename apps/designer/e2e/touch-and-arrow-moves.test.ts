import type { CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSession, openBrowser } from "./support/browser";
import { type DesignerHandle, startDesigner } from "./support/designer";
import { createChainProject, nodeAt, type Point } from "./support/large-flow";

// No supervisor and no fixed port: the Designer takes a free port on 127.0.0.1 (support/designer.ts).

/** A small flow: every node drawn in full, near, at 1:1-ish. */
const NODES = 12;

type Draft = { document: { flows: { configuration: { nodes: { id: string; position: Point }[] } }[] } };

/** A drag still going on: the canvas's flag, or nodes drawn dragging. */
function dragging(page: Page) {
  return page.evaluate(
    () =>
      document.querySelector('[data-testid="flow-canvas"]')?.hasAttribute("data-dragging") === true ||
      document.querySelectorAll(".react-flow__node.dragging").length > 0,
  );
}

/**
 * Two ways a node moves besides the mouse. A finger's drag (CDP touch emulation, Input.dispatchTouchEvent)
 * that the browser cancels, or whose window loses focus, ends as a drop where the node is drawn: one
 * undo step, one autosave, and the finger's later moves change nothing. A burst of arrow presses on a
 * selected node is one undo step and one autosave, landed once the keys stop.
 */
describe("Designer: touch drags cut short, and arrow-key moves as undo steps", () => {
  let designer: DesignerHandle;
  let browser: BrowserSession;
  let cdp: CDPSession;
  const drafts: Draft[] = [];

  beforeAll(async () => {
    designer = await startDesigner({});
    browser = await openBrowser({ width: 1400, height: 900 });
    const { projectId } = await createChainProject(designer.url, "touch and arrows", NODES);
    const page = browser.page;
    page.on("request", (request) => {
      if (request.method() === "PUT" && request.url().endsWith("/draft"))
        drafts.push(JSON.parse(request.postData() ?? "{}") as Draft);
    });
    // Touch first: d3-drag decides at a node's mount whether it listens for touches.
    cdp = await browser.context.newCDPSession(page);
    await cdp.send("Emulation.setTouchEmulationEnabled", { enabled: true, maxTouchPoints: 1 });
    await page.goto(`${designer.url}/projects/${projectId}`);
    await page.getByTestId("flow-node-or_0").waitFor({ timeout: 30_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await designer?.stop();
  });

  const page = () => browser.page;
  const drafted = (from: number, id: string) =>
    drafts
      .slice(from)
      .map((d) => d.document.flows[0]?.configuration.nodes.find((n) => n.id === id)?.position)
      .at(-1);

  const touch = (type: "touchStart" | "touchMove" | "touchEnd" | "touchCancel", at?: Point) =>
    cdp.send("Input.dispatchTouchEvent", {
      type,
      touchPoints: at ? [{ x: at.x, y: at.y, id: 1 }] : [],
    });

  /** A finger down on the node's title, moved by `by` in ten steps and left down. Answers where it is. */
  async function touchDrag(id: string, by: Point): Promise<Point> {
    const box = await page().getByTestId(`flow-node-${id}`).boundingBox();
    if (!box) throw new Error(`${id} is not drawn`);
    const from = { x: box.x + box.width / 2, y: box.y + Math.min(12, box.height / 2) };
    await touch("touchStart", from);
    for (let i = 1; i <= 10; i++)
      await touch("touchMove", { x: from.x + (by.x * i) / 10, y: from.y + (by.y * i) / 10 });
    return { x: from.x + by.x, y: from.y + by.y };
  }

  const cutShort: { how: string; node: string; end: () => Promise<unknown> }[] = [
    {
      how: "the window loses focus mid-touch",
      node: "or_2",
      end: () => page().evaluate(() => void window.dispatchEvent(new Event("blur"))),
    },
    {
      how: "the browser cancels the touch (touchcancel)",
      node: "or_4",
      end: () => touch("touchCancel"),
    },
    {
      how: "the browser cancels the pointer and no touch event follows",
      node: "or_6",
      end: () =>
        page().evaluate(
          () =>
            void document.body.dispatchEvent(
              new PointerEvent("pointercancel", { bubbles: true, pointerId: 1, pointerType: "touch" }),
            ),
        ),
    },
  ];

  for (const { how, node, end } of cutShort) {
    it(`a touch drag ends as a drop where the node is drawn when ${how}`, async () => {
      const start = await nodeAt(page(), node);
      const earlier = drafts.length;
      const at = await touchDrag(node, { x: 96, y: 48 });
      const during = await nodeAt(page(), node);
      expect(during).not.toEqual(start);
      expect(await dragging(page())).toBe(true);

      await end();
      await expect.poll(() => dragging(page())).toBe(false);
      expect(await nodeAt(page(), node)).toEqual(during);
      // The finger goes on moving and lifts: nothing more happens to the node.
      await touch("touchMove", { x: at.x + 200, y: at.y + 120 }).catch(() => undefined);
      await touch("touchEnd").catch(() => undefined);
      expect(await nodeAt(page(), node)).toEqual(during);

      // One document change, autosaved once with the node where it was drawn; one undo step.
      await expect.poll(() => drafts.length, { timeout: 10_000 }).toBe(earlier + 1);
      expect(drafted(earlier, node)).toEqual(during);
      await page().waitForTimeout(2_500);
      expect(drafts).toHaveLength(earlier + 1);
      await page().getByTestId("undo-button").click();
      await expect.poll(() => nodeAt(page(), node)).toEqual(start);
      await page().getByTestId("redo-button").click();
      await expect.poll(() => nodeAt(page(), node)).toEqual(during);
    });
  }

  it("a burst of arrow presses is one undo step and one autosave; Ctrl+Shift+Z and Ctrl+Y redo it", async () => {
    const node = "or_9";
    // Select it with a click (the mouse: touch emulation leaves the mouse as it is).
    await page().locator(`[data-id="${node}"]`).click();
    await page().waitForTimeout(2_500);
    const start = await nodeAt(page(), node);
    const earlier = drafts.length;
    for (let i = 0; i < 5; i++) await page().keyboard.press("ArrowRight");
    await page().keyboard.press("ArrowDown");
    const moved = await nodeAt(page(), node);
    expect(moved.x).toBeGreaterThan(start.x);
    expect(moved.y).toBeGreaterThan(start.y);

    // Saved once, after the keys stopped.
    await expect.poll(() => drafts.length, { timeout: 10_000 }).toBe(earlier + 1);
    expect(drafted(earlier, node)).toEqual(moved);
    await page().waitForTimeout(2_500);
    expect(drafts).toHaveLength(earlier + 1);

    await page().keyboard.press("Control+z");
    await expect.poll(() => nodeAt(page(), node)).toEqual(start);
    await page().keyboard.press("Control+Shift+z");
    await expect.poll(() => nodeAt(page(), node)).toEqual(moved);
    await page().keyboard.press("Control+z");
    await expect.poll(() => nodeAt(page(), node)).toEqual(start);
    await page().keyboard.press("Control+y");
    await expect.poll(() => nodeAt(page(), node)).toEqual(moved);

    // Undo straight after a burst, before it settles, takes the burst back whole.
    await page().locator(`[data-id="${node}"]`).click();
    await page().keyboard.press("ArrowLeft");
    await page().keyboard.press("ArrowLeft");
    expect((await nodeAt(page(), node)).x).toBeLessThan(moved.x);
    await page().keyboard.press("Control+z");
    await expect.poll(() => nodeAt(page(), node)).toEqual(moved);

    // Save straight after a press, before the burst settles: the move is saved and nothing is left
    // unsaved (the burst's change used to land after the save, saying "unsaved changes").
    await page().locator(`[data-id="${node}"]`).click();
    await page().keyboard.press("ArrowRight");
    await page().keyboard.press("Control+s");
    const status = page().getByTestId("save-status");
    await status.filter({ hasText: "saved · v" }).waitFor();
    await page().waitForTimeout(1_000);
    expect(await status.getAttribute("data-dirty")).toBe("false");
  });
});
