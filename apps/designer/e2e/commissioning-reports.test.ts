import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { api, eventually, type SupervisorHandle, tempDir } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserSession } from "./support/browser";
import type { DesignerHandle } from "./support/designer";
import { createProjectInUi } from "./support/projects";
import { type DesignerStack, startDemoPlantStack } from "./support/stack";

// Reserved for this file: 127.0.66.0/24 (the commissioning helper's range), BACnet ports 47835-47836.
const SIM_BIND = "127.0.66.50";
const SIM_PORT = 47835;
const SUP_BIND = "127.0.66.51";
const SUP_PORT = 47836;

/**
 * Issue 16: a commissioning report stored on the supervisor is listed on the Designer's deploy page and
 * downloaded as a PDF through the Designer's runtime proxy (the browser never holds the supervisor token).
 */
/** A report signing key fingerprint that is not the supervisor's (its key is made at its first start). */
const OTHER_KEY = Array.from({ length: 32 }, (_, i) =>
  ((i * 17) % 256).toString(16).padStart(2, "0").toUpperCase(),
).join(":");

describe("Designer: commissioning reports of a supervisor", () => {
  let stack: DesignerStack;
  let sup: SupervisorHandle;
  let designer: DesignerHandle;
  let browser: BrowserSession;
  let reportId: string;

  beforeAll(async () => {
    stack = await startDemoPlantStack({
      simBind: SIM_BIND,
      simPort: SIM_PORT,
      supervisorBind: SUP_BIND,
      supervisorPort: SUP_PORT,
      // The local supervisor's report key pinned to another key (as after a rotation, or for a forged
      // report): its reports must be marked as not signed by the pinned key.
      designerEnv: { BMS_SUPERVISOR_REPORT_KEY_FINGERPRINT: OTHER_KEY },
    });
    ({ sup, designer, browser } = stack);
    const started = await api<{ id: string }>(sup.url, "/api/commissioning/runs", {
      body: { person: "Ines Integrator", devices: { samples: 2 }, checkout: {} },
      token: sup.token,
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    reportId = started.body.id;
    await eventually(async () => {
      const r = await api<{ status: string }>(sup.url, `/api/commissioning/runs/${reportId}`, {
        token: sup.token,
      });
      return r.body.status === "done" ? true : undefined;
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("lists the report on the deploy page and downloads its PDF through the runtime proxy", async () => {
    const { page } = browser;
    const projectId = await createProjectInUi(page, designer.url, "Commissioned plant");
    await page.goto(`${designer.url}/projects/${projectId}/deploy`);
    const list = page.getByTestId("commissioning-reports-default");
    const row = list.getByTestId("commissioning-report").first();
    await row.waitFor({ timeout: 20_000 });
    expect(await row.textContent()).toContain("Ines Integrator");
    expect(await row.textContent()).toMatch(/\d+ passed, 0 failed/);

    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: 30_000 }),
      row.getByTestId("commissioning-report-pdf").click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${reportId}.pdf`);
    const file = join(tempDir("designer-commissioning"), "report.pdf");
    await download.saveAs(file);
    expect(readFileSync(file).subarray(0, 5).toString()).toBe("%PDF-");
    const text = execFileSync("pdftotext", ["-f", "1", "-l", "1", "-layout", file, "-"]).toString();
    expect(text).toContain("Commissioning report: Demo plant");
    expect(text).toContain("Point checkout");
    expect(text).toContain("bacnet:3001/analogInput:1");

    // The supervisor signed it: the row names the key, and the signed JSON comes through the proxy.
    const signature = row.getByTestId("commissioning-report-signature");
    expect(await signature.getAttribute("data-state")).toBe("other_key");
    expect(await signature.textContent()).toMatch(
      /^signed by [0-9A-F]{2}(:[0-9A-F]{2}){3}….*, NOT the pinned key 00:11:22:33…/,
    );
    const jsonHref = await row.getByTestId("commissioning-report-json").getAttribute("href");
    const signed = await page.evaluate(async (url) => (await fetch(url!)).json(), jsonHref);
    expect(signed.id).toBe(reportId);
    expect(signed.signature.algorithm).toBe("Ed25519");

    // A path outside the rules never leaves the Designer, and a report id is checked by the supervisor.
    const refused = await page.evaluate(async () => {
      const r = await fetch("/api/runtime/commissioning/runs/..%2F..%2Fetc/report.pdf");
      return r.status;
    });
    expect([400, 404, 422]).toContain(refused);
  });
});
