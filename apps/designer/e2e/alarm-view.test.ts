import { api, notificationClass, outOfRangeTemperature, writeSiteFile } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSession, openBrowser, type Page } from "./support/browser";
import { signInBrowser, signInOverHttp } from "./support/designer";
import { documentScreenshot } from "./support/screenshots";
import { type DesignerStack, startDesignerStack } from "./support/stack";

// Reserved for the limits helper: 127.0.93.0/24. This file: simulator .11:47872, supervisor .12:47873.
const SIM_BIND = "127.0.93.11";
const SIM_PORT = 47872;
const SUP_BIND = "127.0.93.12";
const SUP_PORT = 47873;
const DEVICE = 9301;
const KEY = `bacnet:${DEVICE}/analogInput:1`;
/** A second alarm nobody acknowledges: what the viewer looks at. */
const KEY2 = `bacnet:${DEVICE}/analogInput:2`;
const USERS = {
  operator: { name: "night-operator", password: "night-operator-password-0123" },
  viewer: { name: "tenant-viewer", password: "tenant-viewer-password-0123" },
} as const;
/** User text with markup in it: every view must show it as text. */
const COMMENT = "Called the tenant: the <b>supply fan</b> filter is being changed";

/** One controller whose supply and return temperatures report out of range above 30 °C (intrinsic reporting). */
function siteFile(): string {
  return writeSiteFile("alarm-view-site", {
    name: "Alarm view",
    devices: [
      {
        instance: DEVICE,
        name: "AHU Alarms",
        objects: [
          outOfRangeTemperature(1, "Supply Temp"),
          // In alarm from the start: the supervisor learns of it by GetEventInformation when it registers.
          outOfRangeTemperature(2, "Return Temp", { initial: 34 }),
        ],
        notificationClasses: [notificationClass(1, "Critical", { ackRequired: [true, true, false] })],
      },
    ],
  });
}

interface AuditRecord {
  action: string;
  result: string;
  target?: string;
  actor: { name: string; role: string | null; on_behalf_of?: string };
  details?: Record<string, unknown>;
}

/**
 * The Designer's alarm view over a real supervisor and simulator: a device raises an out-of-range
 * alarm, the view lists it with its priority, device/object and decoded event values; an operator
 * acknowledges it with a comment (AcknowledgeAlarm to the device, audited on the supervisor with the
 * Designer user as on_behalf_of), and the supervisor's own dashboard then shows it acknowledged. A
 * viewer sees the alarm and no way to acknowledge it.
 */
