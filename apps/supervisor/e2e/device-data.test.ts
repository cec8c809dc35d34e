import type { FlowConfigurationInput } from "@bms/schemas";
import {
  api,
  discoverDevice,
  notificationClass,
  outOfRangeTemperature,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
  testFlow,
  writeSiteFile,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openProbe } from "../test/bacnet-probe";
import { packageOf } from "../test/fixtures";
import { type BrowserSession, openBrowser } from "./support/browser";
import { openView } from "./support/dashboard";
import { screenshot } from "./support/screenshots";

// A device's own data on the dashboard: its Trend Log's records before the supervisor started are
// shaded on the history chart as backfilled, and its out-of-range alarm appears in the alarm banner
// beside flow alarms and is acknowledged there (AcknowledgeAlarm to the device).
// 127.0.62.2x belongs to this file (ports 47819-47821 on it).
const SIM_BIND = "127.0.62.22";
const SIM_PORT = 47819;
const SUP_BIND = "127.0.62.21";
const SUP_PORT = 47820;
const PROBE = { bind: "127.0.62.23", port: 47821 };
const DEVICE = 6203;
const TEMP = `bacnet:${DEVICE}/analogInput:1`;
const KEY = TEMP;
/** User text with markup in it: it must reach the row as text. */
const COMMENT = '  Filter change <b>on AHU</b> & "supply fan" off  ';

function siteFile(): string {
  const site = {
    name: "Device data",
    devices: [
      {
        instance: DEVICE,
        name: "AHU Data",
        objects: [
          outOfRangeTemperature(1, "Supply Temp"),
          { type: "binaryOutput", instance: 1, name: "Cooling" },
        ],
        notificationClasses: [notificationClass(1, "Critical", { ackRequired: [true, true, false] })],
        trendLogs: [
          { instance: 1, name: "Supply Log", object: "analogInput:1", intervalS: 1, bufferSize: 300 },
        ],
      },
    ],
  };
  return writeSiteFile("device-data-site", site);
}

function flow(): FlowConfigurationInput {
  return testFlow({
    name: "Supply cooling",
    intervalMs: 1000,
    nodes: [
      { id: "temp", type: "sensor_read", position: { x: 0, y: 0 }, config: { point: TEMP } },
      { id: "hot", type: "threshold", position: { x: 250, y: 0 }, config: { operator: ">", value: 26 } },
      {
        id: "cool",
        type: "actuator_write",
        position: { x: 500, y: 0 },
        config: { point: `bacnet:${DEVICE}/binaryOutput:1`, priority: 8 },
      },
    ],
    connections: [
      { from_node: "temp", from_output: "value", to_node: "hot", to_input: "value" },
      { from_node: "hot", from_output: "result", to_node: "cool", to_input: "value" },
    ],
  });
}

