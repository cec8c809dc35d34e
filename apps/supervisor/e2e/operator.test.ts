import type { PriorityArrayResponse } from "@bms/schemas";
import { api, testFlow } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageOf } from "../test/fixtures";
import { type BrowserSession, openBrowser } from "./support/browser";
import { openView } from "./support/dashboard";
import { screenshot } from "./support/screenshots";
import { type DashboardStack, startStack } from "./support/stack";

// Own loopback address and ports: other suites run their own simulators.
const SIM_BIND = "127.0.25.2";
const SIM_PORT = 47880;
const SUPERVISOR_BACNET_PORT = 47881;
/** The skeleton controller's commandable setpoint (relinquish default 24 °C); no flow here commands it. */
const SETPOINT = "bacnet:1001/analogValue:1";

/** The operator's flow: a zone setpoint parameter (16-28 °C), a latch set while warm, a latched alarm. */
function operatorFlow() {
  return testFlow({
    name: "Operator screens",
    nodes: [
      {
        id: "temp",
        type: "sensor_read",
        position: { x: 0, y: 0 },
        config: { point: "bacnet:1001/analogInput:1" },
      },
      {
        id: "sp",
        type: "parameter",
        label: "Zone setpoint",
        position: { x: 0, y: 150 },
        config: { name: "zone_setpoint", default: 22, min: 16, max: 28, unit: "°C" },
      },
      {
        id: "trip_cmd",
        type: "parameter",
        label: "Trip test",
        position: { x: 250, y: 150 },
        config: { name: "trip_test", default: false },
      },
      { id: "warm", type: "threshold", position: { x: 250, y: 0 }, config: { operator: ">", value: 0 } },
      { id: "trip", type: "latch", label: "Trip latch", position: { x: 500, y: 150 }, config: {} },
      {
        id: "alarm",
        type: "alert",
        position: { x: 500, y: 0 },
        config: { message: "Zone warm: $value", priority: "high", mode: "latched", key: "op-zone-warm" },
      },
    ],
    connections: [
      { from_node: "temp", from_output: "value", to_node: "warm", to_input: "value" },
      { from_node: "trip_cmd", from_output: "value", to_node: "trip", to_input: "set" },
      { from_node: "warm", from_output: "result", to_node: "alarm", to_input: "condition" },
      { from_node: "temp", from_output: "value", to_node: "alarm", to_input: "value" },
    ],
  });
}

