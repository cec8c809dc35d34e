import { api, type SupervisorHandle } from "@bms/test-support";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserSession } from "./support/browser";
import { dragFromPalette, fillField, selectNode } from "./support/canvas";
import type { DesignerHandle } from "./support/designer";
import { createProjectInUi } from "./support/projects";
import { documentScreenshot } from "./support/screenshots";
import { type DesignerStack, startDesignerStack } from "./support/stack";

// Own loopback address and ports (127.0.45.0/24 is this file's range): no other test file uses them.
const SIM_BIND = "127.0.45.1";
const SIM_PORT = 47886;
const SUP_PORT = 47887;

const tabNames = (page: Page) => page.getByTestId("flow-tab-name").allTextContents();
const activeTab = (page: Page) =>
  page.locator('[data-testid="flow-tab"][data-active="true"] [data-testid="flow-tab-name"]').textContent();
const tab = (page: Page, name: string) =>
  page.locator('[data-testid="flow-tab"]', { has: page.getByText(name, { exact: true }) });
/** Opens a tab by its name (the tab's middle may be its duplicate button). */
const openTab = (page: Page, name: string) => tab(page, name).getByTestId("flow-tab-name").click();

/**
 * Issue 12 in the browser: a project of many flows (tabs), search and validation across them, and a site
 * with library subflow instances deployed to a real supervisor and simulator (the demo building).
 */