describe("device trend logs and alarms on the dashboard", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  let browser: BrowserSession;

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: siteFile() });
    // The device logs for a while before the supervisor exists: those records are backfilled.
    await new Promise((r) => setTimeout(r, 4000));
    sup = await startSupervisor({
      bacnetBind: SUP_BIND,
      bacnetPort: SUP_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
      env: {
        BMS_DEVICE_ALARMS: "auto",
        BMS_DEVICE_ALARM_PASS_S: "1",
        BMS_TREND_BACKFILL_INTERVAL_S: "1",
      },
    });
    await discoverDevice(sup, DEVICE);
    const deploy = await api(sup.url, "/api/config/deploy", {
      body: packageOf(flow(), "Device data"),
      token: sup.token,
    });
    expect(deploy.status, JSON.stringify(deploy.body)).toBe(200);
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await sup?.stop();
    await sim?.stop();
  });

  it("shades and counts the samples backfilled from the device's trend log", async () => {
    const { page } = browser;
    await openView(page, sup.url, "history", sup.token);
    const chart = page.locator('[data-testid="history-chart"]').first();
    await chart.waitFor();
    await expect
      .poll(async () => Number(await chart.getAttribute("data-backfilled")), {
        timeout: 20_000,
        interval: 500,
      })
      .toBeGreaterThanOrEqual(3);
    const caption = await chart.locator(".backfilled").textContent();
    expect(caption).toMatch(/\d+ backfilled from the device's trend log/);
    // The count is the API's: the ranges it returns for this point.
    const { body } = await api<{ series: { backfilled: { samples: number }[] }[] }>(
      sup.url,
      `/api/data/timeseries?points=${encodeURIComponent(TEMP)}&from=-15m`,
    );
    const counted = body.series[0]!.backfilled.reduce((n, r) => n + r.samples, 0);
    expect(Number(await chart.getAttribute("data-backfilled"))).toBeLessThanOrEqual(counted);
    await screenshot(page, "history-backfilled");
  });

  it("shows a device alarm in the alarm banner and acknowledges it on the device", async () => {
    const { page } = browser;
    await api(sim.webUrl, `/api/devices/${DEVICE}/objects/analogInput/1/override`, { body: { value: 33 } });
    await openView(page, sup.url, "points", sup.token);
    const banner = page.getByTestId("alarm-banner");
    await banner.waitFor({ timeout: 20_000 });
    await page.getByTestId("alarm-banner-toggle").click();
    const alert = banner.locator(`[data-testid="alert"][data-key="${KEY}"]`);
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.textContent()).toContain("Supply Temp above its high limit (33, limit 30)");
    // The values decoded from the notification itself, with the object's unit (not the device's text).
    expect(await alert.textContent()).toContain("out of range: 33 °C above high limit 30, deadband 1");
    await screenshot(page, "device-alarm-banner");
    // A viewer sees the alarm and no way to acknowledge it (the route would refuse them anyway).
    const viewer = await api<{ secret: string }>(sup.url, "/api/auth/tokens", {
      body: { name: "lobby screen", role: "viewer" },
      token: sup.token,
    });
    await openView(page, sup.url, "points", viewer.body.secret);
    await page.getByTestId("alarm-banner-toggle").click();
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.getAttribute("data-state")).toBe("active");
    expect(await alert.getByTestId("alert-ack").count()).toBe(0);

    // An operator acknowledges with a comment; the form checks it as the supervisor will.
    await openView(page, sup.url, "points", sup.token);
    await page.getByTestId("alarm-banner-toggle").click();
    await alert.getByTestId("alert-ack").click();
    const box = alert.getByTestId("alert-ack-comment");
    expect(await box.getAttribute("maxlength")).toBe("500");
    // Over the limit (set past the box's own maxlength, as a pasted text could be): said, kept, not sent.
    await box.evaluate((el, text) => {
      const area = el as HTMLTextAreaElement;
      area.value = text;
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }, "x".repeat(501));
    await alert.getByTestId("alert-ack-confirm").click();
    expect(await alert.getByTestId("alert-ack-error").textContent()).toBe(
      "the comment is at most 500 characters",
    );
    expect(await alert.getAttribute("data-state")).toBe("active");
    await box.fill(COMMENT);
    await screenshot(page, "device-alarm-ack-comment");
    await alert.getByTestId("alert-ack-confirm").click();
    await expect.poll(() => alert.getAttribute("data-state")).toBe("acknowledged");
    const { body } = await api<{
      alerts: { key: string; state: string; acked_by: string; ack_comment: string }[];
    }>(sup.url, "/api/alerts", { token: sup.token });
    const row = body.alerts.find((a) => a.key === KEY);
    expect(row).toMatchObject({ state: "acknowledged", ack_comment: COMMENT.trim() });
    // The comment is on the row, as text: the markup in it is shown, not made into elements.
    const note = alert.getByTestId("alert-ack-note");
    await expect.poll(() => note.textContent()).toBe(`${row?.acked_by}: ${COMMENT.trim()}`);
    expect(await note.locator("b").count()).toBe(0);
    // The device itself holds the acknowledgement: Acked_Transitions' to-offnormal bit is set.
    const probe = await openProbe(PROBE.bind, PROBE.port);
    try {
      const [bits] = await probe.read(`${SIM_BIND}:${SIM_PORT}`, 0, 1, 0);
      expect(((bits as { value: number[] }).value[0] ?? 0) & 1).toBe(1);
    } finally {
      probe.close();
    }
  });
});
