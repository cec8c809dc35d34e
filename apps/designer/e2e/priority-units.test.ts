import { buildDeploymentPackage } from "@bms/schemas";
import { api, DEMO_REHEAT_VALVE, reheatOverrideFlow, type SupervisorHandle } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserSession } from "./support/browser";
import type { DesignerHandle } from "./support/designer";
import { createProjectInUi } from "./support/projects";
import { documentScreenshot } from "./support/screenshots";
import { type DesignerStack, startDesignerStack } from "./support/stack";

// Own loopback range and ports: no other test file uses them (browser tests run without the capture).
const SIM_BIND = "127.0.14.2";
const SIM_PORT = 47861;
const SUP_PORT = 47862;

/**
 * Issue 11: the BACnet browser shows a point's 16 priority slots (this supervisor's flow by flow and
 * node, another writer as such, the winner), values with unit symbols and multi-state values by their
 * state text; point nodes on the canvas read the same way.
 */
describe("Designer BACnet browser: priority array, units and state texts on the demo building", () => {
  let sup: SupervisorHandle;
  let designer: DesignerHandle;
  let browser: BrowserSession;
  let stack: DesignerStack | undefined;

  /** A manual command at priority 5 through the supervisor's API: not a flow, so "another writer". */
  const manualWrite = (value: number | null) =>
    api(sup.url, "/api/points/write", {
      body: { writes: [{ point: DEMO_REHEAT_VALVE, value, priority: 5 }] },
      token: sup.token,
    });

  beforeAll(async () => {
    stack = await startDesignerStack({
      simBind: SIM_BIND,
      simPort: SIM_PORT,
      supervisorPort: SUP_PORT,
      site: "demo",
    });
    ({ sup, designer, browser } = stack);
    const pkg = buildDeploymentPackage({
      project_id: "demo-reheat",
      project_name: "Demo reheat",
      configuration: reheatOverrideFlow(),
      bacnet_objects: [],
      created_at: new Date().toISOString(),
    });
    const deployed = await api(sup.url, "/api/config/deploy", { body: pkg, token: sup.token });
    if (deployed.status !== 200) throw new Error(`deploy failed: ${JSON.stringify(deployed.body)}`);
    const written = await manualWrite(80);
    if (written.status !== 200) throw new Error(`manual write failed: ${JSON.stringify(written.body)}`);
  });

  afterAll(async () => {
    if (sup) await manualWrite(null).catch(() => undefined);
    await stack?.stop();
  });

  const page = () => browser.page;
  const object = (device: number, type: string, instance: number) =>
    page().getByTestId(`bacnet-object-${device}-${type}-${instance}`);

  it("shows values with unit symbols and a multi-state value by its state text", async () => {
    await createProjectInUi(page(), designer.url, "Priority and units");
    await page().getByTestId("side-tab-bacnet").click();
    await page().getByTestId("bacnet-discover").click();
    await page().getByTestId("bacnet-device-3001").waitFor({ timeout: 15_000 });
    await page().getByTestId("bacnet-device-toggle-3001").click();
    const zone = object(3001, "analogInput", 1);
    await zone.waitFor({ timeout: 15_000 });
    const shownValue = (row: ReturnType<typeof object>) =>
      row.getByTestId("bacnet-object-value").first().textContent();
    await expect.poll(() => shownValue(zone), { timeout: 10_000 }).toMatch(/^\d+(\.\d+)? °C$/);
    await expect.poll(() => shownValue(object(3001, "analogOutput", 2))).toMatch(/^\d+(\.\d+)? %$/);
    await expect.poll(() => shownValue(object(3001, "analogInput", 2))).toMatch(/^\d+(\.\d+)? L\/s$/);

    await page().getByTestId("bacnet-device-toggle-2002").click();
    const mode = object(2002, "multiStateValue", 1);
    await mode.waitFor({ timeout: 15_000 });
    await expect.poll(() => shownValue(mode), { timeout: 10_000 }).toBe("Auto");
  });

  it("shows a commandable point's 16 slots, the flow holding priority 8 and another writer winning at 5", async () => {
    await page().getByTestId("bacnet-device-toggle-3001").click();
    const valve = object(3001, "analogOutput", 2);
    await valve.waitFor({ timeout: 15_000 });
    await valve.getByTestId("bacnet-object-priority").click();
    const panel = valve.getByTestId("priority-panel");
    await panel.waitFor({ timeout: 10_000 });
    const slots = panel.getByTestId("priority-slot");
    expect(await slots.count()).toBe(16);
    const slot = (priority: number) =>
      panel.locator(`[data-testid="priority-slot"][data-priority="${priority}"]`);

    await expect.poll(() => slot(5).getAttribute("data-source"), { timeout: 10_000 }).toBe("other");
    expect(await slot(5).getByTestId("slot-writer").textContent()).toBe("Other writer");
    expect(await slot(5).getByTestId("slot-value").textContent()).toBe("80 %");
    expect(await slot(5).getAttribute("data-winner")).toBe("true");
    expect(await slot(8).getAttribute("data-source")).toBe("flow");
    expect(await slot(8).getByTestId("slot-writer").textContent()).toBe("Reheat test · Reheat valve");
    expect(await slot(8).getByTestId("slot-value").textContent()).toBe("35 %");
    expect(await slot(8).getAttribute("data-winner")).toBe("false");
    expect(await panel.locator('[data-source="empty"]').count()).toBe(14);
    expect(await panel.getByTestId("priority-winner").textContent()).toBe("Priority 5 in control");
    expect(await panel.getByTestId("priority-present").textContent()).toBe("80 %");
    expect(await panel.getByTestId("priority-default").textContent()).toContain("0 %");
    await documentScreenshot(page(), "bacnet-browser-priority");

    // The manual command is withdrawn: the flow's slot takes control, as the device itself decides.
    await manualWrite(null);
    await expect
      .poll(() => panel.getByTestId("priority-winner").textContent(), { timeout: 10_000 })
      .toBe("Priority 8 in control");
    expect(await slot(8).getAttribute("data-winner")).toBe("true");
  });

  it("shows live values on point nodes with units and state texts", async () => {
    await object(3001, "analogInput", 1).dragTo(page().getByTestId("flow-canvas"), {
      targetPosition: { x: 160, y: 140 },
    });
    await page().getByTestId("flow-node-sensor_read_1").waitFor();
    await expect
      .poll(() => page().getByTestId("node-live-sensor_read_1").textContent(), { timeout: 10_000 })
      .toMatch(/^live: \d+(\.\d+)? °C$/);

    await page().getByTestId("bacnet-device-toggle-2002").click();
    await object(2002, "multiStateValue", 1).waitFor({ timeout: 15_000 });
    // Plant Mode is commandable, so dragging its "read" handle makes a Sensor Read.
    await object(2002, "multiStateValue", 1)
      .getByTestId("bacnet-object-read-handle")
      .dragTo(page().getByTestId("flow-canvas"), { targetPosition: { x: 160, y: 340 } });
    await page().getByTestId("flow-node-sensor_read_2").waitFor();
    await expect
      .poll(() => page().getByTestId("node-live-sensor_read_2").textContent(), { timeout: 10_000 })
      .toBe("live: Auto");
  });
});
