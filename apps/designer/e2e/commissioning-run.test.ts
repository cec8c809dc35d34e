import { api, DEMO_REHEAT_VALVE, type SupervisorHandle } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserSession } from "./support/browser";
import type { DesignerHandle } from "./support/designer";
import { createProjectInUi } from "./support/projects";
import { type DesignerStack, startDemoPlantStack } from "./support/stack";

// Reserved for this file: 127.0.68.0/24 (the commissioning2 helper's range), BACnet ports 47866-47867.
const SIM_BIND = "127.0.68.50";
const SIM_PORT = 47866;
const SUP_BIND = "127.0.68.51";
const SUP_PORT = 47867;

interface Report {
  status: string;
  person: string;
  checkout: { point: string; verdict: string; write_test?: { priority: number; after_release: unknown } }[];
}

/**
 * Issue 16: a person starts a commissioning run from the Designer's deploy page, with a write test they
 * confirm explicitly (one point, a test value, priority 7), watches it run and opens its report, all
 * through the runtime proxy with their own role (the browser never holds the supervisor token).
 */
describe("Designer: starting a commissioning run with a confirmed write test", () => {
  let stack: DesignerStack;
  let sup: SupervisorHandle;
  let designer: DesignerHandle;
  let browser: BrowserSession;

  beforeAll(async () => {
    stack = await startDemoPlantStack({
      simBind: SIM_BIND,
      simPort: SIM_PORT,
      supervisorBind: SUP_BIND,
      supervisorPort: SUP_PORT,
    });
    ({ sup, designer, browser } = stack);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("runs the checks with the write test confirmed, shows the result and opens the report", async () => {
    const { page } = browser;
    const projectId = await createProjectInUi(page, designer.url, "Commissioned from the Designer");
    await page.goto(`${designer.url}/projects/${projectId}/deploy`);
    const panel = page.getByTestId("commissioning-run-default");
    await panel.waitFor({ timeout: 20_000 });
    await panel.getByTestId("commissioning-person").fill("Ines Integrator");
    await panel.getByTestId("commissioning-write-test").check();
    await panel.getByTestId("commissioning-priority").fill("7");
    await panel.getByTestId("commissioning-scope-points").check();
    await panel.getByTestId("commissioning-points").fill(`${DEMO_REHEAT_VALVE} = 62`);
    // The write test is off until the person confirms it: the button waits for the tick.
    expect(await panel.getByTestId("commissioning-start").isDisabled()).toBe(true);
    await panel.getByTestId("commissioning-confirm").check();
    await panel.getByTestId("commissioning-start").click();

    const progress = panel.getByTestId("commissioning-progress");
    await progress.getByText(/^done: \d+ passed, 0 failed/).waitFor({ timeout: 30_000 });

    // The supervisor's own record of the run: started through the proxy, the valve stroked and released.
    const listed = await api<{ reports: { id: string }[] }>(sup.url, "/api/commissioning/runs", {
      token: sup.token,
    });
    const id = listed.body.reports[0]!.id;
    const report = await api<Report>(sup.url, `/api/commissioning/runs/${id}`, { token: sup.token });
    expect(report.body.person).toBe("Ines Integrator");
    const valve = report.body.checkout.find((l) => l.point === "bacnet:3001/analogOutput:2.presentValue");
    expect(valve).toMatchObject({ verdict: "pass", write_test: { priority: 7, after_release: null } });

    const [tab] = await Promise.all([
      page.context().waitForEvent("page"),
      panel.getByTestId("commissioning-report-link").click(),
    ]);
    await tab.waitForLoadState();
    const text = (await tab.textContent("body")) ?? "";
    expect(text).toContain("Commissioning report: Demo plant");
    expect(text).toContain("Ines Integrator");
    expect(text).toContain("wrote 62 at priority 7");
    expect(text).toContain("relinquished");
    await tab.close();
    // The list below refreshed with the new report.
    const row = page.getByTestId("commissioning-reports-default").getByTestId("commissioning-report").first();
    expect(await row.textContent()).toContain("Ines Integrator");
  });
});
