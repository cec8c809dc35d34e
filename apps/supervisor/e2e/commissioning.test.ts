import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { api, startSimulator, startSupervisor, tempDir } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageOf, skeletonFlow } from "../test/fixtures";
import { type BrowserSession, openBrowser } from "./support/browser";
import { openView } from "./support/dashboard";

// Reserved for this file: 127.0.66.0/24 (the commissioning helper's range), BACnet ports 47835-47836.
const SIM_BIND = "127.0.66.30";
const SIM_PORT = 47835;
const SUP_BIND = "127.0.66.31";
const SUP_PORT = 47836;

describe("commissioning from the dashboard", () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let sup: Awaited<ReturnType<typeof startSupervisor>>;
  let browser: BrowserSession;

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: "skeleton" });
    sup = await startSupervisor({
      bacnetBind: SUP_BIND,
      bacnetPort: SUP_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
      publicRead: false,
    });
    const found = await api<{ devices: { device_id: number }[] }>(
      sup.url,
      "/api/devices/discover?wait=true",
      {
        body: { timeout_ms: 1500 },
        token: sup.token,
      },
    );
    expect(found.body.devices.map((d) => d.device_id)).toContain(1001);
    const deployed = await api(sup.url, "/api/config/deploy", {
      body: packageOf(skeletonFlow({ limit: 24.5, name: "Zone cooling" }), "Skeleton plant"),
      token: sup.token,
    });
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(200);
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await sup?.stop();
    await sim?.stop();
  });

  it("runs the checks, lists the report and downloads it as a PDF with the table of points", async () => {
    const { page } = browser;
    const operator = await api<{ secret: string }>(sup.url, "/api/auth/tokens", {
      body: { name: "site engineer", role: "operator" },
      token: sup.token,
    });
    expect(operator.status).toBe(201);
    await openView(page, sup.url, "commissioning", operator.body.secret);
    await page.getByTestId("commissioning-person").fill("Ines Integrator");
    await page.getByTestId("commissioning-window").fill("1");
    await page.getByTestId("commissioning-run").click();

    const row = page.getByTestId("commissioning-row").first();
    await row.getByTestId("commissioning-pdf").waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain("Ines Integrator");
    expect(await row.textContent()).toContain("Skeleton plant");
    expect(await row.textContent()).toMatch(/\d+ passed, 0 failed/);

    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: 30_000 }),
      row.getByTestId("commissioning-pdf").click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^cr-\d{8}-\d{6}-[0-9a-f]{6}\.pdf$/);
    const file = join(tempDir("commissioning-download"), "report.pdf");
    await download.saveAs(file);
    expect(readFileSync(file).subarray(0, 5).toString()).toBe("%PDF-");
    const text = execFileSync("pdftotext", ["-f", "1", "-l", "1", "-layout", file, "-"]).toString();
    expect(text).toContain("Commissioning report: Skeleton plant");
    expect(text).toContain("Point checkout");
    expect(text).toContain("bacnet:1001/analogInput:1");
    // The later sections follow on the next pages.
    const whole = execFileSync("pdftotext", ["-layout", file, "-"]).toString();
    expect(whole).toContain("Device communication");
    expect(whole).toContain("Customer representative");

    // The HTML beside it is served to the signed-in session too.
    const href = await row.getByTestId("commissioning-html").getAttribute("href");
    const html = await page.evaluate(async (url) => (await fetch(url!)).text(), href);
    expect(html).toContain("Signature and date");

    // Signed by this supervisor: the row and the card show the same key, and the JSON carries it.
    const fingerprint = (await page.getByTestId("commissioning-key-fingerprint").textContent()) ?? "";
    expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(await row.getByTestId("commissioning-signature").textContent()).toContain(
      `signed ${fingerprint.slice(0, 11)}`,
    );
    expect(html).toContain(fingerprint);
    const jsonHref = await row.getByTestId("commissioning-json").getAttribute("href");
    const signed = await page.evaluate(async (url) => (await fetch(url!)).json(), jsonHref);
    expect(signed.signature.fingerprint).toBe(fingerprint);
  });
});
