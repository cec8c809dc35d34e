import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startSupervisor } from "@bms/test-support";
import { describe, expect, it } from "vitest";

const BIND = "127.0.20.4";

/**
 * A supervisor at the most talkative log level, given secrets every way a client sends them: the
 * bootstrap token and a named token in Authorization headers, both in login bodies, a wrong guess, a
 * token someone still puts in the URL, the session cookie and the CSRF header. Afterwards no byte of
 * its stdout/stderr, nor of any file in its data directory (event log, audit trail, database), holds
 * any of those texts.
 */
describe("no secret in any log", () => {
  it("keeps tokens, cookies and CSRF tokens out of stdout, stderr and the data directory", async () => {
    const bootstrap = "bootstrap-secret-7f3a9c1e5b2d4068aa";
    const guess = "guessed-secret-0a1b2c3d4e5f60718293";
    const sup = await startSupervisor({
      bacnetBind: BIND,
      bacnetPort: 48845,
      broadcast: "127.255.255.255:48899",
      token: bootstrap,
      publicRead: false,
      extraArgs: ["--log-level", "trace"],
    });
    const secrets = [bootstrap, guess];
    try {
      const json = (body: unknown, headers: Record<string, string> = {}) => ({
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
      const created = await fetch(
        `${sup.url}/api/auth/tokens`,
        json({ name: "log probe", role: "operator" }, { authorization: `Bearer ${bootstrap}` }),
      );
      expect(created.status).toBe(201);
      const named = ((await created.json()) as { secret: string }).secret;
      secrets.push(named);

      expect((await fetch(`${sup.url}/api/auth/login`, json({ token: guess }))).status).toBe(401);
      expect(
        (await fetch(`${sup.url}/api/config/history`, { headers: { authorization: `Bearer ${guess}` } }))
          .status,
      ).toBe(401);
      expect((await fetch(`${sup.url}/api/execution/status?token=${named}`)).status).toBe(400);
      expect(
        (await fetch(`${sup.url}/api/execution/status`, { headers: { authorization: `Bearer ${named}` } }))
          .status,
      ).toBe(200);

      const login = await fetch(`${sup.url}/api/auth/login`, json({ token: named }, { origin: sup.url }));
      expect(login.status).toBe(200);
      const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
      const csrf = ((await login.json()) as { csrf_token: string }).csrf_token;
      secrets.push(cookie.split("=")[1]!, csrf);
      const write = await fetch(`${sup.url}/api/execution/parameters/nope`, {
        ...json({ value: 1 }, { origin: sup.url, cookie, "x-csrf-token": csrf }),
        method: "PUT",
      });
      expect(write.status).toBe(404);
      // A malformed body echoes into an error path; a failing request logs its error at trace level.
      expect(
        (await fetch(`${sup.url}/api/auth/login`, { ...json({}), body: `{"token":"${guess}"` })).status,
      ).toBe(422);
    } finally {
      await sup.stop();
    }
    const output = sup.output();
    expect(output).toContain("incoming request"); // the log really is at trace level
    expect(output).toContain("[redacted]");
    for (const secret of secrets) expect(output, "stdout/stderr").not.toContain(secret);
    for (const file of readdirSync(sup.dataDir, { recursive: true }) as string[]) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(join(sup.dataDir, file));
      } catch {
        continue; // a directory
      }
      for (const secret of secrets) expect(bytes.includes(secret), `${file} holds a secret`).toBe(false);
    }
  });
});
