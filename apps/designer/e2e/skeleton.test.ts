import type { AuditRecord } from "@bms/schemas";
import { api } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserSession } from "./support/browser";
import { connectPorts, dragFromPalette, edgeCount, fillField, nodeIds, selectNode } from "./support/canvas";
import { type DesignerHandle, TEST_ADMIN } from "./support/designer";
import { documentScreenshot } from "./support/screenshots";
import { type DesignerStack, startDesignerStack } from "./support/stack";

// Own loopback address and ports: no other test file uses them.
const SIM_BIND = "127.0.0.40";
const SIM_PORT = 47820;
const SUP_PORT = 47821;

describe("walking skeleton in the browser: canvas → save → reload → deploy → live execution state", () => {
  let designer: DesignerHandle;
  let browser: BrowserSession;
  let stack: DesignerStack | undefined;

  beforeAll(async () => {
    stack = await startDesignerStack({ simBind: SIM_BIND, simPort: SIM_PORT, supervisorPort: SUP_PORT });
    ({ designer, browser } = stack);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("builds, saves, reloads, deploys and monitors the skeleton flow", async () => {
    const { page } = browser;
    await page.goto(designer.url);

    // A new, empty project.
    await page.getByTestId("new-project-name").fill("E2E skeleton");
    await page.getByTestId("create-project").click();
    await page.waitForURL(/\/projects\/[0-9a-f-]+$/);
    await expect.poll(() => nodeIds(page)).toEqual([]);

    // Three nodes from the palette, dragged with the mouse.
    await dragFromPalette(page, "sensor_read", { x: 160, y: 160 });
    await dragFromPalette(page, "threshold", { x: 480, y: 160 });
    await dragFromPalette(page, "actuator_write", { x: 800, y: 160 });
    await expect.poll(() => nodeIds(page)).toEqual(["sensor_read_1", "threshold_1", "actuator_write_1"]);

    // Wired port to port.
    await connectPorts(
      page,
      { node: "sensor_read_1", port: "value" },
      { node: "threshold_1", port: "value" },
    );
    await connectPorts(
      page,
      { node: "threshold_1", port: "result" },
      { node: "actuator_write_1", port: "value" },
    );
    await expect.poll(() => edgeCount(page)).toBe(2);

    // Forms generated from the node schemas.
    await selectNode(page, "sensor_read_1");
    await fillField(page, "point", "bacnet:1001/analogInput:1");
    await selectNode(page, "threshold_1");
    await fillField(page, "operator", ">");
    await fillField(page, "value", "24");
    await selectNode(page, "actuator_write_1");
    await fillField(page, "point", "bacnet:1001/binaryOutput:1");
    await fillField(page, "priority", "8");
    await expect.poll(() => page.getByTestId("validation-panel").getAttribute("data-count")).toBe("0");

    await page.getByTestId("save-button").click();
    await expect.poll(() => page.getByTestId("save-status").getAttribute("data-version")).toBe("2");
    await expect.poll(() => page.getByTestId("save-status").getAttribute("data-dirty")).toBe("false");

    // Reload: the flow comes back from projects.db exactly as built.
    await page.reload();
    await expect.poll(() => nodeIds(page)).toEqual(["sensor_read_1", "threshold_1", "actuator_write_1"]);
    await expect.poll(() => edgeCount(page)).toBe(2);
    await selectNode(page, "sensor_read_1");
    expect(await page.getByTestId("field-point").inputValue()).toBe("bacnet:1001/analogInput:1.presentValue");
    await selectNode(page, "threshold_1");
    expect(await page.getByTestId("field-value").inputValue()).toBe("24");
    await selectNode(page, "actuator_write_1");
    expect(await page.getByTestId("field-priority").inputValue()).toBe("8");

    // Deploy to the real supervisor, then watch its scans on the canvas.
    await page.getByTestId("deploy-button").click();
    const outcome = page.getByTestId("deploy-outcome-default");
    await outcome.waitFor({ timeout: 30_000 });
    expect(await outcome.getAttribute("data-ok"), (await outcome.textContent()) ?? "").toBe("true");
    // The supervisor's audit names the person behind the Designer's token (X-BMS-Actor), not only the token.
    const audit = await api<{ records: AuditRecord[] }>(
      stack!.sup.url,
      "/api/audit?action=config.deploy&limit=1",
      { token: stack!.sup.token },
    );
    expect(audit.body.records[0]?.actor).toMatchObject({ kind: "bootstrap", on_behalf_of: TEST_ADMIN.name });
    expect(audit.body.records[0]?.result).toBe("ok");

    await expect
      .poll(() => page.getByTestId("flow-node-sensor_read_1").getAttribute("data-status"), {
        timeout: 30_000,
      })
      .toBe("completed");
    await expect
      .poll(() => page.getByTestId("flow-node-actuator_write_1").getAttribute("data-status"), {
        timeout: 30_000,
      })
      .toBe("completed");
    // Both badges come from the same poll, so read them together.
    const [temperature, result] = await page.evaluate(() => [
      document.querySelector('[data-testid="node-value-sensor_read_1-value"]')?.textContent ?? "",
      document.querySelector('[data-testid="node-value-threshold_1-result"]')?.textContent ?? "",
    ]);
    // "22.41 °C" once the supervisor knows the object's units, "22.41" before.
    expect(temperature).toMatch(/^\d+(\.\d+)?( °C)?$/);
    const celsius = Number.parseFloat(temperature);
    expect(celsius).toBeGreaterThanOrEqual(15);
    expect(celsius).toBeLessThanOrEqual(30);
    // The badge rounds to 2 decimals; only a value within rounding of the limit is ambiguous.
    if (Math.abs(celsius - 24) > 0.01) expect(result).toBe(String(celsius > 24));
    await expect.poll(() => page.getByTestId("execution-row-threshold_1").isVisible()).toBe(true);
    await documentScreenshot(page, "editor-live-overlay");
  });
});