describe("operator screens on the dashboard", () => {
  let stack: DashboardStack;
  let browser: BrowserSession;
  let base: string;
  let admin: string;

  const slot8 = async () => {
    const { body } = await api<PriorityArrayResponse>(
      base,
      `/api/points/priority?point=${encodeURIComponent(SETPOINT)}`,
      { token: admin },
    );
    return body.slots[7]?.value ?? null;
  };

  beforeAll(async () => {
    stack = await startStack({
      simBind: SIM_BIND,
      simPort: SIM_PORT,
      supervisorBacnetPort: SUPERVISOR_BACNET_PORT,
    });
    base = stack.sup.url;
    admin = stack.sup.token;
    const deploy = await api(base, "/api/config/deploy", {
      body: packageOf(operatorFlow(), "Operator screens"),
      token: admin,
    });
    expect(deploy.status, JSON.stringify(deploy.body)).toBe(200);
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("overrides a point after a confirmation naming it, shows the override, and ends it early", async () => {
    const { page } = browser;
    await openView(page, base, "operate", admin);
    await page.getByTestId("override-point").fill(SETPOINT);
    await page.getByTestId("override-value").fill("26.5");
    await page.getByTestId("override-minutes").fill("10");
    expect(await page.getByTestId("override-priority").inputValue()).toBe("8");
    // Dismissing the dialog changes nothing.
    let asked = "";
    page.once("dialog", (d) => {
      asked = d.message();
      void d.dismiss();
    });
    await page.getByTestId("override-start").click();
    await expect.poll(() => asked).toContain(SETPOINT);
    expect(asked).toMatch(/to 26\.5 at priority 8 for 10 minutes/);
    expect(
      (await api<{ overrides: unknown[] }>(base, "/api/points/overrides", { token: admin })).body.overrides,
    ).toHaveLength(0);

    page.once("dialog", (d) => void d.accept());
    await page.getByTestId("override-start").click();
    const shown = page.locator('[data-testid="override"]');
    await shown.waitFor({ timeout: 10_000 });
    expect(await shown.getByTestId("override-shown-value").textContent()).toBe("26.5");
    expect(await shown.textContent()).toMatch(/Zone Temp Setpoint|analogValue:1/);
    expect(await shown.getByTestId("override-left").textContent()).toMatch(/^\d+ min \d\d s left$/);
    await expect.poll(slot8).toBe(26.5);
    await screenshot(page, "override");

    let endAsked = "";
    page.once("dialog", (d) => {
      endAsked = d.message();
      void d.accept();
    });
    await shown.getByTestId("override-end").click();
    await expect.poll(() => shown.count()).toBe(0);
    expect(endAsked).toMatch(/26\.5 at priority 8/);
    await expect.poll(slot8).toBeNull();
    const audit = await api<{ records: { action: string; result: string }[] }>(
      base,
      "/api/audit?action=point.override",
      { token: admin },
    );
    expect(audit.body.records.map((r) => `${r.action} ${r.result}`).sort()).toEqual([
      "point.override ok",
      "point.override.end ok",
    ]);
  });

  it("shows the debugger's pins and paused flows, resumes and removes a pin after confirming", async () => {
    const { page } = browser;
    const flowId = (await api<{ flows: { flow_id: string }[] }>(base, "/api/flows", { token: admin })).body
      .flows[0]!.flow_id;
    const send = (method: string, path: string, body?: unknown) =>
      api<{ id?: string; paused?: { scan: number } | null }>(base, path, { method, body, token: admin });
    const pin = await send("POST", `/api/debug/flows/${flowId}/pins`, {
      point: "bacnet:1001/analogInput:1",
      value: 19.5,
      expires_in_s: 600,
    });
    expect(pin.status).toBe(201);
    await send("PUT", `/api/debug/flows/${flowId}/breakpoints`, { nodes: ["warm"], max_pause_s: 600 });
    await openView(page, base, "operate", admin);
    const shownPin = page.locator(`[data-testid="debug-pin"][data-id="${pin.body.id}"]`);
    await shownPin.waitFor({ timeout: 10_000 });
    expect(await shownPin.textContent()).toMatch(
      /point bacnet:1001\/analogInput:1\.presentValue= 19\.5 \(good\)/,
    );
    const paused = page.locator(`[data-testid="debug-paused"][data-flow="${flowId}"]`);
    await paused.waitFor({ timeout: 10_000 });
    expect(await paused.textContent()).toMatch(/before node warm; its writes are held/);
    const scanBefore = (await send("GET", `/api/debug/flows/${flowId}`)).body.paused!.scan;
    page.once("dialog", (d) => void d.accept());
    await paused.getByTestId("debug-resume").click();
    // Resumed: the next scan reaches the breakpoint again.
    await expect
      .poll(async () => (await send("GET", `/api/debug/flows/${flowId}`)).body.paused?.scan ?? 0, {
        timeout: 10_000,
      })
      .toBeGreaterThan(scanBefore);
    await send("PUT", `/api/debug/flows/${flowId}/breakpoints`, { nodes: [] });
    await expect.poll(() => paused.count(), { timeout: 10_000 }).toBe(0);

    let asked = "";
    page.once("dialog", (d) => {
      asked = d.message();
      void d.accept();
    });
    await shownPin.getByTestId("debug-unpin").click();
    await expect.poll(() => shownPin.count(), { timeout: 10_000 }).toBe(0);
    expect(asked).toMatch(/^Remove the pin on point bacnet:1001\/analogInput:1/);
    const left = await api<{ pins: unknown[] }>(base, "/api/debug/pins", { token: admin });
    expect(left.body.pins).toEqual([]);
  });

  it("sets a parameter within its limits and shows the refusal outside them", async () => {
    const { page } = browser;
    await openView(page, base, "operate", admin);
    const row = page.locator('[data-testid="parameter"][data-name="zone_setpoint"]');
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain("limits 16 … 28 °C");
    await row.getByTestId("parameter-input").fill("23.5");
    let asked = "";
    page.once("dialog", (d) => {
      asked = d.message();
      void d.accept();
    });
    await row.getByTestId("parameter-set").click();
    await expect.poll(() => row.getByTestId("parameter-value").textContent()).toBe("23.5");
    expect(asked).toBe("Set Zone setpoint (zone_setpoint) from 22 to 23.5 °C?");

    await row.getByTestId("parameter-input").fill("40");
    page.once("dialog", (d) => void d.accept());
    await row.getByTestId("parameter-set").click();
    await expect
      .poll(() => row.getByTestId("parameter-set-error").textContent())
      .toBe("value: must be at most 28 °C");
    const refused = await api<{ errors: { path: string; message: string }[] }>(
      base,
      "/api/execution/parameters/zone_setpoint",
      { method: "PUT", body: { value: 40 }, token: admin },
    );
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([{ path: "value", message: "must be at most 28 °C" }]);
    expect(await row.getByTestId("parameter-value").textContent()).toBe("23.5");
  });

  it("resets a latch after confirming", async () => {
    const { page } = browser;
    const setTrip = (value: boolean) =>
      api(base, "/api/execution/parameters/trip_test", { method: "PUT", body: { value }, token: admin });
    // Trip it, then take the set away: the latch holds until someone resets it.
    expect((await setTrip(true)).status).toBe(200);
    await openView(page, base, "operate", admin);
    const latch = page.locator('[data-testid="latch"][data-node="trip"]');
    await expect
      .poll(() => latch.getByTestId("latch-state").textContent(), { timeout: 10_000 })
      .toBe("Latched");
    expect((await setTrip(false)).status).toBe(200);
    await page.waitForTimeout(1500);
    expect(await latch.getByTestId("latch-state").textContent()).toBe("Latched");
    let asked = "";
    page.once("dialog", (d) => {
      asked = d.message();
      void d.accept();
    });
    await latch.getByTestId("latch-reset").click();
    expect(asked).toMatch(/^Reset the latch "Trip latch"\?/);
    await expect
      .poll(() => latch.getByTestId("latch-state").textContent(), { timeout: 10_000 })
      .toBe("Clear");
    const audit = await api<{ records: { action: string; target: string; result: string }[] }>(
      base,
      "/api/audit?action=latch.reset",
      { token: admin },
    );
    expect(audit.body.records.map((r) => `${r.target} ${r.result}`)).toEqual(["trip ok"]);
  });

  it("shows the alarm banner with count and priority on a page other than Execution, and acknowledges there", async () => {
    const { page } = browser;
    await openView(page, base, "points", admin);
    const banner = page.getByTestId("alarm-banner");
    await banner.waitFor({ timeout: 20_000 });
    expect(await page.getByTestId("alarm-count").textContent()).toBe("1 open alarm");
    expect(await page.getByTestId("alarm-worst").textContent()).toBe("high");
    await page.getByTestId("alarm-banner-toggle").click();
    const alert = banner.locator('[data-testid="alert"][data-key="op-zone-warm"]');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Zone warm: [\d.]+/);
    await screenshot(page, "alarm-banner");
    await alert.getByTestId("alert-ack").click();
    // The form names what is acknowledged; its comment stays with the alarm.
    const confirm = alert.getByTestId("alert-ack-confirm");
    expect(await confirm.textContent()).toBe("Acknowledge this high alarm");
    await alert.getByTestId("alert-ack-comment").fill("Tenant asked for 24 °C; setpoint checked");
    await confirm.click();
    await expect.poll(() => alert.getAttribute("data-state")).toBe("acknowledged");
    await expect
      .poll(() => alert.getByTestId("alert-ack-note").textContent())
      .toMatch(/: Tenant asked for 24 °C; setpoint checked$/);
    const { body } = await api<{ alerts: { key: string; state: string }[] }>(base, "/api/alerts", {
      token: admin,
    });
    expect(body.alerts.find((a) => a.key === "op-zone-warm")?.state).toBe("acknowledged");
  });
});
