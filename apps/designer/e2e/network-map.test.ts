import { readFileSync } from "node:fs";
import { api } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProjectInUi } from "./support/projects";
import { type DesignerStack, startDesignerStack } from "./support/stack";

// Own loopback range (127.0.61.0/24, the bacnet-ui range) and ports no other browser test uses.
const SIM_BIND = "127.0.61.60";
const SIM_PORT = 47815;
const SUP_PORT = 47816;
const NETWORK = 2201;
/** The simulator's `--routed` instances: 200000 + 1000 × network position + MAC. */
const routed = (mac: number) => 200_000 + mac;
const PASSWORD = "e2e-Dcc-Secret";

interface AuditRecord {
  action: string;
  result: string;
  target?: string;
  details?: unknown;
}

/**
 * Issue 14 in the Designer's devices view: the network map (which networks sit behind which router,
 * devices per network, each device's route), Who-Has, a commissioning service that confirms first,
 * and the EPICS device report downloaded as text and JSON. Three MS/TP-like controllers sit behind
 * the simulator's router on network 2201, beside the skeleton's IP controller.
 */
describe("Designer: the BACnet network map, commissioning buttons and the device report", () => {
  let stack: DesignerStack;
  const page = () => stack.browser.page;
  const audit = async () =>
    (
      await api<{ records: AuditRecord[] }>(stack.sup.url, "/api/audit?action=devices.", {
        token: stack.sup.token,
      })
    ).body.records;

  beforeAll(async () => {
    stack = await startDesignerStack({
      simBind: SIM_BIND,
      simPort: SIM_PORT,
      supervisorPort: SUP_PORT,
      simArgs: ["--routed", `${NETWORK}:3`, "--trunk-latency", "20-40"],
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("maps the router's network with its devices and shows each device's route", async () => {
    await createProjectInUi(page(), stack.designer.url, "Network map");
    await page().getByTestId("side-tab-bacnet").click();
    await page().getByTestId("bacnet-discover").click();
    await page()
      .getByTestId(`bacnet-device-${routed(3)}`)
      .waitFor({ timeout: 15_000 });
    const net = page().getByTestId(`network-map-net-${NETWORK}`);
    await expect
      .poll(async () => net.getByTestId("network-device-count").textContent(), { timeout: 10_000 })
      .toBe("3");
    const router = page().getByTestId("network-map-router");
    expect(await router.count()).toBe(1);
    const routerAddress = await router.getAttribute("data-router");
    expect(routerAddress).toMatch(/^127\.0\.61\.\d+:47815$/);
    expect(await page().getByTestId("network-map-local").textContent()).toContain("1 devices");
    expect(
      await page()
        .getByTestId(`bacnet-device-route-${routed(2)}`)
        .textContent(),
    ).toBe(`#${routed(2)} ${routerAddress} → net ${NETWORK}, MAC 02`);
  });

  it("finds an object with Who-Has and shows where it answered from", async () => {
    await page().getByTestId("who-has-query").fill("Trunk 2201 Controller 003");
    await page().getByTestId("who-has-search").click();
    const hit = page().getByTestId("who-has-hit");
    await hit.first().waitFor({ timeout: 10_000 });
    expect(await hit.count()).toBe(1);
    expect(await hit.textContent()).toContain(`#${routed(3)} device:${routed(3)}`);
    expect(await hit.textContent()).toContain(`net ${NETWORK}, MAC 03`);
  });

  it("asks before a commissioning service, sends nothing on cancel, and never keeps the password", async () => {
    await page()
      .getByTestId(`bacnet-device-toggle-${routed(2)}`)
      .click();
    const tools = page().getByTestId(`device-tools-${routed(2)}`);
    await tools.waitFor();

    const before = (await audit()).length;
    await tools.getByTestId("device-utc-time-sync").click();
    const dialog = tools.getByTestId("device-confirm");
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(
      `UTC time synchronization on Trunk 2201 Controller 002 (#${routed(2)})?`,
    );
    await tools.getByTestId("device-confirm-cancel").click();
    expect(await dialog.count()).toBe(0);
    expect((await audit()).length).toBe(before);

    await tools.getByTestId("device-utc-time-sync").click();
    await tools.getByTestId("device-confirm-send").click();
    await expect
      .poll(async () => tools.getByTestId("device-tools-outcome").textContent(), { timeout: 10_000 })
      .toContain("UTC time synchronization sent");
    const sync = (await audit()).find((r) => r.action === "devices.time_sync");
    expect(sync).toMatchObject({ result: "ok", target: `bacnet:${routed(2)}`, details: { utc: true } });

    // DCC "enable" with a password (the device has none set, so any is taken).
    await tools.getByTestId("device-communication").click();
    await tools.getByTestId("device-dcc-state").selectOption("enable");
    await tools.getByTestId("device-dcc-minutes").fill("0");
    await tools.getByTestId("device-password").fill(PASSWORD);
    await tools.getByTestId("device-confirm-send").click();
    await expect
      .poll(async () => tools.getByTestId("device-tools-outcome").textContent(), { timeout: 10_000 })
      .toContain("Device communication control sent");
    const dcc = (await audit()).find((r) => r.action === "devices.communication_control");
    expect(dcc).toMatchObject({ result: "ok", details: { state: "enable", minutes: 0 } });
    expect(JSON.stringify(await audit())).not.toContain(PASSWORD);
    // Opened again, the form is empty: the password lived for that one request.
    await tools.getByTestId("device-communication").click();
    expect(await tools.getByTestId("device-password").inputValue()).toBe("");
    expect(await page().content()).not.toContain(PASSWORD);
    await tools.getByTestId("device-confirm-cancel").click();
  });

  it("downloads the routed device's EPICS report as text and as JSON", async () => {
    const tools = page().getByTestId(`device-tools-${routed(2)}`);
    const [text] = await Promise.all([
      page().waitForEvent("download", { timeout: 15_000 }),
      tools.getByTestId("device-report-text").click(),
    ]);
    expect(text.suggestedFilename()).toBe(`device-${routed(2)}-epics.txt`);
    const body = readFileSync(await text.path(), "utf8");
    expect(body.startsWith("PICS 0\n")).toBe(true);
    expect(body).toContain(`Object Name: "Trunk 2201 Controller 002"`);
    expect(body).toContain("Max APDU Length Accepted: 480");
    expect(body).toContain("Segmentation Capability: no-segmentation");
    expect(body).toContain("  readPropertyMultiple\n");
    expect(body).toContain("  analogValue: 10");

    const [json] = await Promise.all([
      page().waitForEvent("download", { timeout: 15_000 }),
      tools.getByTestId("device-report-json").click(),
    ]);
    expect(json.suggestedFilename()).toBe(`device-${routed(2)}-epics.json`);
    const report = JSON.parse(readFileSync(await json.path(), "utf8")) as Record<string, unknown>;
    expect(report).toMatchObject({
      device_id: routed(2),
      max_apdu: 480,
      route: { network: NETWORK, mac: [2] },
      object_list: { total: 21 },
    });
  });
});