describe("Designer: the alarm view of a supervisor", () => {
  let stack: DesignerStack;
  let viewerBrowser: BrowserSession | undefined;
  const page = () => stack.browser.page;
  const alarmRow = (p: Page, key = KEY) => p.locator(`[data-testid="alarm"][data-key="${key}"]`);

  beforeAll(async () => {
    stack = await startDesignerStack({
      simBind: SIM_BIND,
      simPort: SIM_PORT,
      supervisorBind: SUP_BIND,
      supervisorPort: SUP_PORT,
      site: siteFile(),
      discover: { device: DEVICE },
      supervisor: { env: { BMS_DEVICE_ALARMS: "auto", BMS_DEVICE_ALARM_PASS_S: "1" } },
    });
    for (const [role, user] of Object.entries(USERS)) {
      const made = await api(stack.designer.url, "/api/users", { body: { ...user, role } });
      if (made.status !== 201)
        throw new Error(`adding ${user.name}: ${made.status} ${JSON.stringify(made.body)}`);
    }
    // The operator's browser: a fresh context signed in as the operator, not as the test admin.
    await stack.browser.context.clearCookies();
    await signInBrowser(stack.browser.context, stack.designer.url, USERS.operator);
    await api(stack.sim.webUrl, `/api/devices/${DEVICE}/objects/analogInput/1/override`, {
      body: { value: 33 },
    });
  }, 120_000);

  afterAll(async () => {
    await viewerBrowser?.close();
    await stack?.stop();
  });

  it("lists the device's alarm with priority, device/object, decoded event values and time", async () => {
    await page().goto(`${stack.designer.url}/alarms?supervisor=default`);
    await page().getByTestId("alarm-view").waitFor();
    const row = alarmRow(page());
    await row.waitFor({ timeout: 30_000 });
    expect(await row.getAttribute("data-state")).toBe("active");
    expect(await row.getByTestId("alarm-priority").textContent()).toBe("high");
    expect(await row.getByTestId("alarm-state").textContent()).toBe("In alarm");
    expect(await row.getByTestId("alarm-source").textContent()).toBe(`device ${DEVICE}, analogInput:1`);
    // The values decoded from the notification itself, with the object's unit, as the dashboard shows them.
    expect(await row.getByTestId("alarm-message").textContent()).toContain(
      "out of range: 33 °C above high limit 30, deadband 1",
    );
    expect(await row.getByTestId("alarm-event").textContent()).toBe(
      "out-of-range: out of range: 33 °C above high limit 30, deadband 1",
    );
    expect(await row.getByTestId("alarm-detail").textContent()).toMatch(
      new RegExp(`^raised .+, \\d+ s ago by device ${DEVICE}, analogInput:1`),
    );
    await documentScreenshot(page(), "designer-alarm-view");
  });

  it("lets an operator acknowledge it with a comment, audited on the supervisor for the Designer user", async () => {
    const row = alarmRow(page());
    await row.getByTestId("alarm-ack").click();
    await row.getByTestId("alarm-ack-comment").fill(COMMENT);
    await row.getByTestId("alarm-ack-confirm").click();
    await expect.poll(() => row.getAttribute("data-state"), { timeout: 15_000 }).toBe("acknowledged");
    expect(await row.getByTestId("alarm-state").textContent()).toBe("Acknowledged");
    expect(await row.getByTestId("alarm-detail").textContent()).toContain(
      `acknowledged by ${USERS.operator.name}`,
    );
    expect(await row.getByTestId("alarm-ack").count()).toBe(0);
    // The comment stays on the row, with who gave it, as text (no element made of its markup).
    const note = row.getByTestId("alarm-ack-note");
    await expect.poll(() => note.textContent()).toBe(`${USERS.operator.name}: ${COMMENT}`);
    expect(await note.locator("b").count()).toBe(0);
    const stored = await api<{ alerts: { key: string; ack_comment: string | null }[] }>(
      stack.sup.url,
      "/api/alerts",
      { token: stack.sup.token },
    );
    expect(stored.body.alerts.find((a) => a.key === KEY)?.ack_comment).toBe(COMMENT);

    const audit = await api<{ records: AuditRecord[] }>(stack.sup.url, "/api/audit?action=alarm.ack", {
      token: stack.sup.token,
    });
    const record = audit.body.records.find((r) => r.target === KEY);
    expect(record).toMatchObject({
      result: "ok",
      actor: { on_behalf_of: USERS.operator.name },
      details: { by: USERS.operator.name, device: true, comment: COMMENT },
    });
    // The Designer's own audit keeps the same acknowledgement, with the comment and the supervisor.
    const designerAudit = await api<{ records: AuditRecord[] }>(
      stack.designer.url,
      "/api/audit?action=runtime.alarm.ack",
    );
    expect(
      designerAudit.body.records.find((r) => r.target === `supervisor:/api/alerts/${KEY}/ack`),
    ).toMatchObject({
      result: "ok",
      actor: { name: USERS.operator.name, role: "operator" },
      details: { supervisor: "default", comment: COMMENT },
    });
  });

  it("shows the acknowledgement on the supervisor's own dashboard", async () => {
    const dashboard = await stack.browser.context.newPage();
    try {
      await dashboard.goto(`${stack.sup.url}/#/execution`);
      const login = await dashboard.evaluate(async (token) => {
        const answer = await fetch("/api/auth/login", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ token }),
        });
        return answer.status;
      }, stack.sup.token);
      expect(login).toBe(200);
      await dashboard.reload();
      await dashboard.getByTestId("alarm-banner-toggle").click();
      const alert = dashboard.getByTestId("alarm-banner").locator(`[data-testid="alert"][data-key="${KEY}"]`);
      await alert.waitFor({ timeout: 15_000 });
      expect(await alert.getAttribute("data-state")).toBe("acknowledged");
      expect(await alert.textContent()).toContain(`acknowledged by ${USERS.operator.name}`);
      expect(await alert.getByTestId("alert-ack-note").textContent()).toBe(
        `${USERS.operator.name}: ${COMMENT}`,
      );
      expect(await alert.getByTestId("alert-ack-note").locator("b").count()).toBe(0);
      expect(await alert.getByTestId("alert-ack").count()).toBe(0);
    } finally {
      await dashboard.close();
    }
  });

  it("shows a viewer the alarm and no way to acknowledge it; the proxy refuses a viewer's ack", async () => {
    viewerBrowser = await openBrowser({ signedIn: false });
    await signInBrowser(viewerBrowser.context, stack.designer.url, USERS.viewer);
    const viewer = viewerBrowser.page;
    await viewer.goto(`${stack.designer.url}/alarms`);
    // The return temperature's alarm still waits for an operator: the viewer sees it, without the button.
    const row = alarmRow(viewer, KEY2);
    await row.waitFor({ timeout: 30_000 });
    expect(await row.getAttribute("data-state")).toBe("active");
    // Learnt from GetEventInformation at registration (no notification text): the object and its state.
    expect(await row.getByTestId("alarm-message").textContent()).toBe("analogInput:2 high-limit");
    expect(await row.getByTestId("alarm-source").textContent()).toBe(`device ${DEVICE}, analogInput:2`);
    expect(await alarmRow(viewer, KEY).getAttribute("data-state")).toBe("acknowledged");
    expect(await viewer.getByTestId("alarm-ack").count()).toBe(0);

    const session = await signInOverHttp(stack.designer.url, USERS.viewer);
    const refused = await fetch(
      `${stack.designer.url}/api/runtime/alerts/${encodeURIComponent(KEY2)}/ack?supervisor=default`,
      {
        method: "POST",
        headers: {
          origin: stack.designer.url,
          "content-type": "application/json",
          cookie: session.cookie,
          "x-csrf-token": session.csrf,
        },
        body: "{}",
      },
    );
    expect(refused.status).toBe(403);
    const still = await api<{ alerts: { key: string; state: string }[] }>(stack.sup.url, "/api/alerts", {
      token: stack.sup.token,
    });
    expect(still.body.alerts.find((a) => a.key === KEY2)?.state).toBe("active");
  });

  it("never shows a late answer from the supervisor chosen before under the one chosen now", async () => {
    // Another building, its supervisor down (nothing listens at 127.0.96.1): its list cannot be read.
    const other = await api<{ supervisor: { id: string } }>(stack.designer.url, "/api/supervisors", {
      body: {
        name: "Other building",
        url: "http://127.0.96.1:47899",
        token: "other-building-token-0123456789",
      },
    });
    expect(other.status).toBe(201);
    // The local supervisor's list answers late: held in the browser 3 s, past the change of supervisor.
    const slow = /\/api\/runtime\/alerts\?.*supervisor=default/;
    let held = 0;
    await page().route(slow, async (route) => {
      held++;
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await route.continue().catch(() => undefined); // the view may have aborted it meanwhile
    });
    try {
      await page().goto(`${stack.designer.url}/alarms?supervisor=default`);
      await page().getByTestId("alarm-view").waitFor();
      await expect.poll(() => held).toBeGreaterThan(0);
      await page().getByTestId("alarm-supervisor").selectOption(other.body.supervisor.id);
      await page().getByTestId("alarm-error").waitFor({ timeout: 15_000 });
      // Past the late answer: the list stays empty, so no Ack can send the local key to the other building.
      await page().waitForTimeout(4_000);
      expect(await page().getByTestId("alarm").count()).toBe(0);
      expect(await page().getByTestId("alarm-error").count()).toBe(1);
    } finally {
      await page().unroute(slow);
    }
  });
});
