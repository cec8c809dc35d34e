import { createServer, type Server } from "node:http";
import { api } from "@bms/test-support";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSession, openBrowser } from "./support/browser";
import { type DesignerHandle, startDesigner, TEST_ADMIN } from "./support/designer";
import { freePort } from "./support/ports";
import { type DesignerStack, startDesignerStack } from "./support/stack";

// Own loopback address and ports: no other test file uses them.
const SIM_BIND = "127.0.31.1";
const SIM_PORT = 47826;
const SUP_PORT = 47827;
const SETPOINT = "bacnet:1001/analogValue:1";

/** A page on another origin that tries, with the victim's browser, what the issue describes. */
function attackPage(designerUrl: string): string {
  const project = JSON.stringify({ name: "pwned-by-fetch" });
  const write = JSON.stringify({ writes: [{ point: SETPOINT, value: 11, priority: 1 }] });
  return `<!doctype html><html><body>
<iframe name="sink"></iframe>
<form id="form-project" method="POST" action="${designerUrl}/api/projects" enctype="text/plain" target="sink">
  <input name='{"name":"pwned-by-form","x":"' value='"}'>
</form>
<form id="form-write" method="POST" action="${designerUrl}/api/runtime/points/write" target="sink">
  <input name="writes" value="${SETPOINT}=11@1">
</form>
<script>
window.outcome = (async () => {
  const results = {};
  for (const [name, path, body] of [["project", "/api/projects", ${JSON.stringify(project)}], ["write", "/api/runtime/points/write", ${JSON.stringify(write)}]]) {
    try {
      await fetch("${designerUrl}" + path, { method: "POST", mode: "no-cors", credentials: "include", headers: { "content-type": "text/plain" }, body });
      results[name + "-no-cors"] = "sent";
    } catch (e) { results[name + "-no-cors"] = "network error"; }
    try {
      const r = await fetch("${designerUrl}" + path, { method: "POST", credentials: "include", headers: { "content-type": "application/json" }, body });
      results[name + "-cors"] = "read " + r.status;
    } catch (e) { results[name + "-cors"] = "blocked"; }
  }
  document.getElementById("form-project").submit();
  await new Promise((r) => setTimeout(r, 500));
  document.getElementById("form-write").submit();
  await new Promise((r) => setTimeout(r, 500));
  return results;
})();
</script></body></html>`;
}

function collectCspViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (execute|load|apply)/i.test(message.text()))
      violations.push(message.text());
  });
  return violations;
}

