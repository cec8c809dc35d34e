import { readFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { certFingerprint } from "@bms/security";
import { afterAll, describe, expect, it } from "vitest";
import { type DesignerHandle, startDesigner } from "./support/designer";

/** HTTPS trusting only the Designer's own certificate, as a pinned client would. */
function https(
  url: string,
  ca: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? "GET", headers: init.headers ?? {}, ca }, (res) => {
      let body = "";
      res.on("data", (c) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

describe("the Designer's server entry: loopback by default, TLS, the setup code", () => {
  let designer: DesignerHandle | undefined;

  afterAll(async () => {
    await designer?.stop();
  });

  it("binds 127.0.0.1 unless told otherwise", async () => {
    designer = await startDesigner({});
    expect(designer.output()).toMatch(/bms-designer listening http:\/\/127\.0\.0\.1:\d+/);
    await designer.stop();
    designer = undefined;
  });

  it("serves TLS with a self-signed certificate kept across restarts, and a Secure session cookie", async () => {
    designer = await startDesigner({ args: ["--tls", "self-signed", "--setup-code"], setup: false });
    const printed = designer.output().match(/fingerprint ([0-9A-F:]{95})/)?.[1];
    const cert = readFileSync(join(designer.dataDir, "tls", "cert.pem"), "utf8");
    expect(printed).toBe(certFingerprint(cert));
    const code = designer.output().match(/bms-designer setup code (\S+)/)?.[1];
    expect(code).toBeTruthy();

    const origin = designer.url;
    expect(origin).toMatch(/^https:/);
    const page = await https(`${origin}/login`, cert);
    expect(page.headers["strict-transport-security"]).toBe("max-age=31536000");
    const setup = (body: Record<string, string>) =>
      https(`${origin}/api/auth/setup`, cert, {
        method: "POST",
        headers: { origin, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const account = { name: "admin", password: "tls-admin-password-1" };
    expect((await setup(account)).status).toBe(403);
    expect(JSON.parse((await setup({ ...account, setup_code: "guess" })).body).code).toBe("setup_code");
    const done = await setup({ ...account, setup_code: code! });
    expect(done.status).toBe(201);
    const cookie = String(done.headers["set-cookie"]);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Secure/);

    // Restart on the same data: same certificate (clients keep their pin), no setup code any more.
    const dataDir = designer.dataDir;
    await designer.stop();
    designer = await startDesigner({ args: ["--tls", "self-signed"], dataDir, setup: false });
    expect(designer.output()).toContain(`fingerprint ${printed}`);
    expect(designer.output()).not.toMatch(/setup code/);
    expect(designer.output()).not.toContain(account.password);
  });
});
