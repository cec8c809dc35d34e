import { readFileSync } from "node:fs";
import { api } from "@bms/test-support";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSession, openBrowser } from "./support/browser";
import { dragFromPalette, nodeIds } from "./support/canvas";
import { type DesignerHandle, startDesigner } from "./support/designer";
import { freePort } from "./support/ports";
import { canvasSnapshot, createProjectInUi } from "./support/projects";

async function boxOf(page: Page, testId: string): Promise<{ x: number; y: number }> {
  const box = await page.getByTestId(testId).boundingBox();
  if (!box) throw new Error(`${testId} is not rendered`);
  return { x: Math.round(box.x), y: Math.round(box.y) };
}

/** A drop made while the freshly loaded page is still hydrating can be lost: drag again once. */
async function addByDrag(page: Page, type: string, at: { x: number; y: number }): Promise<void> {
  const id = `${type}_1`;
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

/**
 * Groups are editor state: a frame that moves its members, kept in flow_data across save, reload,
 * export and import, and absent from the configuration a supervisor gets. No supervisor is needed.
 */
describe("Designer groups in the browser", () => {
  let designer: DesignerHandle;
  let browser: BrowserSession;
  let projectId = "";

  beforeAll(async () => {
    designer = await startDesigner({ supervisorUrl: `http://127.0.0.1:${await freePort()}` });
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await designer?.stop();
  });

  const page = () => browser.page;

  it("groups two selected nodes with Ctrl+G, and dragging the frame moves both", async () => {
    projectId = await createProjectInUi(page(), designer.url, "Group tests");
    await addByDrag(page(), "sensor_read", { x: 160, y: 160 });
    await addByDrag(page(), "threshold", { x: 460, y: 160 });
    await addByDrag(page(), "actuator_write", { x: 760, y: 340 });
    expect((await nodeIds(page())).sort()).toEqual(["actuator_write_1", "sensor_read_1", "threshold_1"]);

    await page().getByTestId("node-title-sensor_read_1").click();
    await page().keyboard.down("Shift");
    await page().getByTestId("node-title-threshold_1").click();
    await page().keyboard.up("Shift");
    await page().keyboard.press("Control+g");
    const group = page().getByTestId("group-group_1");
    await group.waitFor();
    expect(await group.getAttribute("data-members")).toBe("sensor_read_1,threshold_1");
    expect(await page().getByTestId("group-label-group_1").inputValue()).toBe("Group 1");

    const before = {
      sensor: await boxOf(page(), "flow-node-sensor_read_1"),
      threshold: await boxOf(page(), "flow-node-threshold_1"),
      actuator: await boxOf(page(), "flow-node-actuator_write_1"),
    };
    const handle = await page().getByTestId("group-count-group_1").boundingBox();
    if (!handle) throw new Error("group header not rendered");
    const start = { x: handle.x + handle.width / 2, y: handle.y + handle.height / 2 };
    await page().mouse.move(start.x, start.y);
    await page().mouse.down();
    await page().mouse.move(start.x + 60, start.y + 40, { steps: 5 });
    await page().mouse.move(start.x + 120, start.y + 80, { steps: 5 });
    await page().mouse.up();

    const after = {
      sensor: await boxOf(page(), "flow-node-sensor_read_1"),
      threshold: await boxOf(page(), "flow-node-threshold_1"),
      actuator: await boxOf(page(), "flow-node-actuator_write_1"),
    };
    const moved = (k: keyof typeof before) => ({
      x: after[k].x - before[k].x,
      y: after[k].y - before[k].y,
    });
    // Snapped to the 8 px grid (the frame need not start on it), so about the mouse's move; the same for both.
    expect(Math.abs(moved("sensor").x - 120)).toBeLessThanOrEqual(16);
    expect(Math.abs(moved("sensor").y - 80)).toBeLessThanOrEqual(16);
    expect(moved("threshold")).toEqual(moved("sensor"));
    expect(moved("actuator")).toEqual({ x: 0, y: 0 });
  });

  it("renames the group and keeps it across save and reload, out of the deployed configuration", async () => {
    await page().getByTestId("group-label-group_1").fill("Zone sensing");
    await page().getByTestId("save-button").click();
    await expect.poll(() => page().getByTestId("save-status").getAttribute("data-dirty")).toBe("false");
    const before = await canvasSnapshot(page());
    await page().reload();
    await page().getByTestId("group-group_1").waitFor();
    expect(await page().getByTestId("group-label-group_1").inputValue()).toBe("Zone sensing");
    expect(await canvasSnapshot(page())).toEqual(before);

    const latest = await api<{
      version: {
        document: {
          flows: {
            configuration: { nodes: { id: string }[] };
            flow_data: { groups: { id: string; label: string; members: string[] }[] };
          }[];
        };
      };
    }>(designer.url, `/api/projects/${projectId}/versions/2`);
    const [flow] = latest.body.version.document.flows;
    expect(flow!.flow_data.groups).toMatchObject([
      { id: "group_1", label: "Zone sensing", members: ["sensor_read_1", "threshold_1"] },
    ]);
    expect(flow!.configuration.nodes.map((n) => n.id).sort()).toEqual([
      "actuator_write_1",
      "sensor_read_1",
      "threshold_1",
    ]);
    expect(JSON.stringify(flow!.configuration)).not.toContain("group_1");
  });

  it("survives an export/import round trip", async () => {
    const [download] = await Promise.all([
      page().waitForEvent("download"),
      page().getByTestId("export-button").click(),
    ]);
    const file = await download.path();
    const exported = JSON.parse(readFileSync(file, "utf8")) as {
      versions: { document: { flows: { flow_data: unknown }[] } }[];
    };
    expect(JSON.stringify(exported.versions.at(-1)?.document.flows[0]?.flow_data)).toContain("Zone sensing");

    await page().goto(designer.url);
    await page().getByTestId("import-file").setInputFiles(file);
    await page().getByTestId("import-success").waitFor();
    const list = await api<{ projects: { id: string; name: string }[] }>(designer.url, "/api/projects");
    // Next to its original, the import is named apart.
    const copy = list.body.projects.find((p) => p.name === "Group tests (imported)");
    expect(copy).toBeDefined();
    await page().goto(`${designer.url}/projects/${copy!.id}`);
    await page().getByTestId("group-group_1").waitFor();
    expect(await page().getByTestId("group-label-group_1").inputValue()).toBe("Zone sensing");
    expect(await page().getByTestId("group-group_1").getAttribute("data-members")).toBe(
      "sensor_read_1,threshold_1",
    );
  });

  it("ungroups: the frame goes, the nodes stay where they are", async () => {
    await page().goto(`${designer.url}/projects/${projectId}`);
    await page().getByTestId("group-group_1").waitFor();
    const flowNodes = async () => (await canvasSnapshot(page())).nodes.filter((n) => !n.startsWith("group_"));
    const before = await flowNodes();
    await page().getByTestId("ungroup-group_1").click();
    await expect.poll(() => page().getByTestId("group-group_1").count()).toBe(0);
    expect(await flowNodes()).toEqual(before);
    await page().getByTestId("save-button").click();
    await expect.poll(() => page().getByTestId("save-status").getAttribute("data-dirty")).toBe("false");
    await page().reload();
    await page().getByTestId("flow-node-threshold_1").waitFor();
    expect(await page().getByTestId("group-group_1").count()).toBe(0);
    expect((await nodeIds(page())).sort()).toEqual(["actuator_write_1", "sensor_read_1", "threshold_1"]);
  });
});