describe("the Designer in Chromium: first run, sign-in, sign-out, idle timeout", () => {
  let designer: DesignerHandle;
  let browser: BrowserSession;
  let violations: string[] = [];
  const password = "first-admin-password-42";

  beforeAll(async () => {
    designer = await startDesigner({ setup: false });
    browser = await openBrowser();
    violations = collectCspViolations(browser.page);
  });

  afterAll(async () => {
    await browser?.close();
    await designer?.stop();
  });

  it("sends every page to /setup until the first admin exists, then signs that admin in", async () => {
    const { page } = browser;
    for (const path of ["/", "/settings", "/login", "/audit"]) {
      await page.goto(`${designer.url}${path}`);
      expect(new URL(page.url()).pathname, path).toBe("/setup");
    }
    expect(
      (await api<{ setup_required: boolean }>(designer.url, "/api/auth/whoami")).body.setup_required,
    ).toBe(true);
    await page.getByTestId("password").fill(password);
    await page.getByTestId("password-confirm").fill("a different one!");
    await page.getByTestId("sign-in-submit").click();
    await expect.poll(() => page.getByTestId("sign-in-error").textContent()).toMatch(/differ/);
    await page.getByTestId("password-confirm").fill(password);
    await page.getByTestId("sign-in-submit").click();
    await page.getByTestId("signed-in-user").waitFor();
    expect(await page.getByTestId("signed-in-user").textContent()).toBe("admin (admin)");
    // Set up once: the page now leads to the projects, and the API refuses a second admin.
    await page.goto(`${designer.url}/setup`);
    expect(new URL(page.url()).pathname).toBe("/");
    const again = await fetch(`${designer.url}/api/auth/setup`, {
      method: "POST",
      headers: { origin: designer.url, "content-type": "application/json" },
      body: JSON.stringify({ name: "intruder", password: "intruder-password-1" }),
    });
    expect(again.status).toBe(409);
  });

  it("opens the editor under the nonce CSP without a single violation", async () => {
    const { page } = browser;
    await page.goto(designer.url);
    await page.getByTestId("project-link").first().click();
    await page.getByTestId("flow-node-sat").waitFor();
    await page.goto(`${designer.url}/settings/users`);
    await page.getByTestId("user-row-admin").waitFor();
    await page.goto(`${designer.url}/audit`);
    await page.getByTestId("audit-row").first().waitFor();
    expect(violations).toEqual([]);
  });

  it("signs out on the server: the old cookie is worthless afterwards", async () => {
    const { page, context } = browser;
    const before = (await context.cookies(designer.url)).find((c) => c.name === "bms_session");
    expect(before?.httpOnly).toBe(true);
    expect(before?.sameSite).toBe("Strict");
    await page.goto(designer.url);
    await page.getByTestId("sign-out").click();
    await page.waitForURL(/\/login$/);
    const replay = await fetch(`${designer.url}/api/projects`, {
      headers: { cookie: `bms_session=${before?.value}` },
    });
    expect(replay.status).toBe(401);
    await page.goto(`${designer.url}/settings`);
    expect(page.url()).toBe(`${designer.url}/login?next=%2Fsettings`);
  });

  it("signs in with the form and returns to the page asked for", async () => {
    const { page } = browser;
    await page.getByTestId("user-name").fill("admin");
    await page.getByTestId("password").fill("wrong-password-123");
    await page.getByTestId("sign-in-submit").click();
    await expect
      .poll(() => page.getByTestId("sign-in-error").textContent())
      .toMatch(/wrong name or password/);
    await page.getByTestId("password").fill(password);
    await page.getByTestId("sign-in-submit").click();
    await page.waitForURL(`${designer.url}/settings`);
    expect(await page.getByTestId("account-name").textContent()).toBe("admin");
  });

  it("lets an admin add users and set roles in the UI; a viewer reads but cannot change", async () => {
    const { page } = browser;
    await page.goto(`${designer.url}/settings/users`);
    for (const [name, role] of [
      ["olivia", "operator"],
      ["victor", "operator"],
    ] as const) {
      await page.getByTestId("user-add-name").fill(name);
      await page.getByTestId("user-add-role").selectOption(role);
      await page.getByTestId("user-add-password").fill(`${name}-password-123`);
      await page.getByTestId("user-add-submit").click();
      await page.getByTestId(`user-row-${name}`).waitFor();
    }
    await page.getByTestId("user-role-victor").selectOption("viewer");
    await expect.poll(() => page.getByTestId("users-notice").textContent()).toMatch(/victor is now viewer/);

    const viewer = await openBrowser({ signedIn: false });
    try {
      const v = viewer.page;
      await v.goto(designer.url);
      await v.getByTestId("user-name").fill("victor");
      await v.getByTestId("password").fill("victor-password-123");
      await v.getByTestId("sign-in-submit").click();
      await v.getByTestId("signed-in-user").waitFor();
      expect(await v.getByTestId("signed-in-user").textContent()).toBe("victor (viewer)");
      expect(await v.getByTestId("project-link").count()).toBeGreaterThan(0);
      await v.getByTestId("new-project-name").fill("viewer tries");
      await v.getByTestId("create-project").click();
      await expect.poll(() => v.getByRole("alert").first().textContent()).toMatch(/needs the operator role/);
      await v.goto(`${designer.url}/audit`);
      await v.getByTestId("forbidden").waitFor();
      expect(await v.getByTestId("nav-audit").count()).toBe(0);
    } finally {
      await viewer.close();
    }
  });

  it("ends an idle session: the next action leads to the sign-in page", async () => {
    const idle = await startDesigner({ env: { BMS_SESSION_IDLE_MINUTES: "0.05" } });
    const session = await openBrowser();
    try {
      const { page } = session;
      await page.goto(idle.url);
      await page.getByTestId("new-project-name").waitFor();
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      await page.getByTestId("new-project-name").fill("after the timeout");
      await page.getByTestId("create-project").click();
      await page.waitForURL(/\/login\?next=%2F&ended=1$/);
      expect(await page.getByTestId("sign-in-notice").textContent()).toMatch(/session has ended/);
      const projects = await fetch(`${idle.url}/api/projects`, {
        headers: {
          cookie: (await session.context.cookies(idle.url)).map((c) => `${c.name}=${c.value}`).join("; "),
        },
      });
      expect(projects.status).toBe(401);
      expect(idle.output()).not.toContain(TEST_ADMIN.password);
    } finally {
      await session.close();
      await idle.stop();
    }
  });

  it("never printed the password or a session id", () => {
    expect(designer.output()).not.toContain(password);
    expect(designer.output()).not.toContain("wrong-password-123");
  });
});

