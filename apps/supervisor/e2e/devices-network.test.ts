import { readFileSync } from "node:fs";
import type { AuditRecord } from "@bms/schemas";
import {
  api,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSession, openBrowser } from "./support/browser";
import { openView } from "./support/dashboard";

// Own loopback range (127.0.61.0/24, the bacnet-ui range) and ports no other dashboard test uses.
const SIM_BIND = "127.0.61.80";
const SIM_PORT = 47818;
const SUP_PORT = 47819;
const NETWORK = 2301;
const routed = (mac: number) => 200_000 + mac;

/**
 * The dashboard's Devices view against two MS/TP-like controllers behind the simulator's router: the
 * network map, each device's route, a commissioning button that asks first, and the report download.
 */
describe("dashboard: the network map, a commissioning button and the device report", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  let browser: BrowserSession;
  const page = () => browser.page;
  const audit = async () =>
    (await api<{ records: AuditRecord[] }>(sup.url, "/api/audit?action=devices.", { token: sup.token })).body
      .records;

  beforeAll(async () => {
    sim = await startSimulator({
      bind: SIM_BIND,
      port: SIM_PORT,
      site: "skeleton",
      extraArgs: ["--routed", `${NETWORK}:2`, "--trunk-latency", "20-40"],
    });
    sup = await startSupervisor({ bacnetPort: SUP_PORT, broadcast: `127.255.255.255:${SIM_PORT}` });
    await api(sup.url, "/api/devices/discover?wait=true", { body: { timeout_ms: 2000 }, token: sup.token });
    browser = await openBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sup?.stop();
    await sim?.stop();
  });

  it("maps the router's network and shows each device's route", async () => {
    await openView(page(), sup.url, "devices", sup.token);
    const row = page().locator(`[data-testid="network-row"][data-network="${NETWORK}"]`);
    await expect
      .poll(async () => row.getByTestId("network-device-count").textContent(), { timeout: 15_000 })
      .toBe("2");
    expect(await row.textContent()).toMatch(/router 127\.0\.61\.\d+:47818/);
    const device = page().locator(`[data-testid="device-row"][data-device="${routed(1)}"]`);
    expect(await device.getByTestId("device-route").textContent()).toMatch(
      new RegExp(`^127\\.0\\.61\\.\\d+:47818 → net ${NETWORK}, MAC 01$`),
    );
  });

  it("asks before a UTC time sync: dismissed sends nothing, accepted is sent and audited", async () => {
    const device = page().locator(`[data-testid="device-row"][data-device="${routed(1)}"]`);
    await device.getByTestId("device-tools-toggle").click();
    const tools = page().locator(`[data-testid="device-tools"][data-device="${routed(1)}"]`);
    await tools.waitFor();
    const before = (await audit()).length;
    const asked: string[] = [];
    page().once("dialog", (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await tools.getByTestId("device-utc-time-sync").click();
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toContain(`(#${routed(1)})`);
    expect((await audit()).length).toBe(before);

    page().once("dialog", (dialog) => void dialog.accept());
    await tools.getByTestId("device-utc-time-sync").click();
    await expect
      .poll(async () => tools.getByTestId("device-tools-outcome").textContent(), { timeout: 10_000 })
      .toContain("UTC time synchronization sent");
    expect((await audit()).find((r) => r.action === "devices.time_sync")).toMatchObject({
      result: "ok",
      target: `bacnet:${routed(1)}`,
    });
  });

  it("downloads the EPICS report from the supervisor", async () => {
    const tools = page().locator(`[data-testid="device-tools"][data-device="${routed(1)}"]`);
    const [download] = await Promise.all([
      page().waitForEvent("download", { timeout: 15_000 }),
      tools.getByTestId("device-report-text").click(),
    ]);
    expect(download.suggestedFilename()).toBe(`device-${routed(1)}-epics.txt`);
    const body = readFileSync(await download.path(), "utf8");
    expect(body.startsWith("PICS 0\n")).toBe(true);
    expect(body).toContain("Max APDU Length Accepted: 480");
    expect(body).toContain(`Route: `);
    expect(body).toContain(`net ${NETWORK} mac 01`);
  });
});
