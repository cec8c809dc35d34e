import { request as httpRequest } from "node:http";
import { createServer as createHttpsServer, type Server } from "node:https";
import { loadOrCreateSelfSigned, type TlsMaterial } from "@bms/security";
import { type SupervisorHandle, tempDir } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserSession } from "./support/browser";
import type { DesignerHandle } from "./support/designer";
import { documentScreenshot } from "./support/screenshots";
import { type DesignerStack, startDesignerStack } from "./support/stack";

// Own loopback addresses and ports: no other test file uses them.
const SIM_BIND = "127.0.0.44";
const SIM_PORT = 47828;
const SUP_PORT = 47829;
const TLS_HOST = "127.0.23.10";
/** Where the supervisor "moves" to in the URL-change step. */
const MOVED_HOST = "127.0.23.11";
const TLS_PORT = 18444;

/**
 * The supervisor behind TLS, as `--tls self-signed` would serve it: a real https server on loopback that
 * relays every request to the real supervisor. Restarting it with another certificate simulates a
 * replaced (or impostor) supervisor at the same address.
 */
async function startTlsFront(material: TlsMaterial, upstream: string, host = TLS_HOST): Promise<Server> {
  const target = new URL(upstream);
  const server = createHttpsServer({ cert: material.cert, key: material.key }, (req, res) => {
    const relay = httpRequest(
      // As a reverse proxy does: the supervisor checks Host against its allowlist, so name the upstream.
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    relay.on("error", () => res.destroy());
    req.pipe(relay);
  });
  await new Promise<void>((resolve) => server.listen(TLS_PORT, host, resolve));
  return server;
}

describe("Settings: supervisor registry, token re-entry and certificate pinning in the browser", () => {
  let stack: DesignerStack | undefined;
  let sup: SupervisorHandle;
  let designer: DesignerHandle;
  let browser: BrowserSession;
  let first: TlsMaterial;
  let second: TlsMaterial;
  let front: Server | undefined;
  let moved: Server | undefined;
  let id = "";

  const page = () => browser.page;
  const swapCertificate = async (material: TlsMaterial) => {
    await new Promise<void>((resolve) => {
      front?.close(() => resolve());
      front?.closeAllConnections();
      if (!front) resolve();
    });
    front = await startTlsFront(material, sup.url);
  };
  const resultOf = (supervisorId: string) => page().getByTestId(`supervisor-test-result-${supervisorId}`);

  beforeAll(async () => {
    stack = await startDesignerStack({ simBind: SIM_BIND, simPort: SIM_PORT, supervisorPort: SUP_PORT });
    ({ sup, designer, browser } = stack);
    first = await loadOrCreateSelfSigned(tempDir("e2e-tls-first"), [TLS_HOST]);
    second = await loadOrCreateSelfSigned(tempDir("e2e-tls-second"), [TLS_HOST]);
    await swapCertificate(first);
  });

  afterAll(async () => {
    for (const server of [front, moved]) {
      server?.closeAllConnections();
      server?.close();
    }
    await stack?.stop();
  });

  it("refuses a URL whose query or fragment could redirect the calls", async () => {
    await page().goto(`${designer.url}/settings`);
    await page().getByTestId("supervisor-name").fill("Sneaky");
    await page().getByTestId("supervisor-url").fill(`${sup.url}?next=http://127.0.0.9`);
    await page().getByTestId("supervisor-token").fill(sup.token);
    await page().getByTestId("supervisor-save").click();
    await expect
      .poll(() => page().getByTestId("settings-error").textContent())
      .toMatch(/url: a query string is not allowed here/);
    expect(
      await page().locator('[data-testid^="supervisor-row-"]').filter({ hasText: "Sneaky" }).count(),
    ).toBe(0);
    await page().getByTestId("settings-error").getByRole("button", { name: "Dismiss" }).click();
  });

  it("registers an https supervisor, shows its fingerprint, blocks a mismatching paste and pins it", async () => {
    await page().getByTestId("supervisor-name").fill("Roof");
    await page().getByTestId("supervisor-url").fill(`https://${TLS_HOST}:${TLS_PORT}`);
    await page().getByTestId("supervisor-token").fill(sup.token);
    await page().getByTestId("supervisor-save").click();
    const row = page().locator('[data-testid^="supervisor-row-"]').filter({ hasText: "Roof" });
    await row.waitFor();
    id = ((await row.getAttribute("data-testid")) ?? "").replace("supervisor-row-", "");

    // Saving ran the test at once: the self-signed certificate is shown, nothing was sent with the token.
    await expect.poll(() => resultOf(id).getAttribute("data-code")).toBe("certificate_unconfirmed");
    expect(await page().getByTestId(`certificate-fingerprint-${id}`).textContent()).toBe(
      first.fingerprint256,
    );
    await documentScreenshot(page(), "settings-certificate-confirm");

    // The admin pastes what the supervisor printed: another certificate's fingerprint blocks confirming.
    await page().getByTestId(`certificate-paste-${id}`).fill(second.fingerprint256);
    await page().getByTestId(`certificate-mismatch-${id}`).waitFor();
    expect(await page().getByTestId(`certificate-pin-${id}`).isDisabled()).toBe(true);
    // The right one, as a terminal prints it (lower case, no colons), is accepted.
    await page()
      .getByTestId(`certificate-paste-${id}`)
      .fill(first.fingerprint256.replace(/:/g, "").toLowerCase());
    expect(await page().getByTestId(`certificate-mismatch-${id}`).count()).toBe(0);
    await page().getByTestId(`certificate-pin-${id}`).click();

    await expect.poll(() => resultOf(id).getAttribute("data-ok")).toBe("true");
    expect(await resultOf(id).textContent()).toMatch(/^OK · \d+ ms/);
    expect(await page().getByTestId(`supervisor-certificate-${id}`).textContent()).toBe(
      `pinned ${first.fingerprint256.slice(0, 11)}…`,
    );

    // The browser learns that a token is set, never the token.
    const listing = await page().evaluate(async () => (await fetch("/api/supervisors")).text());
    expect(listing).not.toContain(sup.token);
    expect(JSON.parse(listing).supervisors.find((s: { id: string }) => s.id === id)).toMatchObject({
      has_token: true,
      tls_fingerprint: first.fingerprint256,
    });
    expect(await page().content()).not.toContain(sup.token);

    // The report signing key is pinned in the same form, pasted as a terminal prints it; the rest stays.
    expect(await page().getByTestId(`supervisor-report-key-${id}`).textContent()).toBe(
      "reports: key not pinned",
    );
    const reportKey = Array.from({ length: 32 }, (_, i) => ((i * 29) % 256).toString(16).padStart(2, "0"));
    await page().getByTestId(`supervisor-edit-${id}`).click();
    await page().getByTestId("supervisor-report-key").fill(reportKey.join(""));
    await page().getByTestId("supervisor-save").click();
    await expect
      .poll(() => page().getByTestId(`supervisor-report-key-${id}`).textContent())
      .toBe(`reports: key pinned ${reportKey.slice(0, 4).join(":").toUpperCase()}…`);
    expect(await page().getByTestId(`supervisor-certificate-${id}`).textContent()).toBe(
      `pinned ${first.fingerprint256.slice(0, 11)}…`,
    );
  });

  it("refuses a changed certificate with a clear error and lets the admin re-confirm it", async () => {
    await swapCertificate(second);
    await page().getByTestId(`supervisor-test-${id}`).click();
    await expect.poll(() => resultOf(id).getAttribute("data-code")).toBe("certificate_changed");
    expect(await resultOf(id).textContent()).toContain(
      `the supervisor's certificate changed: expected ${first.fingerprint256.slice(0, 11)}…`,
    );
    expect(await page().getByTestId(`certificate-fingerprint-${id}`).textContent()).toBe(
      second.fingerprint256,
    );
    await page().getByTestId(`certificate-pin-${id}`).click();
    await expect.poll(() => resultOf(id).getAttribute("data-ok")).toBe("true");
  });

  it("a new URL needs the token again; with it, the new address is tested and its certificate confirmed", async () => {
    moved = await startTlsFront(second, sup.url, MOVED_HOST);
    await page().getByTestId(`supervisor-edit-${id}`).click();
    await page().getByTestId("supervisor-url").fill(`https://${MOVED_HOST}:${TLS_PORT}`);
    expect(await page().getByTestId("supervisor-token").getAttribute("data-required")).toBe("true");
    await page().getByTestId("supervisor-token-required").waitFor();
    await page().getByTestId("supervisor-save").click();
    await expect
      .poll(() => page().getByTestId("settings-error").textContent())
      .toMatch(/token: the token must be entered again when the URL changes/);
    // Nothing changed on the server.
    const before = await page().evaluate(async () => (await fetch("/api/supervisors")).json());
    expect(before.supervisors.find((s: { id: string }) => s.id === id).url).toBe(
      `https://${TLS_HOST}:${TLS_PORT}`,
    );

    await page().getByTestId("supervisor-token").fill(sup.token);
    await page().getByTestId("supervisor-save").click();
    await expect
      .poll(() => page().getByTestId(`supervisor-row-${id}`).textContent())
      .toContain(`https://${MOVED_HOST}:${TLS_PORT}`);
    // The pin belonged to the old address: the new one is shown for confirmation again.
    await expect.poll(() => resultOf(id).getAttribute("data-code")).toBe("certificate_unconfirmed");
    await page().getByTestId(`certificate-pin-${id}`).click();
    await expect.poll(() => resultOf(id).getAttribute("data-ok")).toBe("true");
  });
});
