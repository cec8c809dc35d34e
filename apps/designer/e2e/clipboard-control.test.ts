import { api, type SupervisorHandle } from "@bms/test-support";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserSession } from "./support/browser";
import { connectPorts, dragFromPalette, edgeCount, fillField, nodeIds, selectNode } from "./support/canvas";
import type { DesignerHandle } from "./support/designer";
import { createProjectInUi } from "./support/projects";
import { type DesignerStack, startDesignerStack } from "./support/stack";

// Own loopback address and ports: no other test file uses them.
const SIM_BIND = "127.0.0.42";
const SIM_PORT = 47824;
const SUP_PORT = 47825;

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

const edgeIds = (page: Page) =>
  page
    .locator(".react-flow__edge")
    .evaluateAll((els) => els.map((el) => el.getAttribute("data-id") ?? "").sort());

/**
 * Copy/paste with the keyboard inside one project and into another one, then the flow start/stop
 * control against a real supervisor running the pasted flow on the simulator.
 */
describe("Designer clipboard and flow control in the browser", () => {
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

  it("copies two connected nodes and pastes them with fresh ids and their connection", async () => {
    await createProjectInUi(page(), designer.url, "Clipboard source");
    await addByDrag(page(), "sensor_read", { x: 160, y: 140 }, "sensor_read_1");
    await addByDrag(page(), "threshold", { x: 460, y: 140 }, "threshold_1");
    await connectPorts(
      page(),
      { node: "sensor_read_1", port: "value" },
      { node: "threshold_1", port: "value" },
    );
    await expect.poll(() => edgeCount(page())).toBe(1);
    await selectNode(page(), "sensor_read_1");
    await fillField(page(), "point", "bacnet:1001/analogInput:1");

    await page().getByTestId("node-title-sensor_read_1").click();
    await page().keyboard.down("Shift");
    await page().getByTestId("node-title-threshold_1").click();
    await page().keyboard.up("Shift");
    await page().keyboard.press("Control+c");
    await page().keyboard.press("Control+v");
    await expect
      .poll(async () => (await nodeIds(page())).sort())
      .toEqual(["sensor_read_1", "sensor_read_2", "threshold_1", "threshold_2"]);
    // React Flow draws a pasted edge once both its nodes are measured: a frame after the nodes appear.
    await expect
      .poll(async () => (await edgeIds(page())).sort())
      .toEqual(["sensor_read_1.value->threshold_1.value", "sensor_read_2.value->threshold_2.value"]);
    // The copy keeps its configuration (the pasted pair is selected: clear that first).
    await page()
      .getByTestId("flow-canvas")
      .click({ position: { x: 5, y: 5 } });
    await selectNode(page(), "sensor_read_2");
    expect(await page().getByTestId("field-point").inputValue()).toBe(
      "bacnet:1001/analogInput:1.presentValue",
    );
    await page().getByTestId("save-button").click();
    await expect.poll(() => page().getByTestId("save-status").getAttribute("data-dirty")).toBe("false");
  });

  it("pastes the same nodes into another project", async () => {
    const targetId = await createProjectInUi(page(), designer.url, "Clipboard target");
    expect(await nodeIds(page())).toEqual([]);
    await page()
      .getByTestId("flow-canvas")
      .click({ position: { x: 300, y: 300 } });
    await page().keyboard.press("Control+v");
    await expect.poll(async () => (await nodeIds(page())).sort()).toEqual(["sensor_read_1", "threshold_1"]);
    expect(await edgeIds(page())).toEqual(["sensor_read_1.value->threshold_1.value"]);
    await page()
      .getByTestId("flow-canvas")
      .click({ position: { x: 5, y: 5 } });
    await selectNode(page(), "sensor_read_1");
    expect(await page().getByTestId("field-point").inputValue()).toBe(
      "bacnet:1001/analogInput:1.presentValue",
    );
    await page().getByTestId("save-button").click();
    await expect.poll(() => page().getByTestId("save-status").getAttribute("data-version")).toBe("2");
    const saved = await api<{
      version: {
        document: { flows: { configuration: { nodes: { id: string }[]; connections: unknown[] } }[] };
      };
    }>(designer.url, `/api/projects/${targetId}/versions/2`);
    const flow = saved.body.version.document.flows[0]!;
    expect(flow.configuration.nodes.map((n) => n.id).sort()).toEqual(["sensor_read_1", "threshold_1"]);
    expect(flow.configuration.connections).toHaveLength(1);
  });

  it("deploys the pasted flow, stops it and starts it again from the execution panel", async () => {
    await page().getByTestId("deploy-button").click();
    const outcome = page().getByTestId("deploy-outcome-default");
    await outcome.waitFor({ timeout: 30_000 });
    expect(await outcome.getAttribute("data-ok"), (await outcome.textContent()) ?? "").toBe("true");
    const flowStatus = async () =>
      (
        await api<{ status: string; execution_count: number }>(sup.url, "/api/execution/status", {
          token: sup.token,
        })
      ).body;
    await expect.poll(async () => (await flowStatus()).status, { timeout: 15_000 }).toBe("running");
    const scan = page().getByTestId("execution-scan");
    await expect.poll(() => scan.textContent(), { timeout: 15_000 }).toMatch(/^running · scan [1-9]/);

    // Stop asks first, as on the dashboard: cancelling leaves the flow running.
    const dialogs: string[] = [];
    page().once("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page().getByTestId("flow-stop").click();
    await expect.poll(() => dialogs).toEqual([expect.stringMatching(/^Stop the flow\? .*relinquished/)]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await flowStatus()).status).toBe("running");
    expect(await page().getByTestId("execution-panel").textContent()).not.toMatch(/Flow stopped/);

    page().once("dialog", (d) => void d.accept());
    await page().getByTestId("flow-stop").click();
    await expect.poll(() => page().getByTestId("execution-panel").textContent()).toMatch(/Flow stopped\./);
    await expect.poll(async () => (await flowStatus()).status, { timeout: 10_000 }).toBe("stopped");
    await expect.poll(() => scan.textContent(), { timeout: 10_000 }).toMatch(/^stopped/);
    // Stopped means no more scans.
    const stoppedAt = (await flowStatus()).execution_count;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await flowStatus()).execution_count).toBe(stoppedAt);

    await page().getByTestId("flow-start").click();
    await expect.poll(() => page().getByTestId("execution-panel").textContent()).toMatch(/Flow started\./);
    await expect.poll(async () => (await flowStatus()).status, { timeout: 10_000 }).toBe("running");
    await expect
      .poll(async () => (await flowStatus()).execution_count, { timeout: 10_000 })
      .toBeGreaterThan(stoppedAt);
    await expect.poll(() => scan.textContent(), { timeout: 10_000 }).toMatch(/^running/);
    await expect
      .poll(() => page().getByTestId("flow-node-threshold_1").getAttribute("data-status"), {
        timeout: 10_000,
      })
      .toBe("completed");
  });
});
