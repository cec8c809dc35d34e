import { api, type SupervisorHandle } from "@bms/test-support";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserSession } from "./support/browser";
import { connectPorts, dragFromPalette, edgeCount, nodeIds, selectNode } from "./support/canvas";
import type { DesignerHandle } from "./support/designer";
import { createProjectInUi } from "./support/projects";
import { documentScreenshot } from "./support/screenshots";
import { type DesignerStack, startDesignerStack } from "./support/stack";

// Own loopback address and ports: no other test file uses them.
const SIM_BIND = "127.0.0.46";
const SIM_PORT = 47826;
const SUP_PORT = 47827;

interface SavedNode {
  id: string;
  type: string;
  config: Record<string, unknown>;
}

/** A drop made while a freshly loaded page is still hydrating can be lost: drag again once. */
async function addByDrag(page: Page, type: string, id: string, at: { x: number; y: number }): Promise<void> {
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

/** Drags along a day's track from one local time to another, as a person paints a period. */
async function paint(page: Page, track: string, from: number, to: number): Promise<void> {
  const box = await page.getByTestId(`schedule-track-${track}`).boundingBox();
  if (!box) throw new Error(`track ${track} is not rendered`);
  const x = (minutes: number) => box.x + (minutes / 1440) * box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(x(from) + 1, y);
  await page.mouse.down();
  await page.mouse.move(x((from + to) / 2), y, { steps: 5 });
  await page.mouse.move(x(to) - 1, y, { steps: 5 });
  await page.mouse.up();
}

async function periodsOf(page: Page, track: string): Promise<string[]> {
  return page
    .locator(`[data-testid^="schedule-period-${track}-"][data-start]`)
    .evaluateAll((els) => els.map((el) => `${el.getAttribute("data-start")}-${el.getAttribute("data-end")}`));
}

/** Issue 11 "real forms" in the browser, against a real supervisor for the deploy. */
describe("Designer forms: schedule grid, sub-flows, templates, + input", () => {
  let sup: SupervisorHandle;
  let designer: DesignerHandle;
  let browser: BrowserSession;
  let stack: DesignerStack | undefined;

  beforeAll(async () => {
    stack = await startDesignerStack({ simBind: SIM_BIND, simPort: SIM_PORT, supervisorPort: SUP_PORT });
    ({ sup, designer, browser } = stack);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const page = () => browser.page;
  const savedNodes = async (projectId: string, version: number) => {
    const saved = await api<{
      version: { document: { flows: { configuration: { nodes: SavedNode[] } }[] } };
    }>(designer.url, `/api/projects/${projectId}/versions/${version}`);
    return Object.fromEntries(
      saved.body.version.document.flows[0]!.configuration.nodes.map((n) => [n.id, n]),
    );
  };
  const save = async (version: number) => {
    await page().getByTestId("save-button").click();
    await expect
      .poll(() => page().getByTestId("save-status").getAttribute("data-version"))
      .toBe(String(version));
  };

  it("edits a week in the grid, saves, reloads to the same week, and deploys it", async () => {
    const projectId = await createProjectInUi(page(), designer.url, "Schedule form");
    await addByDrag(page(), "weekly_schedule", "weekly_schedule_1", { x: 200, y: 160 });
    await selectNode(page(), "weekly_schedule_1");
    // Time zone from the searchable IANA list, not free text.
    await page().getByTestId("schedule-timezone-search").fill("paris");
    await page().getByTestId("tz-option-Europe/Paris").click();
    expect(await page().getByTestId("schedule-timezone").textContent()).toBe("Europe/Paris");

    await page().getByTestId("schedule-open").click();
    await page().getByTestId("schedule-dialog").waitFor();
    await paint(page(), "monday", 8 * 60, 17 * 60);
    expect(await periodsOf(page(), "monday")).toEqual(["08:00-17:00"]);
    // Stretch it to 18:00 by its end handle.
    const end = await page().getByTestId("schedule-period-monday-0-end").boundingBox();
    const track = await page().getByTestId("schedule-track-monday").boundingBox();
    if (!end || !track) throw new Error("period not rendered");
    await page().mouse.move(end.x + end.width / 2, end.y + end.height / 2);
    await page().mouse.down();
    await page().mouse.move(track.x + (18 * 60 * track.width) / 1440, end.y + end.height / 2, { steps: 6 });
    await page().mouse.up();
    expect(await periodsOf(page(), "monday")).toEqual(["08:00-18:00"]);
    // A lunch break typed exactly: a second period on Monday, then copy Monday to the other weekdays.
    await paint(page(), "monday", 19 * 60, 21 * 60);
    await page().getByTestId("schedule-period-monday-1").click();
    await page().getByTestId("schedule-edit-monday-value").fill("off");
    await page().getByTestId("schedule-edit-monday-apply").click();
    await page().getByTestId("schedule-copy-weekdays").click();
    await page().getByTestId("schedule-copy-apply").click();
    for (const day of ["tuesday", "wednesday", "thursday", "friday"]) {
      expect(await periodsOf(page(), day)).toEqual(["08:00-18:00", "19:00-21:00"]);
    }
    expect(await periodsOf(page(), "saturday")).toEqual([]);
    // A closed week at Christmas (a yearly date range) with short opening hours on the first day.
    await page().getByTestId("schedule-exception-add").click();
    await page().getByTestId("schedule-exception-0-name").fill("Christmas");
    await page().getByTestId("schedule-exception-0-date").fill("12-24");
    await page().getByTestId("schedule-exception-0-end").fill("12-31");
    await paint(page(), "exception-0", 9 * 60, 12 * 60);
    expect(await periodsOf(page(), "exception-0")).toEqual(["09:00-12:00"]);
    // The next five changes come from the node's own evaluation.
    const transitions = page().locator('[data-testid="schedule-dialog"] [data-testid="schedule-transition"]');
    await expect.poll(() => transitions.count()).toBe(5);
    await documentScreenshot(page(), "schedule-editor");
    await page().getByTestId("schedule-close").click();

    await save(2);
    const node = (await savedNodes(projectId, 2)).weekly_schedule_1!;
    const week = { start: "08:00", end: "18:00" };
    const evening = { start: "19:00", end: "21:00", value: false };
    expect(node.config).toMatchObject({
      timezone: "Europe/Paris",
      monday: [week, evening],
      friday: [week, evening],
      saturday: [],
      exceptions: [
        { name: "Christmas", date: "12-24", end_date: "12-31", periods: [{ start: "09:00", end: "12:00" }] },
      ],
    });

    await page().reload();
    await selectNode(page(), "weekly_schedule_1");
    expect(await page().getByTestId("schedule-timezone").textContent()).toBe("Europe/Paris");
    await page().getByTestId("schedule-open").click();
    expect(await periodsOf(page(), "wednesday")).toEqual(["08:00-18:00", "19:00-21:00"]);
    expect(await periodsOf(page(), "exception-0")).toEqual(["09:00-12:00"]);
    await page().getByTestId("schedule-close").click();

    await page().getByTestId("deploy-button").click();
    const outcome = page().getByTestId("deploy-outcome-default");
    await outcome.waitFor({ timeout: 30_000 });
    expect(await outcome.getAttribute("data-ok"), (await outcome.textContent()) ?? "").toBe("true");
    // The Designer deploys a site package: the project's flows (one here).
    const current = await api<{ package: { flows: { nodes: SavedNode[] }[] } }>(
      sup.url,
      "/api/config/current",
      {
        token: sup.token,
      },
    );
    const deployed = current.body.package.flows[0]!.nodes.find((n) => n.id === "weekly_schedule_1");
    expect(deployed?.config).toMatchObject(node.config);
  });

  it("+ input adds a port to an AND and remove takes it (and its wire) away", async () => {
    await createProjectInUi(page(), designer.url, "Ports and sub-flows");
    await addByDrag(page(), "and", "and_1", { x: 460, y: 120 });
    const ports = () =>
      page()
        .locator('[data-testid^="handle-and_1-in-"]')
        .evaluateAll((els) =>
          els.map((el) => el.getAttribute("data-testid")?.replace("handle-and_1-in-", "")),
        );
    expect(await ports()).toEqual(["in1", "in2"]);
    await selectNode(page(), "and_1");
    await page().getByTestId("port-count-add-input_count").click();
    await expect.poll(ports).toEqual(["in1", "in2", "in3"]);
    await addByDrag(page(), "constant", "constant_1", { x: 120, y: 120 });
    await connectPorts(page(), { node: "constant_1", port: "value" }, { node: "and_1", port: "in3" });
    await expect.poll(() => edgeCount(page())).toBe(1);
    await selectNode(page(), "and_1");
    await page().getByTestId("port-count-remove-input_count").click();
    await expect.poll(ports).toEqual(["in1", "in2"]);
    expect(await edgeCount(page())).toBe(0);
    // Undo brings the port and its wire back in one step.
    await page().keyboard.press("Control+z");
    await expect.poll(ports).toEqual(["in1", "in2", "in3"]);
    // The restored wire is drawn a frame after its port reappears.
    await expect.poll(() => edgeCount(page())).toBe(1);
  });

  it("makes a sub-flow from a selection and edits its inside on its own canvas", async () => {
    await addByDrag(page(), "math", "math_1", { x: 160, y: 380 });
    await addByDrag(page(), "not", "not_1", { x: 760, y: 120 });
    await connectPorts(page(), { node: "constant_1", port: "value" }, { node: "math_1", port: "a" });
    await connectPorts(page(), { node: "math_1", port: "result" }, { node: "and_1", port: "in1" });
    await connectPorts(page(), { node: "and_1", port: "result" }, { node: "not_1", port: "value" });
    await expect.poll(() => edgeCount(page())).toBe(4);

    await page().getByTestId("node-title-math_1").click();
    await page().keyboard.down("Shift");
    await page().getByTestId("node-title-and_1").click();
    await page().keyboard.up("Shift");
    await page().getByTestId("make-subflow").click();
    await page().getByTestId("flow-node-subflow_1").waitFor();
    expect((await nodeIds(page())).sort()).toEqual(["constant_1", "not_1", "subflow_1"]);
    // constant_1 fed both math_1.a and and_1.in3: one source, one input; and_1.result is the one output.
    await expect.poll(() => edgeCount(page())).toBe(2);
    expect(await page().getByTestId("handle-subflow_1-in-in1").count()).toBe(1);
    expect(await page().getByTestId("handle-subflow_1-in-in2").count()).toBe(0);
    expect(await page().getByTestId("handle-subflow_1-out-out1").count()).toBe(1);

    await selectNode(page(), "subflow_1");
    await page().getByTestId("subflow-open").click();
    const inner = page().locator('[data-subflow-editor="subflow_1"]');
    await inner.waitFor();
    expect(await inner.getByTestId("breadcrumb-current").textContent()).toContain("Sub-flow");
    await inner.getByTestId("flow-node-math_1").waitFor();
    const innerIds = await inner
      .locator('[data-testid^="flow-node-"]')
      .evaluateAll((els) =>
        els.map((el) => el.getAttribute("data-testid")?.replace("flow-node-", "")).sort(),
      );
    expect(innerIds).toEqual(["and_1", "input_1", "math_1", "output_1"]);
    // Edit inside: the math expression, in the inner inspector.
    await inner.getByTestId("node-title-math_1").click();
    await inner.getByTestId("field-expression").fill("a * 2");
    await documentScreenshot(page(), "subflow-canvas");
    await inner.getByTestId("subflow-back").click();
    await inner.waitFor({ state: "detached" });

    await save(2);
    const projectId = page().url().split("/").pop()!;
    const sub = (await savedNodes(projectId, 2)).subflow_1!;
    const flow = sub.config.flow as { nodes: SavedNode[] };
    expect(flow.nodes.find((n) => n.id === "math_1")?.config.expression).toBe("a * 2");
    expect(sub.config).toMatchObject({ input_count: 1, output_count: 1 });
  });

  it("saves a group as a project template, drops a copy from the palette, and keeps it across a reload", async () => {
    await page().getByTestId("node-title-constant_1").click();
    await page().keyboard.down("Shift");
    await page().getByTestId("node-title-not_1").click();
    await page().keyboard.up("Shift");
    await page().keyboard.press("Control+g");
    await page().getByTestId("group-group_1").waitFor();
    page().once("dialog", (d) => void d.accept("Toggle pair"));
    await page().getByTestId("save-template-group_1").click();
    const entry = page().getByTestId("palette-template-Toggle pair");
    await entry.waitFor();

    await save(3);
    await page().reload();
    await entry.waitFor();
    await entry.dragTo(page().getByTestId("flow-canvas"), { targetPosition: { x: 300, y: 520 } });
    await expect
      .poll(async () => (await nodeIds(page())).sort())
      .toEqual(["constant_1", "constant_2", "not_1", "not_2", "subflow_1"]);
    await documentScreenshot(page(), "project-templates");
  });
});