describe("another origin attacking a signed-in Designer in Chromium", () => {
  let stack: DesignerStack;
  let attacker: Server;
  let attackerPort = 0;

  beforeAll(async () => {
    stack = await startDesignerStack({ simBind: SIM_BIND, simPort: SIM_PORT, supervisorPort: SUP_PORT });
    attackerPort = await freePort();
    attacker = createServer((_req, res) => {
      res.setHeader("content-type", "text/html");
      res.end(attackPage(stack.designer.url));
    });
    await new Promise<void>((resolve) => attacker.listen(attackerPort, "127.0.0.1", resolve));
  });

  afterAll(async () => {
    attacker?.closeAllConnections();
    await new Promise((resolve) => attacker?.close(resolve));
    await stack?.stop();
  });

  const setpoint = async () => {
    const read = await api<{ values: { value: unknown }[] }>(stack.sup.url, "/api/points/read", {
      token: stack.sup.token,
      body: { points: [SETPOINT] },
    });
    return read.body.values[0]?.value;
  };
  const projectNames = async () =>
    (await api<{ projects: { name: string }[] }>(stack.designer.url, "/api/projects")).body.projects.map(
      (p) => p.name,
    );

  it("refuses no-cors and form POSTs from a same-site and a cross-site page: nothing changes", async () => {
    const { page } = stack.browser;
    // The browser is signed in: its own page can create a project (the control).
    await page.goto(stack.designer.url);
    await page.getByTestId("signed-in-user").waitFor();
    const before = await setpoint();
    expect(before).toBe(24);
    const projectsBefore = await projectNames();

    // 127.0.0.1:<other port> is the same site (the SameSite cookie goes along) but another origin;
    // localhost:<other port> is another site (the cookie stays home).
    for (const host of ["127.0.0.1", "localhost"]) {
      await page.goto(`http://${host}:${attackerPort}/`);
      const results = await page.evaluate(() => (window as unknown as { outcome: Promise<unknown> }).outcome);
      // The CORS variants cannot even be sent: the preflight finds no Access-Control-Allow-Origin.
      // The CORS variants are never sent: the preflight finds no Access-Control-Allow-Origin. The no-cors
      // ones are sent; their answers are refused to the page (Cross-Origin-Resource-Policy).
      expect(results, host).toEqual({
        "project-no-cors": "network error",
        "project-cors": "blocked",
        "write-no-cors": "network error",
        "write-cors": "blocked",
      });
    }
    // The server saw and refused each one at the door: the same-site page for its Origin, the
    // cross-site page for Sec-Fetch-Site, the forms for both.
    const refusals = stack.designer.output().match(/bms-designer refused POST \S+ .*/g) ?? [];
    for (const path of ["/api/projects", "/api/runtime/points/write"]) {
      expect(refusals.filter((l) => l.includes(` ${path} `) && l.endsWith("cross_origin")).length).toBe(2);
      expect(refusals.filter((l) => l.includes(` ${path} `) && l.endsWith("cross_site")).length).toBe(2);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await projectNames()).toEqual(projectsBefore);
    expect(await setpoint()).toBe(before);
    const audit = await api<{ records: { action: string; result: string }[] }>(
      stack.designer.url,
      "/api/audit?limit=200",
    );
    expect(
      audit.body.records.filter((r) => r.result === "ok" && /project.create|point.write/.test(r.action)),
    ).toEqual([]);

    // The control: the Designer's own page, with its CSRF token, may.
    await page.goto(stack.designer.url);
    await page.getByTestId("new-project-name").fill("made by the real page");
    await page.getByTestId("create-project").click();
    await page.waitForURL(/\/projects\/[0-9a-f-]+$/);
    expect(await projectNames()).toContain("made by the real page");
  });

  it("refuses a DNS-rebinding page: the browser reaches us under a foreign host name", async () => {
    const rebinding = await openBrowser({
      extraArgs: [`--host-resolver-rules=MAP rebind.test 127.0.0.1`],
    });
    try {
      const port = new URL(stack.designer.url).port;
      const response = await rebinding.page.goto(`http://rebind.test:${port}/`);
      expect(response?.status()).toBe(403);
      expect(await rebinding.page.textContent("body")).toContain("host_not_allowed");
      const api = await rebinding.page.goto(`http://rebind.test:${port}/api/projects`);
      expect(api?.status()).toBe(403);
    } finally {
      await rebinding.close();
    }
  });

  it("never printed a token, password or cookie", () => {
    const output = stack.designer.output();
    expect(output).not.toContain(stack.sup.token);
    expect(output).not.toContain(TEST_ADMIN.password);
    const session = stack.designer.session!;
    expect(output).not.toContain(session.cookie.split("=")[1]);
    expect(output).not.toContain(session.csrf);
  });
});
