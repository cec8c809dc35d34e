import { api, type SimulatorHandle, type SupervisorHandle } from "@bms/test-support";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHORTCUTS } from "../src/components/flow-editor/editor-shortcuts";
import type { BrowserSession } from "./support/browser";
import { connectPorts, dragFromPalette, edgeCount, fillField, nodeIds, selectNode } from "./support/canvas";
import type { DesignerHandle } from "./support/designer";
import { createProjectInUi } from "./support/projects";
import { documentScreenshot } from "./support/screenshots";
import { type DesignerStack, startDesignerStack } from "./support/stack";

// Own loopback address and ports: no other test file uses them.
const SIM_BIND = "127.0.0.47";
const SIM_PORT = 47810;
const SUP_PORT = 47894;

const LONG_LABEL = "North wing zone temperature sensor";

/** A drop made while the freshly loaded page is still hydrating can be lost: drag again once. */
async function addByDrag(page: Page, type: string, at: { x: number; y: number }, id: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    await dragFromPalette(page, type, at);
    try {
      await page.getByTestId(`flow-node-${id}`).waitFor({ timeout: 3000 });
      return;
    } catch {
      // not dropped: try once more
    }
  }
  throw new Error(`${type} was not added by dragging it onto the canvas`);
}

type Box = { x: number; y: number; width: number; height: number };
async function box(page: Page, testId: string): Promise<Box> {
  const b = await page.getByTestId(testId).boundingBox();
  if (!b) throw new Error(`${testId} is not rendered`);
  return b;
}
const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

const selectedIds = (page: Page) =>
  page
    .locator(".react-flow__node.selected")
    .evaluateAll((els) => els.map((el) => el.getAttribute("data-id") ?? "").sort());

/**
 * Issue 11's canvas manners and honest states in the Designer, against a real supervisor and the
 * simulator: the minimap and toolbars beside the node area, the right-click menu, Ctrl+D, the "?"
 * sheet, then a deployed flow's warning on a bad input, its stopped state and the version story.
 */
