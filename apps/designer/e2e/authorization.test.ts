import { spawnSync } from "node:child_process";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { hashToken } from "@bms/security";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectedOutcome,
  IDENTITIES,
  type Identity,
  matrixCases,
  observedOutcome,
} from "../src/lib/auth/route-access-expectations";
import {
  DESIGNER_DIR,
  type DesignerHandle,
  type DesignerSession,
  signInOverHttp,
  startDesigner,
  TEST_ADMIN,
} from "./support/designer";

/**
 * The authorization matrix over HTTP against the built Designer behind server.ts: every route (and every
 * supervisor path of the runtime proxy) × {anonymous, viewer, operator, admin, expired session,
 * logged-out session}. Each state-changing request must leave exactly one audit record naming who
 * made it. Viewer and operator accounts are made with the real CLI.
 */
const PASSWORDS = { viewer: "viewer-password-0123", operator: "operator-password-0123" };

function cli(designer: DesignerHandle, args: string[], input?: string) {
  const result = spawnSync(process.execPath, ["--import", "tsx", join(DESIGNER_DIR, "src/cli.ts"), ...args], {
    cwd: DESIGNER_DIR,
    env: { ...process.env, BMS_DATA_DIR: designer.dataDir },
    input: input ?? "",
    encoding: "utf8",
  });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

/** fetch() always sends the URL's host; a rebinding browser sends its own name, which node:http can. */
function withHost(
  url: string,
  host: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(url, { method: init.method, headers: { ...init.headers, host } }, (res) => {
      let body = "";
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

describe("Designer authorization over HTTP", () => {
  let designer: DesignerHandle;
  let db: Database.Database;
  const sessions: Partial<Record<Identity, DesignerSession>> = {};

  beforeAll(async () => {
    designer = await startDesigner({});
    db = new Database(join(designer.dataDir, "projects.db"), { readonly: true });
  });

  afterAll(async () => {
    db?.close();
    await designer?.stop();
  });

  const call = (
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ) => fetch(`${designer.url}${path}`, init);
  const headersOf = (s: DesignerSession | undefined, json: boolean): Record<string, string> => ({
    origin: designer.url,
    ...(json ? { "content-type": "application/json" } : {}),
    ...(s ? { cookie: s.cookie, "x-csrf-token": s.csrf } : {}),
  });
  const auditCount = () => (db.prepare("SELECT COUNT(*) AS n FROM audit_log").get() as { n: number }).n;
  const lastAudit = () =>
    db.prepare("SELECT actor_name, action, result FROM audit_log ORDER BY id DESC LIMIT 1").get() as {
      actor_name: string;
      action: string;
      result: string;
    };

  it("adds users with the CLI (password from stdin, never from argv)", () => {
    for (const role of ["viewer", "operator"] as const) {
      const added = cli(
        designer,
        ["user", "add", role, "--role", role, "--password-stdin"],
        `${PASSWORDS[role]}\n`,
      );
      expect(added.out).toContain(`user ${role} added with role ${role}`);
      expect(added.status).toBe(0);
    }
    const short = cli(designer, ["user", "add", "weak", "--role", "viewer", "--password-stdin"], "short\n");
    expect(short.status).toBe(1);
    expect(short.out).toMatch(/at least 12 characters/);
    const list = cli(designer, ["user", "list"]);
    expect(list.out).toMatch(/^admin\tadmin\t/m);
    expect(list.out).toMatch(/^operator\toperator\t/m);
    expect(list.out).toMatch(/^viewer\tviewer\t/m);
    expect(list.out).not.toMatch(/weak/);

    // The rest of the account commands, on a throw-away user.
    expect(
      cli(designer, ["user", "add", "temp", "--role", "viewer", "--password-stdin"], "temp-password-0123\n")
        .status,
    ).toBe(0);
    expect(cli(designer, ["user", "role", "temp", "operator"]).out).toContain("temp is now operator");
    expect(
      cli(designer, ["user", "passwd", "temp", "--password-stdin"], "temp-password-4567\n").out,
    ).toContain("password of temp changed");
    expect(cli(designer, ["user", "list"]).out).toMatch(/^temp\toperator\t/m);
    expect(cli(designer, ["user", "remove", "temp"]).status).toBe(0);
    expect(cli(designer, ["user", "list"]).out).not.toMatch(/^temp/m);
    const lastAdmin = cli(designer, ["user", "remove", "admin"]);
    expect(lastAdmin.status).toBe(1);
    expect(lastAdmin.out).toMatch(/last admin/);
    const audited = db
      .prepare("SELECT actor_name, action FROM audit_log WHERE target = 'user:temp' ORDER BY id")
      .all() as { actor_name: string; action: string }[];
    expect(audited.map((r) => r.action)).toEqual([
      "user.create",
      "user.update",
      "user.update",
      "user.delete",
    ]);
    for (const r of audited) expect(r.actor_name).toMatch(/^cli:/);
  });

  it("signs in each identity, and makes an expired and a logged-out session", async () => {
    sessions.admin = await signInOverHttp(designer.url);
    sessions.viewer = await signInOverHttp(designer.url, { name: "viewer", password: PASSWORDS.viewer });
    sessions.operator = await signInOverHttp(designer.url, {
      name: "operator",
      password: PASSWORDS.operator,
    });
    // Expired: a real session whose creation the database dates 13 h back (absolute lifetime 12 h).
    const expired = await signInOverHttp(designer.url);
    const writer = new Database(join(designer.dataDir, "projects.db"));
    writer
      .prepare("UPDATE sessions SET created_ms = created_ms - 13 * 3600000 WHERE id_hash = ?")
      .run(hashToken(expired.cookie.split("=")[1] ?? ""));
    writer.close();
    sessions.expired = expired;
    const loggedOut = await signInOverHttp(designer.url);
    const out = await call("/api/auth/logout", {
      method: "POST",
      headers: headersOf(loggedOut, true),
      body: "{}",
    });
    expect(out.status).toBe(200);
    expect(out.headers.get("set-cookie")).toMatch(/bms_session=;.*Max-Age=0/);
    sessions["logged-out"] = loggedOut;
  });

  it("answers every route × identity as the table says, with exactly one audit record per state change", async () => {
    const projects = (await (
      await call("/api/projects", { headers: headersOf(sessions.admin, false) })
    ).json()) as {
      projects: { id: string }[];
    };
    const cases = matrixCases(projects.projects[0]!.id);
    const failures: string[] = [];
    let requests = 0;
    for (const identity of IDENTITIES) {
      for (const c of cases) {
        const before = auditCount();
        const response = await call(c.path, {
          method: c.method,
          headers: headersOf(sessions[identity], c.body !== undefined),
          ...(c.body !== undefined ? { body: JSON.stringify(c.body) } : {}),
        });
        requests++;
        const body = (await response.json().catch(() => ({}))) as { code?: string };
        const got = observedOutcome(response.status, body.code);
        const want = expectedOutcome(c, identity);
        const where = `${identity} ${c.method} ${c.path}`;
        if (got !== want) failures.push(`${where}: ${got} (HTTP ${response.status}), expected ${want}`);
        const records = auditCount() - before;
        const wantRecords = c.method === "GET" ? 0 : want === "401" ? 1 : c.audit ? 1 : 0;
        if (records !== wantRecords)
          failures.push(`${where}: ${records} audit records, expected ${wantRecords}`);
        if (records === 1) {
          const record = lastAudit();
          const signedIn = identity === "viewer" || identity === "operator" || identity === "admin";
          const actor = signedIn ? identity : "anonymous";
          if (record.actor_name !== actor)
            failures.push(`${where}: audited as ${record.actor_name}, not ${actor}`);
          if (want !== "401" && c.audit && record.action !== c.audit)
            failures.push(`${where}: audited as ${record.action}, not ${c.audit}`);
          if ((want === "401" || want === "403 forbidden") && record.result !== "denied")
            failures.push(`${where}: audit result ${record.result}, not denied`);
        }
      }
      // The matrix ends with sign-out: sign the identity back in for the next checks.
      if (identity === "viewer" || identity === "operator" || identity === "admin") {
        sessions[identity] = await signInOverHttp(
          designer.url,
          identity === "admin" ? TEST_ADMIN : { name: identity, password: PASSWORDS[identity] },
        );
      }
    }
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(250);
  });

  it("records a point write through the proxy with the point, value and priority", async () => {
    const write = { writes: [{ point: "bacnet:1001/analogValue:3", value: 18.5, priority: 8 }] };
    await call("/api/runtime/points/write", {
      method: "POST",
      headers: headersOf(sessions.operator, true),
      body: JSON.stringify(write),
    });
    const record = db
      .prepare("SELECT * FROM audit_log WHERE action = 'runtime.point.write' ORDER BY id DESC LIMIT 1")
      .get() as { actor_name: string; details_json: string; result: string; source: string; reason: string };
    expect(record.actor_name).toBe("operator");
    expect(JSON.parse(record.details_json).writes).toEqual(write.writes);
    // No supervisor listens: the write failed, and the record says why.
    expect(record.result).toBe("failed");
    expect(record.reason).toMatch(/unreachable/);
    expect(record.source).toMatch(/127\.0\.0\.1/);
  });

  it("refuses cookie requests without the CSRF token or Origin, non-JSON bodies and foreign hosts", async () => {
    const admin = sessions.admin!;
    const count = async () =>
      (
        (await (await call("/api/projects", { headers: headersOf(admin, false) })).json()) as {
          projects: unknown[];
        }
      ).projects.length;
    const before = await count();
    const body = JSON.stringify({ name: "should not exist" });
    const attempts: [string, Record<string, string>, number, string][] = [
      [
        "no CSRF token",
        { origin: designer.url, cookie: admin.cookie, "content-type": "application/json" },
        403,
        "csrf_missing",
      ],
      [
        "wrong CSRF token",
        {
          origin: designer.url,
          cookie: admin.cookie,
          "content-type": "application/json",
          "x-csrf-token": "nope",
        },
        403,
        "csrf_invalid",
      ],
      [
        "no Origin",
        { cookie: admin.cookie, "content-type": "application/json", "x-csrf-token": admin.csrf },
        403,
        "cross_origin",
      ],
      ["another origin", { ...headersOf(admin, true), origin: "http://evil.example" }, 403, "cross_origin"],
      ["cross-site fetch", { ...headersOf(admin, true), "sec-fetch-site": "cross-site" }, 403, "cross_site"],
      ["text/plain", { ...headersOf(admin, false), "content-type": "text/plain" }, 415, "content_type"],
      [
        "form post",
        { ...headersOf(admin, false), "content-type": "application/x-www-form-urlencoded" },
        415,
        "content_type",
      ],
    ];
    for (const [what, headers, status, code] of attempts) {
      const response = await call("/api/projects", { method: "POST", headers, body });
      expect({
        what,
        status: response.status,
        code: ((await response.json()) as { code: string }).code,
      }).toEqual({
        what,
        status,
        code,
      });
    }
    const rebound = await withHost(`${designer.url}/api/projects`, "rebind.example:3000", {
      method: "POST",
      headers: headersOf(admin, true),
      body,
    });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).code).toBe("host_not_allowed");
    expect(await count()).toBe(before);
    // Reads and pages under a foreign Host are refused too: a rebinding page cannot read anything.
    for (const path of ["/api/projects", "/", "/login"]) {
      const read = await withHost(`${designer.url}${path}`, "rebind.example", {
        method: "GET",
        headers: headersOf(admin, false),
      });
      expect(read.status, path).toBe(403);
    }
  });

  it("sends the security headers with a nonce CSP and no unsafe-eval", async () => {
    const page = await call("/login");
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toMatch(/unsafe-eval/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    const nonce = csp.match(/'nonce-([^']+)'/)?.[1];
    const html = await page.text();
    // Every inline script Next emitted carries this response's nonce.
    const scripts = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((m) => m[1] ?? "");
    expect(scripts.length).toBeGreaterThan(0);
    for (const attributes of scripts) expect(attributes).toContain(`nonce="${nonce}"`);
  });

  it("locks out an address after repeated failed sign-ins, and audits it", async () => {
    const wrong = { name: "admin", password: "not-the-password-1" };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await call("/api/auth/login", {
        method: "POST",
        headers: { origin: designer.url, "content-type": "application/json" },
        body: JSON.stringify(wrong),
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // Locked out: even the right password is refused from this address now.
    const right = await call("/api/auth/login", {
      method: "POST",
      headers: { origin: designer.url, "content-type": "application/json" },
      body: JSON.stringify(TEST_ADMIN),
    });
    expect(right.status).toBe(429);
    const actions = db
      .prepare("SELECT action, result FROM audit_log WHERE action LIKE 'auth.%' ORDER BY id DESC LIMIT 7")
      .all() as { action: string; result: string }[];
    expect(actions.map((a) => `${a.action}:${a.result}`)).toEqual([
      "auth.login:denied",
      "auth.login:denied",
      "auth.lockout:failed",
      "auth.login:failed",
      "auth.login:failed",
      "auth.login:failed",
      "auth.login:failed",
    ]);
  });

  it("serves the audit trail to admins as JSON with filters and as CSV", async () => {
    const admin = sessions.admin!;
    const filtered = (await (
      await call("/api/audit?action=auth&result=failed&limit=3", { headers: headersOf(admin, false) })
    ).json()) as { records: { action: string; result: string }[] };
    expect(filtered.records).toHaveLength(3);
    for (const r of filtered.records) expect(r.result).toBe("failed");
    const bad = await call("/api/audit?limit=0&from=yesterday", { headers: headersOf(admin, false) });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: { path: string }[] }).errors.map((e) => e.path).sort()).toEqual([
      "from",
      "limit",
    ]);
    const csv = await call("/api/audit/export?action=runtime.point.write", {
      headers: headersOf(admin, false),
    });
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    const text = await csv.text();
    expect(text.split("\r\n")[0]).toBe(
      "id,at,actor_kind,actor_name,actor_role,on_behalf_of,source,action,target,result,reason,details",
    );
    expect(text).toContain("runtime.point.write");
  });

  it("never prints a password, session id or CSRF token", () => {
    const output = designer.output();
    const secrets = [
      TEST_ADMIN.password,
      PASSWORDS.viewer,
      PASSWORDS.operator,
      "not-the-password-1",
      ...Object.values(sessions).flatMap((s) => (s ? [s.cookie.split("=")[1] ?? "", s.csrf] : [])),
    ];
    for (const secret of secrets) expect(secret.length > 8 && output.includes(secret), secret).toBe(false);
    expect(output).toContain("bms-designer listening");
  });
});
