import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AuditRecord } from "@bms/schemas";
import { api } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSession, openBrowser } from "./support/browser";
import { openView } from "./support/dashboard";
import { screenshot } from "./support/screenshots";
import { type DashboardStack, startStack } from "./support/stack";

const SIM_BIND = "127.0.0.61";
const SIM_PORT = 47852;
const SUPERVISOR_BACNET_PORT = 47853;
/** The other origin: a page on another loopback address, as a malicious site the engineer has open. */
const EVIL_HOST = "127.0.20.11";
const IDLE_SECONDS = 3;

describe("dashboard sign-in, sign-out, idle timeout and cross-origin attacks (no --public-read)", () => {
  let stack: DashboardStack;
  let browser: BrowserSession;
  let base: string;
  let admin: string;
  let viewer: string;
  let operator: string;
  let evil: Server;
  let evilUrl: string;
  const cspViolations: string[] = [];

  const running = async () =>
    (await api<{ status: string }>(base, "/api/execution/status", { token: admin })).body.status;
  const audit = async (query: string) =>
    (await api<{ records: AuditRecord[] }>(base, `/api/audit?${query}`, { token: admin })).body.records;
  const token = async (name: string, role: string) =>
    (await api<{ secret: string }>(base, "/api/auth/tokens", { body: { name, role }, token: admin })).body
      .secret;

  beforeAll(async () => {
    stack = await startStack({
      simBind: SIM_BIND,
      simPort: SIM_PORT,
      supervisorBacnetPort: SUPERVISOR_BACNET_PORT,
      publicRead: false,
      env: { BMS_SESSION_IDLE_MINUTES: String(IDLE_SECONDS / 60) },
    });
    base = stack.sup.url;
    admin = stack.sup.token;
    viewer = await token("wall panel", "viewer");
    operator = await token("night operator", "operator");
    evil = createServer((_req, res) => {
      // A no-cors fetch and an auto-submitting form, both aimed at stopping the plant.
      res.setHeader("content-type", "text/html");
      res.end(`<!doctype html><title>cat pictures</title>
<form id="f" method="POST" action="${base}/api/execution/stop" enctype="text/plain">
<input name='{"x":"' value='"}'></form>
<script>
fetch("${base}/api/execution/stop", { method: "POST", mode: "no-cors", credentials: "include",
  headers: { "content-type": "text/plain" }, body: "{}" })
  .catch(() => undefined)
  .finally(() => { document.title = "fetched"; document.getElementById("f").submit(); });
</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, EVIL_HOST, resolve));
    evilUrl = `http://${EVIL_HOST}:${(evil.address() as AddressInfo).port}/`;
    browser = await openBrowser();
    browser.page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  });

  afterAll(async () => {
    evil?.close();
    await browser?.close();
    await stack?.stop();
  });

  it("refuses anonymous reads, and the page asks to sign in", async () => {
    for (const path of ["/api/execution/state", "/api/points/live", "/api/data/timeseries?points=x"]) {
      expect((await api(base, path)).status, path).toBe(401);
    }
    const health = await api<Record<string, unknown>>(base, "/api/health");
    expect(health.status).toBe(200);
    expect(Object.keys(health.body).sort()).toEqual(["status", "version"]);
    expect((await fetch(`${base}/`)).status).toBe(200);

    const { page } = browser;
    await openView(page, base, "overview");
    const prompt = page.getByTestId("login-prompt");
    await prompt.waitFor();
    expect(await prompt.textContent()).toContain("needs you to sign in");
    expect(await page.getByTestId("flow-status").textContent()).toBe("…");
    await screenshot(page, "login-prompt");
  });

  it("signs in with a viewer token: shows who, keeps no token in the page, refuses a stop", async () => {
    const { page } = browser;
    await page.getByTestId("login-token").fill("bms_not-a-token");
    await page.getByTestId("login-submit").click();
    await expect.poll(() => page.getByTestId("login-error").textContent()).toContain("not valid");

    await page.getByTestId("login-token").fill(viewer);
    await page.getByTestId("login-submit").click();
    await expect.poll(() => page.getByTestId("flow-status").textContent()).toBe("Running");
    await expect.poll(() => page.getByTestId("login-prompt").count()).toBe(0);
    expect(await page.getByTestId("signed-in-name").textContent()).toBe("wall panel (viewer)");
    // The secret is in neither storage nor a script-readable cookie.
    const visible = await page.evaluate(() => JSON.stringify({ ...localStorage }) + document.cookie);
    expect(visible).not.toContain(viewer);
    expect(visible).not.toContain("bms_supervisor_session");
    const cookie = (await browser.context.cookies(base)).find((c) => c.name === "bms_supervisor_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict" });

    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByTestId("flow-stop").click();
    const refusal = page.getByTestId("flow-stop-error");
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain("the viewer role may not do this");
    expect(await running()).toBe("running");
  });

  it("lets an operator stop and start from the dashboard, audited under the operator's name", async () => {
    const { page } = browser;
    await openView(page, base, "overview", operator);
    await expect
      .poll(() => page.getByTestId("signed-in-name").textContent())
      .toBe("night operator (operator)");
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByTestId("flow-stop").click();
    await expect.poll(running).toBe("stopped");
    await page.getByTestId("flow-start").click();
    await expect.poll(running).toBe("running");
    const records = await audit("action=execution.&limit=5");
    expect(records.slice(0, 2).map((r) => [r.action, r.result, r.actor.name])).toEqual([
      ["execution.start", "ok", "night operator"],
      ["execution.stop", "ok", "night operator"],
    ]);
  });

  it("audits a manual point write with the value before, read from the device", async () => {
    // The zone setpoint: commandable, written by nobody else, relinquish default 24.
    const point = "bacnet:1001/analogValue:1.presentValue";
    const read = async () =>
      (
        await api<{ values: { value: unknown }[] }>(base, "/api/points/read", {
          body: { points: [point] },
          token: operator,
        })
      ).body.values[0]!.value;
    expect(await read()).toBe(24);
    const write = await api(base, "/api/points/write", {
      body: { writes: [{ point, value: 22.5, priority: 16 }] },
      token: operator,
      headers: { "x-bms-actor": "Alice" },
    });
    expect(write.status).toBe(200);
    expect(await read()).toBe(22.5);
    const [record] = await audit("action=point.write&limit=1");
    expect(record).toMatchObject({
      result: "ok",
      target: point,
      actor: { name: "night operator", role: "operator", on_behalf_of: "Alice" },
      details: {
        writes: [
          { point, value: 22.5, priority: 16, before: { value: 24, quality: "good", source: "device" } },
        ],
      },
    });
    await api(base, "/api/points/write", {
      body: { writes: [{ point, value: null, priority: 16 }] },
      token: operator,
    });
    expect(await read()).toBe(24);
  });

  it("refuses a no-cors fetch and a form POST from another origin while signed in; nothing changes", async () => {
    const before = (await audit("limit=1"))[0]!.id;
    const attacker = await browser.context.newPage();
    await attacker.goto(evilUrl);
    // The form submission navigates the tab to the supervisor's answer.
    await attacker.waitForURL(`${base}/api/execution/stop`, { timeout: 10_000 });
    const answer = await attacker.textContent("body");
    expect(answer).toMatch(/cross_site|cross_origin|unauthenticated/);
    await attacker.close();

    expect(await running()).toBe("running");
    const after = (await audit("action=execution.stop&limit=20")).filter((r) => r.id > before);
    expect(after.map((r) => r.result)).toEqual(["denied", "denied"]);
    expect(after.every((r) => r.actor.name === "anonymous")).toBe(true);
    expect(after.some((r) => r.result === "ok")).toBe(false);
  });

  it("shows the audit trail with filters and offers the CSV", async () => {
    const { page } = browser;
    await openView(page, base, "audit", operator);
    await page.getByTestId("audit-filter-action").fill("execution.");
    await page.getByTestId("audit-apply").click();
    await expect
      .poll(async () =>
        (await page.getByTestId("audit-row").allTextContents()).every((t) => t.includes("execution.")),
      )
      .toBe(true);
    expect(await page.getByTestId("audit-row").count()).toBeGreaterThanOrEqual(4);
    const href = await page.getByTestId("audit-csv").getAttribute("href");
    expect(href).toContain("action=execution.");
    const csv = await page.evaluate(async (h) => (await fetch(h!)).text(), href);
    expect(csv.split("\r\n")[0]).toMatch(/^id,at,actor_kind,actor_name/);
    expect(csv).toContain("night operator");
    await screenshot(page, "audit");
  });

  it("signs out: the server forgets the session, the page asks again", async () => {
    const { page } = browser;
    await openView(page, base, "overview", operator);
    await expect.poll(() => page.getByTestId("flow-status").textContent()).toBe("Running");
    const cookie = (await browser.context.cookies(base)).find((c) => c.name === "bms_supervisor_session")!;
    expect(
      (
        await api(base, "/api/execution/status", {
          headers: { cookie: `bms_supervisor_session=${cookie.value}` },
        })
      ).status,
    ).toBe(200);
    await page.getByTestId("sign-out").click();
    await page.getByTestId("login-prompt").waitFor();
    const reused = await api<{ error: string }>(base, "/api/execution/status", {
      headers: { cookie: `bms_supervisor_session=${cookie.value}` },
    });
    expect(reused.status).toBe(401);
    expect((await audit("action=auth.logout&limit=1"))[0]).toMatchObject({
      result: "ok",
      actor: { name: "night operator" },
    });
  });

  it(`ends a session after ${IDLE_SECONDS} s without requests (BMS_SESSION_IDLE_MINUTES)`, async () => {
    const { page } = browser;
    await openView(page, base, "overview", viewer);
    await expect.poll(() => page.getByTestId("flow-status").textContent()).toBe("Running");
    const cookie = (await browser.context.cookies(base)).find((c) => c.name === "bms_supervisor_session")!;
    await page.goto("about:blank"); // the tablet goes dark: no more polling
    await new Promise((r) => setTimeout(r, (IDLE_SECONDS + 1) * 1000));
    const ended = await api<{ error: string }>(base, "/api/execution/status", {
      headers: { cookie: `bms_supervisor_session=${cookie.value}` },
    });
    expect(ended.status).toBe(401);
    expect(ended.body.error).toBe("the session has ended; sign in again");
    await page.goto(`${base}/#/overview`);
    await page.getByTestId("login-prompt").waitFor();
    expect(await page.getByTestId("signed-in").textContent()).toBe("Sign in");
  });

  it("lets an admin create a token (shown once) and revoke it from the Access view", async () => {
    const { page } = browser;
    await openView(page, base, "access", operator);
    expect(await page.getByTestId("tokens-card").count()).toBe(0); // admins only
    await openView(page, base, "access", admin);
    await page.getByTestId("tokens-card").waitFor();
    await page.getByTestId("token-name").fill("kiosk");
    await page.getByTestId("token-role").selectOption("viewer");
    await page.getByTestId("token-days").fill("7");
    await page.getByTestId("token-create").click();
    const shown = await page.getByTestId("token-secret").locator("code").textContent();
    expect(shown).toMatch(/^bms_/);
    expect((await api(base, "/api/execution/status", { token: shown! })).status).toBe(200);
    const row = page.locator('[data-testid="token-row"][data-name="kiosk"]');
    await expect.poll(() => row.getByTestId("token-state").textContent()).toBe("valid");
    await screenshot(page, "access");
    page.once("dialog", (dialog) => void dialog.accept());
    await row.getByTestId("token-revoke").click();
    await expect.poll(() => row.getByTestId("token-state").textContent()).toBe("revoked");
    expect((await api(base, "/api/execution/status", { token: shown! })).status).toBe(401);
    const [revoked] = await audit("action=token.revoke&limit=1");
    expect(revoked).toMatchObject({ target: "kiosk", result: "ok", actor: { name: "bootstrap admin" } });
  });

  it("ran every page above, and the API reference, under the strict CSP without a violation", async () => {
    const { page } = browser;
    const docs = await page.goto(`${base}/docs`);
    expect(docs?.headers()["content-security-policy"]).toContain("script-src 'self'");
    expect(docs?.headers()["content-security-policy"]).not.toContain("unsafe-eval");
    await page.getByRole("heading", { name: "BMS Supervisor API" }).waitFor();
    expect(cspViolations).toEqual([]);
  });
});