describe("Designer canvas manners and honest states in the browser", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  let designer: DesignerHandle;
  let browser: BrowserSession;
  let stack: DesignerStack | undefined;
  let projectId = "";

  beforeAll(async () => {
    stack = await startDesignerStack({ simBind: SIM_BIND, simPort: SIM_PORT, supervisorPort: SUP_PORT });
    ({ sim, sup, designer, browser } = stack);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const page = () => browser.page;

  it("docks the minimap outside the node area, collapsibly; a node in the corner under it stays clickable", async () => {
    projectId = await createProjectInUi(page(), designer.url, "Canvas manners");
    const canvas = await box(page(), "flow-canvas");
    // Dropped so the node's bottom-right corner is where an overlaid minimap used to sit.
    await addByDrag(page(), "threshold", { x: canvas.width - 130, y: canvas.height - 80 }, "threshold_1");
    const node = await box(page(), "flow-node-threshold_1");
    expect(node.x + node.width).toBeGreaterThan(canvas.x + canvas.width - 40);
    expect(node.y + node.height).toBeGreaterThan(canvas.y + canvas.height - 60);
    expect(node.y + node.height).toBeLessThanOrEqual(canvas.y + canvas.height);

    // The minimap and the toolbar (comment, group, zoom) sit outside the node area.
    const dock = await box(page(), "minimap-dock");
    expect(await page().locator('[data-testid="minimap-dock"] .react-flow__minimap').count()).toBe(1);
    expect(overlaps(dock, canvas)).toBe(false);
    expect(dock.y).toBeGreaterThanOrEqual(canvas.y + canvas.height - 1);
    const toolbar = await box(page(), "canvas-toolbar");
    expect(toolbar.y + toolbar.height).toBeLessThanOrEqual(canvas.y + 1);
    for (const id of ["add-comment", "group-selection", "zoom-in", "zoom-out", "zoom-fit", "minimap-toggle"])
      expect(overlaps(await box(page(), id), canvas), id).toBe(false);
    expect(await page().locator(".react-flow__controls").count()).toBe(0);

    // What is under the node's bottom-right corner is the node, and a click there selects it.
    const corner = { x: node.x + node.width - 8, y: node.y + node.height - 8 };
    const hit = await page().evaluate(
      ({ x, y }) =>
        document.elementFromPoint(x, y)?.closest("[data-testid^='flow-node-']")?.getAttribute("data-testid"),
      corner,
    );
    expect(hit).toBe("flow-node-threshold_1");
    await page().mouse.click(corner.x, corner.y);
    await page().locator('[data-testid="inspector"][data-node-id="threshold_1"]').waitFor();

    // Collapsed, the bottom panel takes the room, and it stays collapsed after a reload.
    const panel = await box(page(), "validation-panel");
    await page().getByTestId("minimap-toggle").click();
    await page().getByTestId("minimap-dock").waitFor({ state: "detached" });
    expect((await box(page(), "validation-panel")).width).toBeGreaterThan(panel.width + 150);
    await page().reload();
    await page().getByTestId("flow-node-threshold_1").waitFor();
    expect(await page().getByTestId("minimap-dock").count()).toBe(0);
    expect(await page().getByTestId("minimap-toggle").getAttribute("aria-pressed")).toBe("false");
    await page().getByTestId("minimap-toggle").click();
    await page().getByTestId("minimap-dock").waitFor();
    // Zoom buttons work from the toolbar.
    const before = await page().getByTestId("zoom-level").textContent();
    await page().getByTestId("zoom-out").click();
    await expect.poll(() => page().getByTestId("zoom-level").textContent()).not.toBe(before);
  });

  it("right-click menus: duplicate, copy, properties and delete on a node; paste and comment on the canvas", async () => {
    await page().getByTestId("zoom-fit").click();
    await page().getByTestId("node-title-threshold_1").click({ button: "right" });
    const menu = page().getByTestId("canvas-context-menu");
    await menu.waitFor();
    expect(await menu.getAttribute("data-kind")).toBe("node");
    expect(await menu.getByRole("menuitem").allTextContents()).toEqual([
      "DuplicateCtrl+D",
      "CopyCtrl+C",
      "GroupCtrl+G",
      "Make sub-flow",
      "Save as library subflow…",
      "Properties",
      "DeleteDelete or Backspace",
    ]);
    await page().getByTestId("context-duplicate").click();
    await expect.poll(async () => (await nodeIds(page())).sort()).toEqual(["threshold_1", "threshold_2"]);
    expect(await selectedIds(page())).toEqual(["threshold_2"]);
    await menu.waitFor({ state: "detached" });

    // Right-clicking a node outside the selection acts on that node alone.
    await page().getByTestId("node-title-threshold_1").click({ button: "right" });
    await page().getByTestId("context-properties").click();
    await page().locator('[data-testid="inspector"][data-node-id="threshold_1"]').waitFor();
    await page().getByTestId("node-title-threshold_2").click({ button: "right" });
    await page().getByTestId("context-delete").click();
    await expect.poll(() => nodeIds(page())).toEqual(["threshold_1"]);

    // Copy from the node's menu, paste from the canvas's menu where the click was.
    await page().getByTestId("node-title-threshold_1").click({ button: "right" });
    await page().getByTestId("context-copy").click();
    const canvas = await box(page(), "flow-canvas");
    await page().mouse.click(canvas.x + 60, canvas.y + 50, { button: "right" });
    expect(await menu.getAttribute("data-kind")).toBe("pane");
    await page().getByTestId("context-paste").click();
    await expect.poll(async () => (await nodeIds(page())).sort()).toEqual(["threshold_1", "threshold_2"]);
    const pasted = await box(page(), "flow-node-threshold_2");
    expect(Math.abs(pasted.x - (canvas.x + 60))).toBeLessThan(40);
    expect(Math.abs(pasted.y - (canvas.y + 50))).toBeLessThan(40);
    await page().mouse.click(canvas.x + canvas.width / 2, canvas.y + canvas.height - 30, { button: "right" });
    await page().getByTestId("context-add-comment").click();
    await expect.poll(() => page().locator('[data-testid^="comment-text-"]').count()).toBe(1);
    // Esc closes a menu without doing anything.
    await page().mouse.click(canvas.x + 30, canvas.y + canvas.height - 30, { button: "right" });
    await menu.waitFor();
    await page().keyboard.press("Escape");
    await menu.waitFor({ state: "detached" });
    expect((await nodeIds(page())).length).toBe(2);
  });

  it("Ctrl+D duplicates the selection with the wire between its nodes", async () => {
    await addByDrag(page(), "sensor_read", { x: 140, y: 200 }, "sensor_read_1");
    await connectPorts(
      page(),
      { node: "sensor_read_1", port: "value" },
      { node: "threshold_1", port: "value" },
    );
    await expect.poll(() => edgeCount(page())).toBe(1);
    await page().getByTestId("node-title-sensor_read_1").click();
    await page().keyboard.down("Shift");
    await page().getByTestId("node-title-threshold_1").click();
    await page().keyboard.up("Shift");
    await page().keyboard.press("Control+d");
    await expect
      .poll(async () => (await nodeIds(page())).sort())
      .toEqual(["sensor_read_1", "sensor_read_2", "threshold_1", "threshold_2", "threshold_3"]);
    expect(await selectedIds(page())).toEqual(["sensor_read_2", "threshold_3"]);
    await expect.poll(() => edgeCount(page())).toBe(2);
    // Undo takes the duplicate back in one step.
    await page().keyboard.press("Control+z");
    await expect.poll(async () => (await nodeIds(page())).length).toBe(3);
  });

  it('"?" opens the shortcut sheet, listing exactly the table the key handler runs on; Esc closes it', async () => {
    await page()
      .getByTestId("flow-canvas")
      .click({ position: { x: 5, y: 5 } });
    await page().keyboard.press("Shift+Slash");
    const sheet = page().getByTestId("shortcut-sheet");
    await sheet.waitFor();
    const rows = await sheet
      .locator('tr[data-testid^="shortcut-"]')
      .evaluateAll((els) => els.map((el) => (el.getAttribute("data-testid") ?? "").replace("shortcut-", "")));
    expect(rows.sort()).toEqual(SHORTCUTS.map((s) => s.id).sort());
    expect(await sheet.getByTestId("shortcut-duplicate").textContent()).toMatch(/Ctrl\+D$/);
    expect(await sheet.getByTestId("shortcut-redo").textContent()).toMatch(/Ctrl\+Shift\+Z or Ctrl\+Y$/);
    await documentScreenshot(page(), "designer-shortcut-sheet");
    await page().keyboard.press("Escape");
    await sheet.waitFor({ state: "detached" });

    // Typed into a form field, "?" is just a character.
    await selectNode(page(), "threshold_1");
    await page().getByTestId("field-label").fill("");
    await page().getByTestId("field-label").type("Hot?");
    expect(await page().getByTestId("shortcut-sheet").count()).toBe(0);
    await page().getByTestId("field-label").fill("");
    // The toolbar's button opens it too.
    await page().getByTestId("shortcuts-button").click();
    await sheet.waitFor();
    await page().getByTestId("shortcut-sheet-close").click();
    await sheet.waitFor({ state: "detached" });
  });

  it("a deployed flow: the version story, a bad input printed on the node, titles never cut off", async () => {
    // sensor → threshold → cooling command on the simulator's skeleton controller; the extras go.
    await page()
      .getByTestId("flow-canvas")
      .click({ position: { x: 5, y: 5 } });
    for (const id of ["threshold_2"]) {
      await page().getByTestId(`node-title-${id}`).click();
      await page().keyboard.press("Delete");
    }
    // A note is removed from its own menu (a click on it would start editing its text).
    await page().locator('[data-testid^="comment-text-"]').first().click({ button: "right" });
    await page().getByTestId("context-delete").click();
    await expect.poll(() => page().locator('[data-testid^="comment-text-"]').count()).toBe(0);
    await expect.poll(async () => (await nodeIds(page())).sort()).toEqual(["sensor_read_1", "threshold_1"]);
    await selectNode(page(), "sensor_read_1");
    await fillField(page(), "point", "bacnet:1001/analogInput:1");
    await page().getByTestId("field-label").fill(LONG_LABEL);
    await selectNode(page(), "threshold_1");
    await fillField(page(), "value", "10");
    await page().getByTestId("zoom-fit").click();

    await page().getByTestId("deploy-button").click();
    const outcome = page().getByTestId("deploy-outcome-default");
    await outcome.waitFor({ timeout: 30_000 });
    expect(await outcome.getAttribute("data-ok"), (await outcome.textContent()) ?? "").toBe("true");
    await expect
      .poll(() => page().getByTestId("flow-node-threshold_1").getAttribute("data-status"), {
        timeout: 15_000,
      })
      .toBe("completed");

    // One version story: the saved project version and the supervisor's config version, linked.
    const current = (
      await api<{ version: number; project_id: string; project_version: number }>(
        sup.url,
        "/api/config/current",
        {
          token: sup.token,
        },
      )
    ).body;
    const saved = Number(await page().getByTestId("save-status").getAttribute("data-version"));
    expect(current).toMatchObject({ project_id: projectId, project_version: saved });
    await expect
      .poll(() => page().getByTestId("version-story").textContent(), { timeout: 10_000 })
      .toBe(`project v${saved} → running as config v${current.version} on Local supervisor`);

    // The long title keeps its whole text beside the live status badge.
    const title = page().getByTestId("node-title-sensor_read_1");
    expect(await title.textContent()).toBe(LONG_LABEL);
    const fits = await title.evaluate(
      (el) => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight,
    );
    expect(fits).toBe(true);
    expect(
      overlaps(await box(page(), "node-title-sensor_read_1"), await box(page(), "node-status-sensor_read_1")),
    ).toBe(false);

    // The device goes offline (the simulator's fault switch): the threshold runs on a bad input, and
    // says so on the node, in its warning state, with the reason printed.
    await api(sim.webUrl, "/api/devices/1001/faults", { body: { offline: true } });
    await expect
      .poll(() => page().getByTestId("flow-node-threshold_1").getAttribute("data-status"), {
        timeout: 20_000,
      })
      .toBe("warning");
    const warning = page().getByTestId("node-warning-threshold_1");
    expect(await warning.isVisible()).toBe(true);
    expect(await warning.textContent()).toMatch(/^⚠ Value: .*(timeout|offline)/);
    expect(await page().getByTestId("node-status-threshold_1").textContent()).toBe("warning");
    await documentScreenshot(page(), "designer-bad-input-warning");
    await api(sim.webUrl, "/api/devices/1001/faults", { body: { offline: false } });
    await expect
      .poll(() => page().getByTestId("flow-node-threshold_1").getAttribute("data-status"), {
        timeout: 30_000,
      })
      .toBe("completed");
    expect(await page().getByTestId("node-warning-threshold_1").count()).toBe(0);

    // The deploy page tells the same story.
    await page().getByTestId("deploy-page-link").click();
    await expect
      .poll(() => page().getByTestId("version-story-default").textContent(), { timeout: 10_000 })
      .toBe(`project v${saved} → running as config v${current.version} on Local supervisor`);
    expect(await page().getByTestId(`config-project-version-default-${current.version}`).textContent()).toBe(
      `from project v${saved}`,
    );
    await page().getByTestId("back-to-project").click();
    await page().getByTestId("flow-node-threshold_1").waitFor();
  });

  it("a stopped flow's nodes say stopped, greyed, with no last value presented as live", async () => {
    await page().getByTestId("tab-execution").click();
    if ((await page().getByTestId("monitor-toggle").getAttribute("aria-pressed")) !== "true")
      await page().getByTestId("monitor-toggle").click();
    await expect
      .poll(() => page().getByTestId("flow-node-threshold_1").getAttribute("data-status"), {
        timeout: 15_000,
      })
      .toBe("completed");
    expect(await page().locator('[data-testid^="node-value-threshold_1-"]').count()).toBeGreaterThan(0);

    page().once("dialog", (d) => void d.accept());
    await page().getByTestId("flow-stop").click();
    for (const id of ["sensor_read_1", "threshold_1"]) {
      await expect
        .poll(() => page().getByTestId(`flow-node-${id}`).getAttribute("data-status"), { timeout: 15_000 })
        .toBe("stopped");
      expect(await page().getByTestId(`node-status-${id}`).textContent()).toBe("stopped");
      const look = await page()
        .getByTestId(`flow-node-${id}`)
        .evaluate((el) => ({
          opacity: Number(getComputedStyle(el).opacity),
          filter: getComputedStyle(el).filter,
        }));
      expect(look.opacity).toBeLessThan(1);
      expect(look.filter).toContain("grayscale");
    }
    expect(
      await page().locator('[data-testid^="node-value-"], [data-testid^="node-input-value-"]').count(),
    ).toBe(0);
    await expect
      .poll(() => page().getByTestId("version-story").textContent(), { timeout: 10_000 })
      .toMatch(/^project v\d+ → stopped as config v\d+ on Local supervisor$/);
    await documentScreenshot(page(), "designer-stopped-flow");
  });
});
