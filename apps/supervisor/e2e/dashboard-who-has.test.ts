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

// Own loopback range (127.0.80.0/24, the bacnet3 range: .31-.32 here) and ports 47885-47886.
const SIM_BIND = "127.0.80.31";
const SIM_PORT = 47885;
const SUP_BIND = "127.0.80.32";
const SUP_PORT = 47886;
const DEVICE = 1001; // the skeleton site's controller

/**
 * Who-Has on the dashboard's Devices view, in headless Chromium against the simulator over real UDP:
 * an admin finds an object by name and by id (and the search is audited); a viewer and an operator do
 * not see the card, and the route refuses them anyway.
 */
describe("dashboard: Who-Has for admins", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  let browser: BrowserSession;
  const page = () => browser.page;

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: "skeleton" });
    sup = await startSupervisor({
      bacnetBind: SUP_BIND,
      bacnetPort: SUP_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
    });
    await api(sup.url, "/api/devices/discover?wait=true", { body: { timeout_ms: 1500 }, token: sup.token });
    browser = await openBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sup?.stop();
    await sim?.stop();
  });

  it("finds an object by name and by type:instance, and the search is audited", async () => {
    await openView(page(), sup.url, "devices", sup.token);
    const card = page().getByTestId("who-has");
    await card.getByTestId("who-has-query").fill("Zone Temp Setpoint");
    await card.getByTestId("who-has-search").click();
    const hit = card.locator(`[data-testid="who-has-hit"][data-device="${DEVICE}"]`);
    await hit.waitFor({ timeout: 10_000 });
    expect(await hit.textContent()).toMatch(
      new RegExp(`^Zone Temp Setpoint #${DEVICE} analogValue:1 · 127\\.0\\.80\\.31:${SIM_PORT}$`),
    );

    await card.getByTestId("who-has-query").fill("binaryOutput:1");
    await card.getByTestId("who-has-search").click();
    await expect
      .poll(async () => card.locator(`[data-testid="who-has-hit"][data-device="${DEVICE}"]`).textContent(), {
        timeout: 10_000,
      })
      .toContain("Cooling Cmd");

    await card.getByTestId("who-has-query").fill("noSuchType:1");
    await card.getByTestId("who-has-search").click();
    await card.getByTestId("who-has-error").waitFor({ timeout: 10_000 });
    expect(await card.getByTestId("who-has-results").count()).toBe(0);

    const audit = await api<{ records: AuditRecord[] }>(sup.url, "/api/audit?action=devices.who_has", {
      token: sup.token,
    });
    const results = audit.body.records.map((r) => r.result).sort();
    expect(results).toEqual(["failed", "ok", "ok"]); // the unknown type is a 422, audited as failed
  });

  it.each(["viewer", "operator"] as const)(
    "hides the card from the %s role (and the route refuses it)",
    async (role) => {
      const token = await api<{ secret: string }>(sup.url, "/api/auth/tokens", {
        body: { name: `${role} on the panel`, role },
        token: sup.token,
      });
      expect(token.status).toBe(201);
      await openView(page(), sup.url, "devices", token.body.secret);
      await page().getByTestId("devices-table").waitFor();
      await page().getByTestId("network-map").waitFor();
      expect(await page().getByTestId("who-has").count()).toBe(0);
      const refused = await api(sup.url, "/api/devices/who-has", {
        body: { object_name: "Zone Temp" },
        token: token.body.secret,
      });
      expect(refused.status).toBe(403);
    },
  );
});