describe("Designer: a site of many flows", () => {
  let sup: SupervisorHandle;
  let designer: DesignerHandle;
  let browser: BrowserSession;
  let stack: DesignerStack | undefined;

  beforeAll(async () => {
    stack = await startDesignerStack({
      simBind: SIM_BIND,
      simPort: SIM_PORT,
      supervisorPort: SUP_PORT,
      site: "demo",
    });
    ({ sup, designer, browser } = stack);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const page = () => browser.page;
  const undo = () => page().getByTestId("undo-button").click();

  it("adds, renames, reorders, duplicates and deletes flow tabs, and undoes each", async () => {
    await createProjectInUi(page(), designer.url, "Tabs");
    expect(await tabNames(page())).toEqual(["Tabs"]);
    await page().getByTestId("add-flow").click();
    expect(await tabNames(page())).toEqual(["Tabs", "New flow"]);
    expect(await activeTab(page())).toBe("New flow");

    await tab(page(), "New flow").dblclick();
    await page().getByTestId("flow-tab-name-input").fill("VAV loops");
    await page().getByTestId("flow-tab-name-input").press("Enter");
    expect(await tabNames(page())).toEqual(["Tabs", "VAV loops"]);

    // Each flow keeps its own trigger: 5 s for the VAV loops, the first flow stays at 1 s.
    await page().getByTestId("trigger-interval").fill("5000");
    await openTab(page(), "Tabs");
    expect(await page().getByTestId("trigger-interval").inputValue()).toBe("1000");
    await openTab(page(), "VAV loops");
    expect(await page().getByTestId("trigger-interval").inputValue()).toBe("5000");

    await tab(page(), "VAV loops").getByTestId("flow-tab-duplicate").click();
    expect(await tabNames(page())).toEqual(["Tabs", "VAV loops", "VAV loops (copy)"]);
    expect(await activeTab(page())).toBe("VAV loops (copy)");

    // Drag the copy in front of the first tab.
    await tab(page(), "VAV loops (copy)").dragTo(tab(page(), "Tabs"));
    expect(await tabNames(page())).toEqual(["VAV loops (copy)", "Tabs", "VAV loops"]);

    page().once("dialog", (dialog) => void dialog.accept());
    await tab(page(), "Tabs").hover();
    await tab(page(), "Tabs").getByTestId("flow-tab-delete").click();
    expect(await tabNames(page())).toEqual(["VAV loops (copy)", "VAV loops"]);
    await documentScreenshot(page(), "site-flow-tabs");

    await undo(); // delete
    expect(await tabNames(page())).toEqual(["VAV loops (copy)", "Tabs", "VAV loops"]);
    await undo(); // reorder
    expect(await tabNames(page())).toEqual(["Tabs", "VAV loops", "VAV loops (copy)"]);
    await undo(); // duplicate
    expect(await tabNames(page())).toEqual(["Tabs", "VAV loops"]);
    await undo(); // trigger
    await undo(); // rename
    expect(await tabNames(page())).toEqual(["Tabs", "New flow"]);
    await undo(); // add
    expect(await tabNames(page())).toEqual(["Tabs"]);
    await page().getByTestId("redo-button").click();
    expect(await tabNames(page())).toEqual(["Tabs", "New flow"]);

    // Saved and reopened, the tabs and their order are the project's.
    await page().getByTestId("save-button").click();
    await expect.poll(() => page().getByTestId("save-status").getAttribute("data-version")).toBe("2");
    await page().reload();
    await page().getByTestId("flow-canvas").waitFor();
    expect(await tabNames(page())).toEqual(["Tabs", "New flow"]);
  });

  it("finds a node in another flow by its point and opens that flow on it", async () => {
    // "New flow" is open: a sensor here; then one in the first flow.
    await openTab(page(), "New flow");
    await dragFromPalette(page(), "sensor_read", { x: 200, y: 160 });
    await selectNode(page(), "sensor_read_1");
    await fillField(page(), "point", "bacnet:3004/analogInput:1");
    await fillField(page(), "label", "VAV-4 zone temp");
    await openTab(page(), "Tabs");
    await dragFromPalette(page(), "threshold", { x: 200, y: 160 });

    await page().getByTestId("flow-search").fill("3004/analogInput");
    const hits = page().getByTestId("flow-search-hit");
    await expect.poll(() => hits.count()).toBe(1);
    expect(await hits.first().textContent()).toContain("VAV-4 zone temp in New flow");
    await hits.first().click();
    expect(await activeTab(page())).toBe("New flow");
    await page().locator('[data-testid="inspector"][data-node-id="sensor_read_1"]').waitFor();

    // By type: the threshold in the first flow.
    await page().getByTestId("flow-search").fill("threshold");
    await page().getByTestId("flow-search-hit").first().click();
    expect(await activeTab(page())).toBe("Tabs");
    await page().locator('[data-testid="inspector"][data-node-id="threshold_1"]').waitFor();
  });

  it("names both nodes and flows when two flows command one point at one priority", async () => {
    const writer = async (label: string, priority: string) => {
      await dragFromPalette(page(), "actuator_write", { x: 520, y: 320 });
      const id = (await page().locator('[data-testid="inspector"]').getAttribute("data-node-id")) ?? "";
      await fillField(page(), "point", "bacnet:3004/analogOutput:1");
      await fillField(page(), "priority", priority);
      await fillField(page(), "label", label);
      return id;
    };
    await openTab(page(), "Tabs");
    await writer("Damper (day)", "8");
    await openTab(page(), "New flow");
    const night = await writer("Damper (night)", "8");
    await page().getByTestId("tab-problems").click();
    const conflict = page().locator(
      '[data-testid="validation-problem"][data-kind="conflict"][data-severity="error"]',
    );
    await expect.poll(() => conflict.count()).toBe(1);
    const text = (await conflict.textContent()) ?? "";
    expect(text).toContain('node "Damper (night)" in flow "New flow"');
    expect(text).toContain('node "Damper (day)" in flow "Tabs"');
    expect(text).toContain("bacnet:3004/analogOutput:1");
    expect(text).toContain("priority 8");
    await documentScreenshot(page(), "site-write-conflict");

    // At another priority both writers stay, shown as information: the priority array arbitrates.
    await selectNode(page(), night);
    await fillField(page(), "priority", "12");
    await expect.poll(() => conflict.count()).toBe(0);
    const info = page().locator('[data-testid="validation-problem"][data-severity="info"]');
    await expect.poll(() => info.count()).toBe(1);
    expect(await info.textContent()).toMatch(
      /"Damper \(day\)" in flow "Tabs" at priority 8 and "Damper \(night\)" in flow "New flow" at priority 12/,
    );
  });

  it("deploys two flows with a library subflow instantiated three times, and both run", async () => {
    await createProjectInUi(page(), designer.url, "Floor 1");
    await tab(page(), "Floor 1").dblclick();
    await page().getByTestId("flow-tab-name-input").fill("VAV loops");
    await page().getByTestId("flow-tab-name-input").press("Enter");

    // Three instances of the starter VAV subflow, each bound to its own box.
    for (const [i, device] of [3001, 3002, 3003].entries()) {
      await page()
        .getByTestId("palette-library-vav-cooling-reheat")
        .dragTo(page().getByTestId("flow-canvas"), { targetPosition: { x: 160 + i * 260, y: 140 } });
      const id = `subflow_${i + 1}`;
      await page().locator(`[data-testid="inspector"][data-node-id="${id}"]`).waitFor();
      await page().getByTestId("library-point-input-zone_temp").fill(`bacnet:${device}/analogInput:1`);
      await page().getByTestId("library-point-input-occupancy").fill(`bacnet:${device}/binaryInput:1`);
      await page().getByTestId("library-point-input-damper").fill(`bacnet:${device}/analogOutput:1`);
      await page().getByTestId("library-point-input-reheat").fill(`bacnet:${device}/analogOutput:2`);
    }
    await page().getByTestId("library-param-input-occ_cool_sp").fill("23");
    expect(await page().getByTestId("library-instance-count").textContent()).toContain("3 instances");

    await page().getByTestId("add-flow").click();
    await tab(page(), "New flow").dblclick();
    await page().getByTestId("flow-tab-name-input").fill("Zone 4 watch");
    await page().getByTestId("flow-tab-name-input").press("Enter");
    await dragFromPalette(page(), "sensor_read", { x: 200, y: 160 });
    await selectNode(page(), "sensor_read_1");
    await fillField(page(), "point", "bacnet:3004/analogInput:1");
    await page().getByTestId("tab-problems").click();
    await expect.poll(() => page().getByTestId("validation-panel").getAttribute("data-count")).toBe("0");

    await page().getByTestId("deploy-button").click();
    const outcome = page().getByTestId("deploy-outcome-default");
    await outcome.waitFor({ timeout: 30_000 });
    expect(await outcome.getAttribute("data-ok"), (await outcome.textContent()) ?? "").toBe("true");

    // The editor names what runs: the project version deploy saved, as the supervisor recorded it.
    await expect
      .poll(() => page().getByTestId("version-story").textContent(), { timeout: 15_000 })
      .toMatch(/^project v2 → running as config v1 on /);
    // The supervisor runs one site of two flows; the instances arrived expanded from the library.
    const current = await api<{
      package: {
        project: { name: string };
        flows: {
          metadata: { flow_name: string };
          nodes: {
            config: { flow?: { nodes: unknown[] }; library?: { parameters: Record<string, unknown> } };
          }[];
        }[];
      };
    }>(sup.url, "/api/config/current", { token: sup.token });
    const site = current.body.package;
    expect(site.project.name).toBe("Floor 1");
    expect(site.flows.map((f) => f.metadata.flow_name)).toEqual(["VAV loops", "Zone 4 watch"]);
    const instances = site.flows[0]!.nodes;
    expect(instances).toHaveLength(3);
    for (const n of instances) expect(n.config.flow?.nodes.length).toBeGreaterThan(5);
    expect(instances[2]!.config.library?.parameters).toEqual({ occ_cool_sp: 23 });

    // Live in the open tab (Zone 4 watch) ...
    await expect
      .poll(() => page().getByTestId("node-value-sensor_read_1-value").textContent(), { timeout: 30_000 })
      // With units once the BACnet browser has read the device's objects; this test never opened it.
      .toMatch(/^\d+(\.\d+)?( °C)?$/);
    // ... and in the other one, whose three instances run too.
    await openTab(page(), "VAV loops");
    for (const id of ["subflow_1", "subflow_2", "subflow_3"]) {
      await expect
        .poll(() => page().getByTestId(`flow-node-${id}`).getAttribute("data-status"), { timeout: 30_000 })
        .toBe("completed");
    }
    await expect
      .poll(() => page().getByTestId("node-value-subflow_1-out1").textContent(), { timeout: 15_000 })
      .toMatch(/\d/);

    // The site overview lists both flows, running, with their scan counts climbing.
    await page().getByTestId("site-tab").click();
    const rows = page().getByTestId("site-flow-row");
    await expect.poll(() => rows.count()).toBe(2);
    await expect
      .poll(async () => (await page().getByTestId("site-flow-status").allTextContents()).join(","), {
        timeout: 15_000,
      })
      .toBe("running,running");
    expect(await page().getByTestId("site-flow-nodes").allTextContents()).toEqual(["3", "1"]);
    await expect
      .poll(
        async () => Math.min(...(await page().getByTestId("site-flow-scans").allTextContents()).map(Number)),
        {
          timeout: 15_000,
        },
      )
      .toBeGreaterThan(1);
    await documentScreenshot(page(), "site-overview");
  });

  it("shows what a redeploy does per flow, and refuses another project without an explicit replace", async () => {
    // The Deploy page of the project deployed above: nothing changed, both flows keep running.
    const projectId = page().url().split("/").pop()!;
    await page().goto(`${designer.url}/projects/${projectId}/deploy`);
    const flows = page().getByTestId("deploy-preview-flow");
    await expect.poll(() => flows.count(), { timeout: 15_000 }).toBe(2);
    expect(await flows.allTextContents()).toEqual([
      "VAV loops: unchanged — keeps running",
      "Zone 4 watch: unchanged — keeps running",
    ]);

    // Another project on the same supervisor: the preview says so, the deploy is refused and nothing changes.
    await createProjectInUi(page(), designer.url, "Other building");
    await dragFromPalette(page(), "sensor_read", { x: 200, y: 160 });
    await selectNode(page(), "sensor_read_1");
    await fillField(page(), "point", "bacnet:3004/analogInput:1");
    await page().getByTestId("save-button").click();
    await expect.poll(() => page().getByTestId("save-status").getAttribute("data-version")).toBe("2");
    const otherId = page().url().split("/").pop()!;
    await page().goto(`${designer.url}/projects/${otherId}/deploy`);
    await page().getByTestId("deploy-preview-other-project").waitFor({ timeout: 15_000 });
    expect(await page().getByTestId("deploy-preview-flow").allTextContents()).toEqual([
      "Other building: new — starts",
      "VAV loops: removed — relinquishes its points",
      "Zone 4 watch: removed — relinquishes its points",
    ]);
    await page().getByTestId("deploy-page-button").click();
    await page().getByTestId("replace-offer").waitFor({ timeout: 30_000 });
    expect(await page().getByTestId("deploy-outcome-default").getAttribute("data-ok")).toBe("false");
    expect(await page().getByTestId("replace-offer").textContent()).toContain("relinquishes every point");
    const still = await api<{ project: { name: string } }>(sup.url, "/api/flows", { token: sup.token });
    expect(still.body.project.name).toBe("Floor 1");

    // Replace, confirmed: now the other project runs.
    page().once("dialog", (dialog) => void dialog.accept());
    await page().getByTestId("replace-deploy-button").click();
    await expect
      .poll(() => page().getByTestId("deploy-outcome-default").getAttribute("data-ok"), { timeout: 30_000 })
      .toBe("true");
    const replaced = await api<{ project: { name: string } }>(sup.url, "/api/flows", { token: sup.token });
    expect(replaced.body.project.name).toBe("Other building");
  });

  it("deploys the quick start's demo building: five flows from the starter library, all running", async () => {
    const projects = await api<{ projects: { id: string; name: string }[] }>(designer.url, "/api/projects");
    const demo = projects.body.projects.find((p) => p.name === "Demo building");
    expect(demo).toBeDefined();
    // The supervisor runs "Other building" now: taking it over is the explicit replace.
    const deployed = await api<{ outcomes: { ok: boolean; error?: string; flows?: { action: string }[] }[] }>(
      designer.url,
      `/api/projects/${demo!.id}/deploy`,
      { body: { supervisor_ids: ["default"], mode: "replace" } },
    );
    expect(deployed.status).toBe(200);
    expect(deployed.body.outcomes[0], JSON.stringify(deployed.body)).toMatchObject({ ok: true });
    await expect
      .poll(
        async () => {
          const flows = await api<{
            flows: { name: string; status: string; scan_count: number; last_error: string | null }[];
          }>(sup.url, "/api/flows", { token: sup.token });
          return flows.body.flows.map(
            (f) => `${f.name}:${f.status}:${f.scan_count > 0}:${f.last_error ?? ""}`,
          );
        },
        { timeout: 30_000 },
      )
      .toEqual([
        "AHU-1:running:true:",
        "VAV boxes:running:true:",
        "CHW plant:running:true:",
        "HW plant:running:true:",
        "Lighting schedule:running:true:",
      ]);
  });
});
