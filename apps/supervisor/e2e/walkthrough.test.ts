import { buildSitePackage } from "@bms/schemas";
import { api, deployPackage, eventually } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pumpAlarmFlow } from "../test/fixtures";
import { type BrowserSession, openBrowser } from "./support/browser";
import { openView } from "./support/dashboard";
import { type DashboardStack, startStack } from "./support/stack";

// What a commissioning engineer tripped over on the dashboard on a first walk through the quick start.
// Reserved for this file: 127.0.114.10-19, BACnet ports 47992-47993.
const SIM_BIND = "127.0.114.10";
const SIM_PORT = 47992;
const SUPERVISOR_BACNET_PORT = 47993;

const CHW = "7a1f0c2e-0000-4000-8000-0000000000b1";
const HW = "7a1f0c2e-0000-4000-8000-0000000000b2";

describe("the dashboard of a site of several flows, as an operator reads it", () => {
  let stack: DashboardStack;
  let browser: BrowserSession;

  beforeAll(async () => {
    stack = await startStack({
      simBind: SIM_BIND,
      simPort: SIM_PORT,
      supervisorBacnetPort: SUPERVISOR_BACNET_PORT,
    });
    // The demo's two plants both have an alert node "pumps", in two flows of one site (the same project
    // as the stack's flow, so this is an update, not a takeover).
    await deployPackage(
      stack.sup,
      buildSitePackage({
        project: { id: "skeleton", name: "Skeleton", version: "1.0.1" },
        flows: [pumpAlarmFlow(CHW, "CHW plant"), pumpAlarmFlow(HW, "HW plant")],
        created_at: new Date().toISOString(),
      }),
    );
    await eventually(async () => {
      const { body } = await api<{ alerts: unknown[] }>(stack.sup.url, "/api/alerts", {
        token: stack.sup.token,
      });
      return body.alerts.length === 2 ? true : undefined;
    });
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("says which plant's pump alarmed: the flow's name beside the node", async () => {
    const { page } = browser;
    await openView(page, stack.sup.url, "overview", stack.sup.token);
    await page.getByTestId("alarm-banner-toggle").click();
    const rows = page.getByTestId("alert");
    await expect.poll(() => rows.count()).toBe(2);
    const texts = (await rows.allInnerTexts()).join("\n");
    expect(texts).toContain("by CHW plant › node pumps");
    expect(texts).toContain("by HW plant › node pumps");
  });

  it("speaks of the site's flows on the Overview, not of the first flow's rate, and Stop says it stops all", async () => {
    const { page } = browser;
    await openView(page, stack.sup.url, "overview", stack.sup.token);
    await expect
      .poll(() => page.getByTestId("flow-count").textContent())
      .toBe("2 of 2 running (each on Execution)");
    expect(await page.getByTestId("scan-duration").count()).toBe(0);
    expect(await page.getByTestId("scan-count").textContent()).toMatch(/^[\d,]+ scans in all$/);
    expect(await page.getByTestId("overview-flow").locator("h2, h3").first().textContent()).toBe("Site");
    const stop = page.getByTestId("flow-stop");
    expect(await stop.textContent()).toBe("Stop all flows");
    let asked = "";
    page.once("dialog", (d) => {
      asked = d.message();
      void d.dismiss();
    });
    await stop.click();
    await expect
      .poll(() => asked)
      .toBe("Stop all 2 flows? Every point they command is released (relinquished).");
    // Dismissed: nothing stopped.
    const { body } = await api<{ status: string }>(stack.sup.url, "/api/execution/status", {
      token: stack.sup.token,
    });
    expect(body.status).toBe("running");
  });

  it("keeps the override's point field inside its card, and tells how to get a setpoint on Operate", async () => {
    const { page } = browser;
    await openView(page, stack.sup.url, "operate", stack.sup.token);
    const field = await page.getByTestId("override-point").boundingBox();
    const card = await page.getByTestId("override-point").locator("xpath=ancestor::section[1]").boundingBox();
    if (!field || !card) throw new Error("the override form is not drawn");
    expect(field.x + field.width).toBeLessThanOrEqual(card.x + card.width);
    expect(await page.getByTestId("parameters").textContent()).toContain(
      "No deployed flow has a Parameter node. Add one in the Designer",
    );
  });
});
