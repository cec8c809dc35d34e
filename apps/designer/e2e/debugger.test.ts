import { randomUUID } from "node:crypto";
import {
  api,
  prioritySlot,
  SKELETON_SETPOINT as SETPOINT,
  type SupervisorHandle,
  SKELETON_ZONE as ZONE,
  zoneToSetpointFlow,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserSession } from "./support/browser";
import { fillField, selectNode } from "./support/canvas";
import type { DesignerHandle } from "./support/designer";
import { documentScreenshot } from "./support/screenshots";
import { type DesignerStack, startDesignerStack } from "./support/stack";

// Reserved for this file: 127.0.65.0/24 (the debug-ui range); simulator 47835, supervisor 47935
// (browser tests run without the BACnet capture, so the supervisor's own port may sit outside it).
const SIM_BIND = "127.0.65.2";
const SIM_PORT = 47835;
const SUP_PORT = 47935;

const FLOW = randomUUID();

/** zone temperature → round(a) → the setpoint AV at priority 12, every 500 ms, with two test cases. */
function projectFile() {
  const now = new Date().toISOString();
  const configuration = zoneToSetpointFlow({ flowId: FLOW, name: "Debugged", intervalMs: 500 });
  const tests = [
    {
      id: "rounds",
      name: "Rounds the zone temperature",
      flow_id: FLOW,
      duration_s: 600,
      inputs: [
        { at_s: 0, point: ZONE, value: 21.4 },
        { at_s: 300, point: ZONE, value: 23.6 },
      ],
      expect: [
        { output: { node: "calc", port: "result" }, mode: "always", to_s: 295, op: "eq", value: 21 },
        { output: { node: "calc", port: "result" }, mode: "at_end", op: "eq", value: 24 },
      ],
    },
    {
      id: "too-high",
      name: "Expects a setpoint the flow never writes",
      flow_id: FLOW,
      duration_s: 120,
      inputs: [{ at_s: 0, point: ZONE, value: 21.4 }],
      expect: [{ point: SETPOINT, mode: "at_end", op: "eq", value: 30, priority: 12 }],
    },
  ];
  return {
    format: "bms-designer-project",
    format_version: 2,
    exported_at: now,
    project: { name: "Debugger", flow_id: FLOW },
    versions: [
      {
        version: 1,
        summary: "debugger test",
        created_by: "e2e",
        created_at: now,
        document: { flows: [{ configuration, flow_data: { comments: [], groups: [] } }], library: [], tests },
      },
    ],
    templates: [],
  };
}

