import { buildDeploymentPackage } from "@bms/schemas";
import { api } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { skeletonFlow } from "../test/fixtures";
import { type BrowserSession, openBrowser } from "./support/browser";
import { COOLING_CMD, openView } from "./support/dashboard";
import { type DashboardStack, startStack } from "./support/stack";

// Own loopback address and ports: no other test file uses them.
const SIM_BIND = "127.0.33.1";
const SIM_PORT = 47897;
const SUPERVISOR_BACNET_PORT = 47898;
const PROJECT_VERSION = 5;

/**
 * Issue 11's honest states on the dashboard: the project version the running config came from, a
 * commanded point bad during a device outage, a bad input printed on its node in the execution
 * picture, and a stopped flow greyed with no values.
 */
describe("the dashboard tells the truth about what runs", () => {
  let stack: DashboardStack;
  let browser: BrowserSession;
  let configVersion = 0;
  const faults = (offline: boolean) =>
    api(stack.sim.webUrl, "/api/devices/1001/faults", { body: { offline } });

  beforeAll(async () => {
    stack = await startStack({
      simBind: SIM_BIND,
      simPort: SIM_PORT,
      supervisorBacnetPort: SUPERVISOR_BACNET_PORT,
    });
    // As the Designer deploys it: the package names the saved project version it was built from.
    const pkg = buildDeploymentPackage({
      project_id: "skeleton",
      project_name: "Skeleton",
      project_version: PROJECT_VERSION,
      configuration: skeletonFlow({ limit: 24.5, name: "Zone cooling" }),
      bacnet_objects: [],
      created_at: new Date().toISOString(),
    });
    const deploy = await api<{ config_version: number }>(stack.sup.url, "/api/config/deploy", {
      body: pkg,
      token: stack.sup.token,
    });
    if (deploy.status !== 200) throw new Error(`deploy failed: ${JSON.stringify(deploy.body)}`);
    configVersion = deploy.body.config_version;
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("shows the project version the running config came from", async () => {
    const { page } = browser;
    await openView(page, stack.sup.url, "overview", stack.sup.token);
    await expect
      .poll(() => page.getByTestId("flow-project-version").textContent())
      .toBe(`Skeleton v${PROJECT_VERSION} → running as config v${configVersion}`);
  });

  it("a device outage: the commanded point shows bad, and the node fed a bad input prints why", async () => {
    const { page } = browser;
    await openView(page, stack.sup.url, "points", stack.sup.token);
    const commanded = page.locator(`[data-testid="point-row"][data-ref="${COOLING_CMD}"]`);
    await expect.poll(() => commanded.textContent(), { timeout: 15_000 }).toMatch(/good/);

    await faults(true);
    try {
      await expect.poll(() => commanded.textContent(), { timeout: 20_000 }).toMatch(/bad/);
      expect(await commanded.locator("[title]").first().getAttribute("title")).toMatch(/timeout|offline/);

      await openView(page, stack.sup.url, "execution", stack.sup.token);
      const hot = page.getByTestId("exec-node-hot");
      await expect.poll(() => hot.getAttribute("data-status"), { timeout: 20_000 }).toBe("warning");
      expect(await page.getByTestId("exec-status-hot").textContent()).toBe("warning");
      const reason = page.getByTestId("exec-reason-hot");
      expect(await reason.getAttribute("data-reason")).toMatch(/^Value: .*(timeout|offline)/);
      // Printed on the node, not only in its tooltip.
      expect(await reason.locator("text").first().textContent()).toMatch(/^⚠ Value:/);
      expect(await reason.isVisible()).toBe(true);
    } finally {
      await faults(false);
    }
    await expect
      .poll(() => page.getByTestId("exec-node-hot").getAttribute("data-status"), { timeout: 30_000 })
      .toBe("completed");
    expect(await page.getByTestId("exec-reason-hot").count()).toBe(0);
  });

  it("a stopped flow: nodes say stopped, greyed, with no value chips", async () => {
    const { page } = browser;
    await openView(page, stack.sup.url, "execution", stack.sup.token);
    await expect.poll(() => page.locator("[data-testid^='exec-value-']").count()).toBeGreaterThan(0);
    const stop = await api(stack.sup.url, "/api/execution/stop", { body: {}, token: stack.sup.token });
    expect(stop.status).toBe(200);
    for (const id of ["temp", "hot", "cool"]) {
      await expect
        .poll(() => page.getByTestId(`exec-node-${id}`).getAttribute("data-status"), { timeout: 10_000 })
        .toBe("stopped");
      expect(await page.getByTestId(`exec-node-${id}`).getAttribute("class")).toContain("exec-node-stopped");
    }
    expect(await page.locator("[data-testid^='exec-value-'], [data-testid^='exec-input-']").count()).toBe(0);
  });
});
