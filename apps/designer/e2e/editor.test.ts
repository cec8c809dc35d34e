import { readFileSync } from "node:fs";
import { api, type SupervisorHandle } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserSession } from "./support/browser";
import { connectPorts, dragFromPalette, edgeCount, fillField, nodeIds, selectNode } from "./support/canvas";
import type { DesignerHandle } from "./support/designer";
import { canvasSnapshot, createProjectInUi } from "./support/projects";
import { documentScreenshot } from "./support/screenshots";
import { type DesignerStack, startDesignerStack } from "./support/stack";

// Own loopback address and ports: no other test file uses them.
const SIM_BIND = "127.0.0.41";
const SIM_PORT = 47822;
const SUP_PORT = 47823;

/**
 * Issue 6's browser tests, in the order a user meets them, on one project against a real supervisor
 * and simulator. Each step leaves the state the next one starts from.
 */
describe("Designer editor in the browser", () => {
  let sup: SupervisorHandle;
  let designer: DesignerHandle;
  let browser: BrowserSession;
  let stack: DesignerStack | undefined;
  let projectId = "";

  beforeAll(async () => {
    stack = await startDesignerStack({ simBind: SIM_BIND, simPort: SIM_PORT, supervisorPort: SUP_PORT });
    ({ sup, designer, browser } = stack);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const page = () => browser.page;
  const problemCount = async () =>
    Number(await page().getByTestId("validation-panel").getAttribute("data-count"));

  it("creates a project", async () => {
    projectId = await createProjectInUi(page(), designer.url, "Editor tests");
    expect(await page().getByTestId("project-name").textContent()).toBe("Editor tests");
    expect(await nodeIds(page())).toEqual([]);
  });

  it("drags three nodes from the palette and connects them", async () => {
    await dragFromPalette(page(), "sensor_read", { x: 140, y: 120 });
    await dragFromPalette(page(), "threshold", { x: 440, y: 120 });
    await dragFromPalette(page(), "actuator_write", { x: 740, y: 120 });
    await connectPorts(
      page(),
      { node: "sensor_read_1", port: "value" },
      { node: "threshold_1", port: "value" },
    );
    await connectPorts(
      page(),
      { node: "threshold_1", port: "result" },
      { node: "actuator_write_1", port: "value" },
    );
    await expect.poll(() => edgeCount(page())).toBe(2);
  });

  it("refuses a type mismatch with a visible error", async () => {
    await dragFromPalette(page(), "threshold", { x: 440, y: 330 });
    // boolean result → number input
    await connectPorts(
      page(),
      { node: "threshold_1", port: "result" },
      { node: "threshold_2", port: "value" },
    );
    const banner = page().getByTestId("connection-error");
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(
      /Type mismatch: Threshold \(threshold_1\): Result is boolean, Threshold \(threshold_2\): Value needs number/,
    );
    expect(await edgeCount(page())).toBe(2);
    await banner.getByRole("button", { name: "Dismiss" }).click();
  });

  it("shows an invalid value inline and keeps it out of the flow, then takes a valid one", async () => {
    await selectNode(page(), "threshold_1");
    await fillField(page(), "value", "warm");
    expect(await page().getByTestId("field-error-value").textContent()).toMatch(/not a number/);
    await fillField(page(), "value", "24");
    expect(await page().getByTestId("field-error-value").count()).toBe(0);

    await selectNode(page(), "actuator_write_1");
    await fillField(page(), "priority", "17");
    expect(await page().getByTestId("field-error-priority").textContent()).toMatch(/16/);
    await fillField(page(), "point", "bacnet:5000000/binaryOutput:1");
    expect(await page().getByTestId("field-error-point").textContent()).toMatch(/out of range/);
    await fillField(page(), "point", "bacnet:1001/binaryOutput:1");
    await fillField(page(), "priority", "8");

    await selectNode(page(), "sensor_read_1");
    await fillField(page(), "point", "bacnet:1001/analogInput:1");
    await page().getByTestId("save-button").click();
    await expect.poll(() => page().getByTestId("save-status").getAttribute("data-version")).toBe("2");
    const saved = await api<{
      version: {
        document: {
          flows: { configuration: { nodes: { id: string; config: Record<string, unknown> }[] } }[];
        };
      };
    }>(designer.url, `/api/projects/${projectId}/versions/2`);
    const byId = Object.fromEntries(
      saved.body.version.document.flows[0]!.configuration.nodes.map((n) => [n.id, n.config]),
    );
    expect(byId.threshold_1?.value).toBe(24);
    expect(byId.actuator_write_1?.priority).toBe(8);
    expect(byId.actuator_write_1?.point).toBe("bacnet:1001/binaryOutput:1.presentValue");
  });

  it("saves and reloads to an identical flow", async () => {
    const before = await canvasSnapshot(page());
    await page().reload();
    await page().getByTestId("flow-node-threshold_2").waitFor();
    expect(await canvasSnapshot(page())).toEqual(before);
    expect(await page().getByTestId("save-status").getAttribute("data-dirty")).toBe("false");
  });

  it("undoes and redoes a delete with the keyboard", async () => {
    await selectNode(page(), "threshold_2");
    await page()
      .getByTestId("flow-canvas")
      .click({ position: { x: 5, y: 5 } });
    await page().getByTestId("node-title-threshold_2").click();
    await page().keyboard.press("Delete");
    await expect.poll(() => nodeIds(page())).not.toContain("threshold_2");
    await page().keyboard.press("Control+z");
    await expect.poll(() => nodeIds(page())).toContain("threshold_2");
    await page().keyboard.press("Control+Shift+z");
    await expect.poll(() => nodeIds(page())).not.toContain("threshold_2");
    await page().getByTestId("undo-button").click();
    await expect.poll(() => nodeIds(page())).toContain("threshold_2");
  });

  it("keeps a comment on the canvas across save and reload", async () => {
    await page().getByTestId("add-comment").click();
    await page().getByTestId("comment-text-comment_1").fill("Cooling sequence: zone above 24 °C");
    await page().getByTestId("save-button").click();
    await expect.poll(() => page().getByTestId("save-status").getAttribute("data-dirty")).toBe("false");
    await page().reload();
    expect(await page().getByTestId("comment-text-comment_1").inputValue()).toBe(
      "Cooling sequence: zone above 24 °C",
    );
    // Comments never reach the controller.
    const saved = await api<{ versions: { version: number }[] }>(
      designer.url,
      `/api/projects/${projectId}/versions`,
    );
    const latest = saved.body.versions[0]!.version;
    const version = await api<{
      version: { document: { flows: { configuration: { nodes: { id: string }[] } }[] } };
    }>(designer.url, `/api/projects/${projectId}/versions/${latest}`);
    expect(version.body.version.document.flows[0]!.configuration.nodes.map((n) => n.id)).not.toContain(
      "comment_1",
    );
    await documentScreenshot(page(), "editor");
  });

  it("blocks deploy while errors remain, and a problem click focuses its node", async () => {
    expect(await problemCount()).toBeGreaterThan(0);
    await page().getByTestId("deploy-button").click();
    expect(await page().getByTestId("editor-notice").textContent()).toMatch(/Deploy blocked/);
    const problem = page().locator('[data-testid="validation-problem"][data-node-id="threshold_2"]').first();
    await problem.click();
    await page().locator('[data-testid="inspector"][data-node-id="threshold_2"]').waitFor();
    await page().keyboard.press("Delete");
    await expect.poll(problemCount).toBe(0);
  });

  it("browses BACnet through the supervisor and drags a point onto the canvas", async () => {
    await page().getByTestId("side-tab-bacnet").click();
    await page().getByTestId("bacnet-discover").click();
    await page().getByTestId("bacnet-device-1001").waitFor({ timeout: 15_000 });
    await page().getByTestId("bacnet-device-toggle-1001").click();
    const setpoint = page().getByTestId("bacnet-object-1001-analogInput-1");
    await setpoint.waitFor({ timeout: 15_000 });
    expect(await setpoint.textContent()).toMatch(/Zone Temp/);
    await expect
      .poll(async () => (await setpoint.getByTestId("bacnet-object-value").textContent())?.trim(), {
        timeout: 10_000,
      })
      .toMatch(/^\d+(\.\d+)?/);
    await documentScreenshot(page(), "bacnet-browser");

    await setpoint.dragTo(page().getByTestId("flow-canvas"), { targetPosition: { x: 140, y: 360 } });
    await page().getByTestId("flow-node-sensor_read_2").waitFor();
    await page()
      .getByTestId("bacnet-object-1001-binaryOutput-1")
      .dragTo(page().getByTestId("flow-canvas"), {
        targetPosition: { x: 740, y: 360 },
      });
    await page().getByTestId("flow-node-actuator_write_2").waitFor();
    expect(await page().getByTestId("node-title-sensor_read_2").textContent()).toBe("Zone Temp");
    // Live values on point nodes while editing (2 s polling).
    await expect
      .poll(() => page().getByTestId("node-live-sensor_read_2").textContent(), { timeout: 10_000 })
      .toMatch(/live: \d/);
    // Selecting a node brings the side panel back from BACnet to its properties.
    await selectNode(page(), "actuator_write_2");
    expect(await page().getByTestId("side-tab-properties").getAttribute("aria-selected")).toBe("true");
    expect(await page().getByTestId("field-point").inputValue()).toBe(
      "bacnet:1001/binaryOutput:1.presentValue",
    );
    // Its required input is open: wire it, so the flow deploys.
    await connectPorts(
      page(),
      { node: "threshold_1", port: "result" },
      { node: "actuator_write_2", port: "value" },
    );
    await page().keyboard.press("Escape");
    await expect.poll(problemCount).toBe(0);
  });

  it("deploys and shows node states and live values from the supervisor", async () => {
    await page().getByTestId("deploy-button").click();
    const outcome = page().getByTestId("deploy-outcome-default");
    await outcome.waitFor({ timeout: 30_000 });
    expect(await outcome.getAttribute("data-ok"), (await outcome.textContent()) ?? "").toBe("true");
    await expect
      .poll(() => page().getByTestId("flow-node-threshold_1").getAttribute("data-status"), {
        timeout: 30_000,
      })
      .toBe("completed");
    // A point's value reads with its units (the browser above cached the device's objects).
    await expect
      .poll(() => page().getByTestId("node-value-sensor_read_1-value").textContent(), { timeout: 10_000 })
      .toMatch(/^\d+(\.\d+)? °C$/);
    expect(await page().getByTestId("node-value-threshold_1-result").textContent()).toMatch(/^(true|false)$/);
    // The last value on each edge (with its quality) and on the input ports it feeds.
    const edgeLabel = page().getByTestId("edge-value-sensor_read_1.value->threshold_1.value");
    await expect.poll(() => edgeLabel.textContent(), { timeout: 10_000 }).toMatch(/^\d+(\.\d+)? °C$/);
    expect(await edgeLabel.getAttribute("data-quality")).toBe("good");
    // The wire into the actuator reads as the point it commands: the binary output's state texts, once
    // the point's labels have arrived with its first polled value (a bare true/false before that).
    await expect
      .poll(() => page().getByTestId("edge-value-threshold_1.result->actuator_write_1.value").textContent(), {
        timeout: 10_000,
      })
      .toMatch(/^(On|Off)$/);
    await expect
      .poll(() => page().getByTestId("node-input-value-threshold_1-value").textContent(), { timeout: 10_000 })
      .toMatch(/^\d+(\.\d+)?$/);
  });

  it("compares two versions on the canvas and restores one as a new version", async () => {
    // Saved so far: v1 (empty), v2 (three nodes + threshold_2), v3 (+ comment), v4 (deployed). Compare v3 → v4.
    await page().getByTestId("side-tab-versions").click();
    await page().getByTestId("version-4").waitFor();
    await page().getByTestId("compare-from").selectOption("3");
    await page().getByTestId("compare-to").selectOption("4");
    await page().getByTestId("compare-button").click();
    await page().getByTestId("comparison-banner").waitFor();
    const diffOf = (id: string) => page().getByTestId(`flow-node-${id}`).getAttribute("data-diff");
    expect(await diffOf("sensor_read_2")).toBe("added");
    expect(await diffOf("actuator_write_2")).toBe("added");
    expect(await diffOf("threshold_2")).toBe("removed");
    expect(await diffOf("threshold_1")).toBe("");
    expect(await page().getByTestId("comparison-summary").textContent()).toMatch(
      /2 nodes added, 1 node removed/,
    );
    await documentScreenshot(page(), "version-diff");
    await page().getByTestId("exit-comparison").click();

    await page().getByTestId("restore-version-3").click();
    await expect.poll(() => page().getByTestId("save-status").getAttribute("data-version")).toBe("5");
    await expect.poll(() => nodeIds(page())).toContain("threshold_2");
    expect(await nodeIds(page())).not.toContain("sensor_read_2");
    expect(await page().getByTestId("version-5").textContent()).toMatch(/restored v3/);
    // History is kept: v4 is still there.
    expect(await page().getByTestId("version-4").count()).toBe(1);
  });

  it("round-trips a project through export and import", async () => {
    const [download] = await Promise.all([
      page().waitForEvent("download"),
      page().getByTestId("export-button").click(),
    ]);
    const file = await download.path();
    const exported = JSON.parse(readFileSync(file, "utf8")) as {
      versions: unknown[];
      project: { name: string };
    };
    expect(exported.versions).toHaveLength(5);

    await page().goto(designer.url);
    await page().getByTestId("import-file").setInputFiles(file);
    await page().getByTestId("import-success").waitFor();
    const list = await api<{ projects: { id: string; name: string }[] }>(designer.url, "/api/projects");
    // Next to its original, the copy is named apart (two identical rows could not be told apart), and
    // the success banner says the name it got.
    const copy = list.body.projects.find((p) => p.name === "Editor tests (imported)");
    expect(copy).toBeDefined();
    expect(await page().getByTestId("import-success").textContent()).toContain("Editor tests (imported)");
    const again = await api<typeof exported>(designer.url, `/api/projects/${copy!.id}/export`);
    // The copy gets its own flow id (two projects must not share one on a supervisor) and its own name;
    // all else is equal.
    const strip = (f: typeof exported) =>
      JSON.parse(JSON.stringify({ ...f, project: { ...f.project, name: "" } }), (key, value) =>
        key === "flow_id" || key === "exported_at" ? undefined : value,
      );
    expect(strip(again.body)).toEqual(strip(exported));
  });

  it("refuses a corrupt or foreign import file and changes nothing", async () => {
    const before = await api<{ projects: unknown[] }>(designer.url, "/api/projects");
    await page()
      .getByTestId("import-file")
      .setInputFiles({
        name: "broken.json",
        mimeType: "application/json",
        buffer: Buffer.from('{"format":"bms-designer-project","versions":[{"vers'),
      });
    await page().getByTestId("import-error").waitFor();
    expect(await page().getByTestId("import-error").textContent()).toMatch(/not valid JSON/);

    await page()
      .getByTestId("import-file")
      .setInputFiles({
        name: "node-red.json",
        mimeType: "application/json",
        buffer: Buffer.from(JSON.stringify([{ id: "n1", type: "inject", wires: [] }])),
      });
    await expect
      .poll(() => page().getByTestId("import-error").textContent())
      .toMatch(/not a valid BMS Designer project/);
    const after = await api<{ projects: unknown[] }>(designer.url, "/api/projects");
    expect(after.body.projects).toHaveLength(before.body.projects.length);
  });

  it("registers a second supervisor, tests it, deploys to both and rolls one back", async () => {
    await page().goto(`${designer.url}/settings`);
    await page().getByTestId("supervisor-name").fill("Plant room");
    await page().getByTestId("supervisor-url").fill(sup.url);
    await page().getByTestId("supervisor-token").fill(sup.token);
    await page().getByTestId("supervisor-save").click();
    const row = page().locator('[data-testid^="supervisor-row-"]').filter({ hasText: "Plant room" });
    await row.waitFor();
    const id = ((await row.getAttribute("data-testid")) ?? "").replace("supervisor-row-", "");
    await page().getByTestId(`supervisor-test-${id}`).click();
    await expect
      .poll(() => page().getByTestId(`supervisor-test-result-${id}`).textContent())
      .toMatch(/^OK · \d+ ms/);

    await page().goto(`${designer.url}/projects/${projectId}/deploy`);
    await page().getByTestId(`deploy-target-${id}`).check();
    // The latest version (v5, restored from v3) has an open required input: validation refuses it first.
    await page().getByTestId("deploy-page-button").click();
    await page().getByTestId("deploy-page-error").waitFor();
    expect(await page().getByTestId("deploy-page-error").textContent()).toMatch(
      /Threshold \(threshold_2\): Value is not connected/,
    );
    await page().getByTestId("deploy-version").selectOption("4");
    await page().getByTestId("deploy-page-button").click();
    await page().getByTestId(`deploy-outcome-${id}`).waitFor({ timeout: 30_000 });
    expect(await page().getByTestId("deploy-outcome-default").getAttribute("data-ok")).toBe("true");
    expect(await page().getByTestId(`deploy-outcome-${id}`).getAttribute("data-ok")).toBe("true");
    page().once("dialog", (d) => void d.accept());
    await page().getByTestId("rollback-default-1").first().click();
    await expect
      .poll(() => page().getByTestId("rollback-message").first().textContent())
      .toMatch(/Rolled back/);
  });
});
