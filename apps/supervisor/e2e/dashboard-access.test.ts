import { api, eventually } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSession, openBrowser } from "./support/browser";
import { openView } from "./support/dashboard";
import { screenshot } from "./support/screenshots";
import { type DashboardStack, startStack } from "./support/stack";

const SIM_BIND = "127.0.0.61";
const SIM_PORT = 47852;
const SUPERVISOR_BACNET_PORT = 47853;
const VIEWER = "viewer-token-0123456789";

describe("dashboard access when the supervisor requires a viewer token (--viewer-token)", () => {
  let stack: DashboardStack;
  let browser: BrowserSession;
  let base: string;

  beforeAll(async () => {
    stack = await startStack({
      simBind: SIM_BIND,
      simPort: SIM_PORT,
      supervisorBacnetPort: SUPERVISOR_BACNET_PORT,
      viewerToken: VIEWER,
    });
    base = stack.sup.url;
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const running = async () =>
    (await api<{ status: string }>(base, "/api/execution/status", { token: VIEWER })).body.status;

  it("refuses an unauthenticated read, and reads with the viewer token", async () => {
    for (const path of [
      "/api/health",
      "/api/execution/state",
      "/api/points/live",
      "/api/data/timeseries?points=x",
    ]) {
      expect((await api(base, path)).status, path).toBe(401);
    }
    expect((await api(base, "/api/health", { token: "wrong-token-0123456789" })).status).toBe(403);
    expect((await api(base, "/api/health", { token: VIEWER })).status).toBe(200);
    // The page itself holds no data: it loads, then asks for the token.
    expect((await fetch(`${base}/`)).status).toBe(200);
  });

  it("refuses an unauthenticated state change, and one with only the viewer token", async () => {
    expect((await api(base, "/api/execution/stop", { body: {} })).status).toBe(401);
    expect((await api(base, "/api/execution/stop", { body: {}, token: VIEWER })).status).toBe(403);
    expect((await api(base, "/api/devices/discover", { body: {}, token: VIEWER })).status).toBe(403);
    expect(await running()).toBe("running");
  });

  it("asks for the token, then shows the running flow once the viewer token is entered", async () => {
    const { page } = browser;
    await openView(page, base, "overview");
    const prompt = page.getByTestId("token-prompt");
    await prompt.waitFor();
    expect(await prompt.textContent()).toContain("needs an access token");
    expect(await page.getByTestId("flow-status").textContent()).toBe("…");
    await screenshot(page, "token-prompt");

    await page.getByTestId("token-input").fill(VIEWER);
    await page.getByTestId("token-save").click();
    await expect.poll(() => page.getByTestId("flow-status").textContent()).toBe("Running");
    await expect.poll(() => prompt.count()).toBe(0);
    expect(await page.evaluate(() => localStorage.getItem("bms-dashboard-token"))).toBe(VIEWER);
  });

  it("says why when the viewer token tries to stop the flow, and the flow keeps running", async () => {
    const { page } = browser;
    await openView(page, base, "overview", VIEWER);
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByTestId("flow-stop").click();
    const refusal = page.getByTestId("flow-stop-error");
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain("admin token");
    expect(await running()).toBe("running");

    await openView(page, base, "access", VIEWER);
    await expect
      .poll(() => page.getByTestId("access-reads").textContent())
      .toBe("Needs the viewer or admin token");
    await expect.poll(() => page.getByTestId("token-kind").textContent()).toContain("reading only");
  });

  it("asks again when the saved token is not accepted", async () => {
    const { page } = browser;
    await openView(page, base, "points", "not-the-token-0123456789");
    await page.getByTestId("token-prompt").waitFor();
    expect(await page.getByTestId("token-prompt").textContent()).toContain("not accepted");
    await eventually(async () => ((await running()) === "running" ? true : undefined));
  });
});