describe("Designer debugger, test cases and replay on a running flow against the simulator", () => {
  let sup: SupervisorHandle;
  let designer: DesignerHandle;
  let browser: BrowserSession;
  let stack: DesignerStack | undefined;

  beforeAll(async () => {
    stack = await startDesignerStack({ simBind: SIM_BIND, simPort: SIM_PORT, supervisorPort: SUP_PORT });
    ({ sup, designer, browser } = stack);
    await api(sup.url, "/api/devices/discover?wait=true", { body: { timeout_ms: 2000 }, token: sup.token });
    const imported = await api<{ project: { id: string } }>(designer.url, "/api/projects/import", {
      body: projectFile(),
    });
    if (imported.status !== 201) throw new Error(`import failed: ${JSON.stringify(imported.body)}`);
    await browser.page.goto(`${designer.url}/projects/${imported.body.project.id}`);
    await browser.page.getByTestId("flow-canvas").waitFor();
    await browser.page.getByTestId("deploy-button").click();
    const outcome = browser.page.getByTestId("deploy-outcome-default");
    await outcome.waitFor({ timeout: 30_000 });
    if ((await outcome.getAttribute("data-ok")) !== "true")
      throw new Error(`deploy failed: ${await outcome.textContent()}`);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const page = () => browser.page;
  const slot12 = () => prioritySlot(sup, SETPOINT, 12);
  const text = (testId: string) => page().getByTestId(testId).textContent();
  /** Removes the pins one by one: the list re-renders after each removal. */
  const removeAllPins = async () => {
    const buttons = page().locator('[data-testid^="debug-unpin-"]');
    for (let n = await buttons.count(); n > 0; n = await buttons.count()) {
      await buttons.first().click();
      await expect.poll(() => buttons.count(), { timeout: 5_000 }).toBeLessThan(n);
    }
  };
  /** Picks a pin target by its key's start (the Designer may show the point in its canonical form). */
  const pinTarget = async (prefix: string) => {
    const select = page().getByTestId("debug-pin-target");
    const keys = await select
      .locator("option")
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    const key = keys.find((k) => k.startsWith(prefix));
    if (!key) throw new Error(`no pin target ${prefix} among ${keys.join(", ")}`);
    await select.selectOption(key);
  };

  it("runs the project's test cases in the Designer, with verdicts and diffs in the panel and on the canvas", async () => {
    await page().getByTestId("tab-tests").click();
    await page().getByTestId("test-case-rounds").waitFor();
    await page().getByTestId("tests-run-all").click();
    await expect.poll(() => text("tests-summary"), { timeout: 20_000 }).toBe("1 passed, 1 failed");
    expect(await page().getByTestId("test-result-rounds").getAttribute("data-passed")).toBe("true");
    expect(await page().getByTestId("test-result-too-high").getAttribute("data-passed")).toBe("false");
    const diff = await text("test-expectation-too-high-0");
    expect(diff).toContain(`expected: ${SETPOINT}.presentValue = 30 at 120 s, written at priority 12`);
    expect(diff).toContain("actual:   21 at 120 s");
    // On the canvas: the math node's expectations passed, the setpoint writer's failed.
    expect(await page().getByTestId("node-test-calc").getAttribute("data-result")).toBe("passed");
    expect(await page().getByTestId("node-test-sp").getAttribute("data-result")).toBe("failed");
    await documentScreenshot(page(), "test-cases");

    // Edit a case: a bad value is refused with its path, a good one is saved and runs.
    await page().getByTestId("test-edit-too-high").click();
    await page().getByTestId("test-case-json-toggle").click();
    const editor = page().getByTestId("test-case-editor");
    const original = await editor.inputValue();
    await editor.fill(original.replace('"duration_s": 120', '"duration_s": -5'));
    await page().getByTestId("test-case-save").click();
    expect(await text("test-case-errors")).toContain("duration_s:");
    await editor.fill(original.replace('"value": 30', '"value": 21'));
    await page().getByTestId("test-case-save").click();
    await page().getByTestId("test-run-too-high").click();
    await expect
      .poll(() => page().getByTestId("test-result-too-high").getAttribute("data-passed"), { timeout: 10_000 })
      .toBe("true");
  });

  it("pauses at a breakpoint with every node's values, steps a node and a scan, and continues", async () => {
    await page().getByTestId("tab-debugger").click();
    await page().getByTestId("debugger-panel").waitFor();
    // Let the flow write once before pausing, so a command is in force at the pause.
    await expect.poll(slot12, { timeout: 15_000 }).not.toBeNull();
    await selectNode(page(), "calc");
    await page().getByTestId("debug-breakpoint-toggle").click();
    await page().getByTestId("node-breakpoint-calc").waitFor();
    await page().getByTestId("debug-paused").waitFor({ timeout: 10_000 });
    await page().getByTestId("node-paused-calc").waitFor();
    expect(await page().getByTestId("debug-node-calc").getAttribute("data-phase")).toBe("paused");
    expect(await page().getByTestId("debug-node-zone").getAttribute("data-phase")).toBe("evaluated");
    expect(await text("debug-outputs-zone")).toMatch(/^value=\d+(\.\d+)?/);
    expect(await text("debug-inputs-calc")).toMatch(/^a=\d+(\.\d+)?/);
    const note = await text("debug-writes-note");
    expect(note).toContain("already sent and stay in force");
    expect(note).toContain(`${SETPOINT}.presentValue = `);
    expect(note).toContain("@ 12");
    const seconds = Number(await page().getByTestId("debug-countdown").getAttribute("data-seconds"));
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(60);
    await documentScreenshot(page(), "debugger-paused");

    const scanOf = async () => Number(/scan (\d+)/.exec((await text("debug-paused")) ?? "")?.[1]);
    const scan = await scanOf();
    await page().getByTestId("debug-step-node").click();
    await page().getByTestId("node-paused-sp").waitFor({ timeout: 5_000 });
    expect(await scanOf()).toBe(scan);
    await page().getByTestId("debug-step-scan").click();
    await page().getByTestId("node-paused-zone").waitFor({ timeout: 5_000 });
    expect(await scanOf()).toBe(scan + 1);
    await page().getByTestId("debug-continue").click();
    // The breakpoint is still set: the next scan pauses before calc again.
    await page().getByTestId("node-paused-calc").waitFor({ timeout: 5_000 });
    await page().getByTestId("debug-clear-breakpoints").click();
    await page().getByTestId("debug-paused").waitFor({ state: "detached", timeout: 5_000 });
    expect(await page().getByTestId("node-breakpoint-calc").count()).toBe(0);
  });

  it("pins a point read and a node input, shows them on the canvas, and the flow uses them until removed", async () => {
    await pinTarget(`point:${ZONE}`);
    await page().getByTestId("debug-pin-value").fill("33.3");
    await page().getByTestId("debug-pin-minutes").selectOption("5");
    await page().getByTestId("debug-pin-add").click();
    await expect.poll(() => text("node-pin-zone"), { timeout: 5_000 }).toMatch(/^ ?point = 33\.3 · until /);
    await expect.poll(slot12, { timeout: 10_000 }).toBe(33);

    await pinTarget("input:sp:value");
    await page().getByTestId("debug-pin-value").fill("18");
    await page().getByTestId("debug-pin-add").click();
    await expect.poll(() => text("node-pin-sp"), { timeout: 5_000 }).toMatch(/^ ?value = 18 · until /);
    await expect.poll(slot12, { timeout: 10_000 }).toBe(18);
    // The pin names the person signed in to the Designer, and the supervisor token it came through.
    expect(await page().locator('[data-testid^="debug-pin-pin-"]').first().textContent()).toContain(
      "by admin (via bootstrap admin)",
    );
    await documentScreenshot(page(), "debugger-pins");

    await removeAllPins();
    await expect.poll(() => page().locator('[data-testid^="node-pin-"]').count(), { timeout: 5_000 }).toBe(0);
    await expect.poll(slot12, { timeout: 10_000 }).not.toBe(18);
  });

  it("dry-runs: shows the writes the flow would make, with their priorities, and sends none", async () => {
    await pinTarget(`point:${ZONE}`);
    await page().getByTestId("debug-pin-value").fill("44");
    // The box follows the supervisor's answer (it ticks once dry run is on there), so click, not check().
    await page().getByTestId("debug-dry-run-toggle").click();
    await page().getByTestId("debug-pin-add").click();
    await page().getByTestId("debug-dry-run").waitFor();
    await expect.poll(() => text("debug-would-value-sp"), { timeout: 10_000 }).toBe("44");
    expect(await text("debug-would-sp")).toContain("priority 12");
    // The device never saw 44: dry run recorded the write instead of sending it.
    expect(await slot12()).not.toBe(44);
    await page().getByTestId("debug-dry-run-toggle").click();
    await removeAllPins();
    await page().getByTestId("debug-dry-run").waitFor({ state: "detached" });
  });

  it("replays a changed version over the traces and tells how its commands would differ, with a chart", async () => {
    const before = await slot12();
    await selectNode(page(), "calc");
    await fillField(page(), "expression", "round(a) + 2");
    await page().getByTestId("tab-replay").click();
    await page().getByTestId("replay-source").selectOption("traces");
    await page().getByTestId("replay-run").click();
    await page().getByTestId("replay-result").waitFor({ timeout: 40_000 });
    expect(await page().getByTestId("replay-result").getAttribute("data-changed")).toBe("1");
    expect(await text("replay-summary-0")).toMatch(
      new RegExp(
        `^this change would have commanded ${SETPOINT}\\.presentValue 2( \\S+)? higher between \\d\\d:\\d\\d(:\\d\\d)? and \\d\\d:\\d\\d(:\\d\\d)?( \\(and \\d+ more periods? of change\\))? \\(priority 12\\)$`,
      ),
    );
    expect(await text("replay-facts")).toMatch(/^\d+ scans from /);
    const chart = page().getByTestId("replay-chart-0");
    expect(await chart.locator('path[data-series="candidate"]').getAttribute("d")).toMatch(/^M/);
    expect(await chart.locator('path[data-series="running"]').getAttribute("d")).toMatch(/^M/);
    await documentScreenshot(page(), "replay");
    // Nothing was deployed or written: the device still holds the running version's command.
    expect(Math.abs(((await slot12()) as number) - (before as number))).toBeLessThanOrEqual(1);
  });
});
