import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSession, openBrowser } from "./support/browser";
import { fillField, nodeIds, selectNode } from "./support/canvas";
import { type DesignerHandle, startDesigner } from "./support/designer";
import { freePort } from "./support/ports";

/**
 * No supervisor at all: the Designer must say so clearly and quickly, keep editing, and never lose
 * work (autosaved draft across a reload).
 */
describe("Designer without a reachable supervisor", () => {
  let designer: DesignerHandle;
  let browser: BrowserSession;

  beforeAll(async () => {
    // A port nothing listens on: connection refused, the common "supervisor is down" case.
    const deadPort = await freePort();
    designer = await startDesigner({ supervisorUrl: `http://127.0.0.1:${deadPort}`, supervisorToken: "x" });
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await designer?.stop();
  });

  it("opens the demo project, shows a dismissible offline banner and a clear deploy failure", async () => {
    const { page } = browser;
    await page.goto(designer.url);
    await page.getByTestId("project-link").first().click();
    await page.getByTestId("flow-node-sat").waitFor();
    // The quick start's demo site opens on its first flow, AHU-1: the supply-air reset from the widest
    // VAV damper, the cooling and heating loops, and the duct static pressure loop.
    expect((await nodeIds(page)).sort()).toEqual(
      [
        ...Array.from({ length: 10 }, (_, i) => `damper_${i + 1}`),
        "widest",
        "reset",
        "sat",
        "cooling",
        "heat_sp",
        "heating",
        "cool_valve",
        "heat_valve",
        "static",
        "static_sp",
        "fan_loop",
        "fan_speed",
      ].sort(),
    );

    const banner = page.getByTestId("offline-banner");
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.textContent()).toMatch(/unreachable: connection refused/);
    await banner.getByRole("button", { name: "Dismiss" }).click();

    const started = Date.now();
    await page.getByTestId("deploy-button").click();
    const outcome = page.getByTestId("deploy-outcome-default");
    await outcome.waitFor({ timeout: 10_000 });
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(await outcome.getAttribute("data-ok")).toBe("false");
    expect(await outcome.textContent()).toMatch(/Local supervisor.*unreachable/);
  });

  it("keeps editing offline and restores the autosaved draft after a reload", async () => {
    const { page } = browser;
    await selectNode(page, "cooling");
    await fillField(page, "kp", "9.5");
    await page.getByTestId("autosave-status").waitFor({ timeout: 10_000 });
    await page.reload();
    await page.getByTestId("draft-restored").waitFor();
    await selectNode(page, "cooling");
    expect(await page.getByTestId("field-kp").inputValue()).toBe("9.5");
    expect(await page.getByTestId("save-status").getAttribute("data-dirty")).toBe("true");
    await page.getByTestId("save-button").click();
    await expect.poll(() => page.getByTestId("save-status").getAttribute("data-dirty")).toBe("false");
  });
});
