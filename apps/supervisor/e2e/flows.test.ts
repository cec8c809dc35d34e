import { DEMO_FLOW_IDS } from "@bms/nodes/starters";
import {
  api,
  eventually,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSession, openBrowser } from "./support/browser";
import { openView } from "./support/dashboard";

// Reserved for this file: 127.0.46.0/24 (the .40 block), BACnet ports 47889, 47892.
const SIM_BIND = "127.0.46.40";
const SIM_PORT = 47889;
const SUP_PORT = 47892;
const VAV1_DAMPER = "bacnet:3001/analogOutput:1.presentValue";

/**
 * The dashboard with the demo site as `pnpm start` deploys it on a first start: the flows list with
 * live state and per-flow controls, the picture of any flow, and who uses a point.
 */
describe("dashboard: a site of flows", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  let browser: BrowserSession;

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: "demo" });
    sup = await startSupervisor({
      bacnetBind: "127.0.46.1",
      bacnetPort: SUP_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
      extraArgs: ["--first-start-demo"],
    });
    await eventually(async () => {
      const { body } = await api<{ flows: { scan_count: number }[] }>(sup.url, "/api/flows");
      return body.flows.length === 5 && body.flows.every((f) => f.scan_count > 0) ? true : undefined;
    }, 60_000);
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await sup?.stop();
    await sim?.stop();
  });

  it("lists every flow with its state and scans, and draws the flow picked from the list", async () => {
    const { page } = browser;
    await openView(page, sup.url, "execution");
    const rows = page.getByTestId("flow-row");
    await eventually(async () => ((await rows.count()) === 5 ? true : undefined));
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-status")))).toEqual(
      Array(5).fill("running"),
    );
    const vavRow = page.locator(`[data-testid=flow-row][data-flow="${DEMO_FLOW_IDS.vav}"]`);
    const scans = async () =>
      Number(
        ((await vavRow.getByTestId("flow-row-scans").textContent()) ?? "").split(" ")[0]!.replace(/\D/g, ""),
      );
    const before = await scans();
    await eventually(async () => ((await scans()) > before ? true : undefined), 15_000);

    // The first flow is drawn by default; picking another draws that one, with its own nodes.
    await page.getByTestId("flow-picture").waitFor();
    expect(await page.getByTestId("flow-picture").getAttribute("aria-label")).toMatch(
      /^Flow AHU-1: \d+ nodes$/,
    );
    await vavRow.getByTestId("flow-pick").click();
    await eventually(async () =>
      (await page.getByTestId("flow-picture").getAttribute("aria-label")) === "Flow VAV boxes: 10 nodes"
        ? true
        : undefined,
    );
    expect(page.url()).toContain(`#/execution?flow=${DEMO_FLOW_IDS.vav}`);
    // The picker above the picture says the same and switches too.
    await page.getByTestId("flow-picker").selectOption(DEMO_FLOW_IDS.lighting);
    await eventually(async () =>
      (await page.getByTestId("flow-picture").getAttribute("aria-label")) ===
      "Flow Lighting schedule: 5 nodes"
        ? true
        : undefined,
    );
  });

  it("stops and starts one flow after a confirmation, leaving the others running", async () => {
    const { page } = browser;
    await openView(page, sup.url, "execution", sup.token);
    const hw = page.locator(`[data-testid=flow-row][data-flow="${DEMO_FLOW_IDS.hw}"]`);
    await hw.waitFor();
    // Dismissing the confirmation changes nothing.
    page.once("dialog", (dialog) => void dialog.dismiss());
    await hw.getByTestId("flow-row-stop").click();
    await new Promise((r) => setTimeout(r, 500));
    expect(await hw.getAttribute("data-status")).toBe("running");

    let asked = "";
    page.once("dialog", (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await hw.getByTestId("flow-row-stop").click();
    await eventually(async () => ((await hw.getAttribute("data-status")) === "stopped" ? true : undefined));
    expect(asked).toContain('Stop the flow "HW plant"?');
    const statuses = await page
      .getByTestId("flow-row")
      .evaluateAll((els) => els.map((e) => [e.getAttribute("data-flow"), e.getAttribute("data-status")]));
    expect(statuses.filter(([, s]) => s === "running").map(([id]) => id)).not.toContain(DEMO_FLOW_IDS.hw);
    expect(statuses.filter(([, s]) => s === "running")).toHaveLength(4);

    page.once("dialog", (dialog) => void dialog.accept());
    await hw.getByTestId("flow-row-start").click();
    await eventually(async () => ((await hw.getAttribute("data-status")) === "running" ? true : undefined));
  });

  it("shows which flows read or command a point, by flow and node", async () => {
    const { page } = browser;
    await page.goto(`${sup.url}/#/points?point=${encodeURIComponent(VAV1_DAMPER)}`);
    await page.reload();
    const detail = page.getByTestId("point-detail");
    await detail.waitFor();
    const uses = detail.getByTestId("point-use");
    await eventually(async () => ((await uses.count()) > 0 ? true : undefined));
    expect(
      await uses.evaluateAll((els) =>
        els.map((e) => [
          e.getAttribute("data-flow"),
          e.getAttribute("data-node"),
          e.getAttribute("data-role"),
        ]),
      ),
    ).toEqual([[DEMO_FLOW_IDS.vav, "vav_1", "write"]]);
    expect(await uses.first().textContent()).toContain("VAV boxes · VAV-1");
  });
});
