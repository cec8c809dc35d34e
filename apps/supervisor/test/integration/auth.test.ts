import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import type { AuditRecord, Role } from "@bms/schemas";
import { certFingerprint } from "@bms/security";
import { REPO_ROOT, type SupervisorHandle, startSupervisor, tempDir, tsxArgs } from "@bms/test-support";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app";
import { documentedRoutes, registeredRoutes } from "../../src/http/route";
import { packageOf, skeletonFlow } from "../fixtures";

// Real supervisor processes over HTTP on loopback; BACnet on addresses of their own (nothing answers).
const MATRIX_BIND = "127.0.20.1";
const LOCKOUT_BIND = "127.0.20.2";
const TLS_BIND = "127.0.20.3";
const ATTACKER = "127.0.20.9";

/**
 * The expected least role of every route, written down independently of the route table: a route that
 * is added (or whose role changes) without this table being updated fails the matrix.
 */
const EXPECTED: Record<string, Role | "public"> = {
  "GET /api/health": "public",
  "GET /api/auth/whoami": "public",
  "POST /api/auth/login": "public",
  "POST /api/auth/logout": "public",
  "GET /api/auth/tokens": "admin",
  "POST /api/auth/tokens": "admin",
  "DELETE /api/auth/tokens/:id": "admin",
  "GET /api/audit/": "operator",
  "GET /api/audit/export.csv": "operator",
  "GET /api/alerts/": "viewer",
  "POST /api/alerts/:key/ack": "operator",
  "GET /api/commissioning/runs": "viewer",
  "POST /api/commissioning/runs": "operator",
  "GET /api/commissioning/runs/:id": "viewer",
  "POST /api/commissioning/runs/:id/cancel": "operator",
  "GET /api/commissioning/runs/:id/report.html": "viewer",
  "GET /api/commissioning/runs/:id/report.pdf": "viewer",
  "GET /api/commissioning/runs/:id/report.json": "viewer",
  "GET /api/commissioning/signing-key": "viewer",
  "POST /api/commissioning/verify": "viewer",
  "POST /api/config/deploy": "operator",
  "POST /api/config/validate": "operator",
  "GET /api/config/current": "viewer",
  "GET /api/config/history": "viewer",
  "POST /api/config/rollback": "operator",
  "POST /api/config/reload": "operator",
  "GET /api/data/timeseries": "viewer",
  "GET /api/data/latest": "viewer",
  "GET /api/data/watch": "viewer",
  "PUT /api/data/watch": "operator",
  "GET /api/devices/": "viewer",
  "GET /api/devices/discovery": "viewer",
  "GET /api/devices/network": "viewer",
  "POST /api/devices/discover": "operator",
  "GET /api/devices/:id": "viewer",
  "GET /api/devices/:id/objects": "viewer",
  "GET /api/devices/:id/schedules/:instance": "viewer",
  "PUT /api/devices/:id/schedules/:instance": "operator",
  "GET /api/devices/:id/calendars/:instance": "viewer",
  "PUT /api/devices/:id/calendars/:instance": "operator",
  "POST /api/devices/:id/time-sync": "admin",
  "POST /api/devices/:id/communication": "admin",
  "POST /api/devices/:id/reinitialize": "admin",
  "POST /api/devices/who-has": "admin",
  "GET /api/devices/:id/report": "viewer",
  "GET /api/devices/:id/report.txt": "viewer",
  "GET /api/execution/status": "viewer",
  "POST /api/execution/start": "operator",
  "POST /api/execution/stop": "operator",
  "POST /api/execution/restart": "operator",
  "GET /api/execution/state": "viewer",
  "GET /api/execution/traces": "viewer",
  "GET /api/execution/logs": "viewer",
  "GET /api/execution/parameters": "viewer",
  "PUT /api/execution/parameters/:name": "operator",
  "GET /api/flows/": "viewer",
  "POST /api/flows/:id/start": "operator",
  "POST /api/flows/:id/stop": "operator",
  "POST /api/flows/:id/restart": "operator",
  "GET /api/flows/:id/state": "viewer",
  "GET /api/debug/pins": "viewer",
  "GET /api/debug/flows/:id": "viewer",
  "PUT /api/debug/flows/:id/breakpoints": "operator",
  "POST /api/debug/flows/:id/resume": "operator",
  "POST /api/debug/flows/:id/pins": "operator",
  "DELETE /api/debug/flows/:id/pins/:pin": "operator",
  "PUT /api/debug/flows/:id/dry-run": "operator",
  "POST /api/debug/replay": "operator",
  "GET /api/monitoring/metrics": "viewer",
  "GET /metrics": "viewer",
  "POST /api/points/read": "viewer",
  "GET /api/points/live": "viewer",
  "GET /api/plugins/": "viewer",
  "GET /api/plugins/:protocol/browse": "viewer",
  "GET /api/points/priority": "viewer",
  "POST /api/points/write": "operator",
  "GET /api/points/overrides": "viewer",
  "POST /api/points/overrides": "operator",
  "DELETE /api/points/overrides/:id": "operator",
  "GET /api/execution/latches": "viewer",
  "POST /api/execution/latches/:node/reset": "operator",
  "POST /api/system/update": "admin",
  "POST /api/system/update/rollback": "admin",
};

/** Pages outside the route table: they hold no data (the dashboard bundle, the API reference). */
const PUBLIC_PAGES = new Set(["/", "/*", "/docs", "/docs/openapi.json"]);

/** A concrete URL for a route pattern: made-up ids that hit nothing, the one required query. */
function concrete(url: string): string {
  const path = url
    .replace("flows/:id", "flows/no-such-flow")
    .replace(":id/objects", "4194302/objects")
    .replace("tokens/:id", "tokens/99999")
    .replace("overrides/:id", "overrides/99999")
    .replace(":node", "no_such_latch")
    .replace("devices/:id", "devices/4194302")
    .replace(":key", "no-such-alarm")
    .replace(":name", "no_such_parameter");
  return path.endsWith("/timeseries") ? `${path}?points=x` : path;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** HTTP with full control of headers and the local address (to be another source than 127.0.0.1). */
function call(
  base: string,
  method: string,
  path: string,
  options: {
    token?: string;
    body?: unknown;
    headers?: Record<string, string>;
    from?: string;
    ca?: string;
  } = {},
): Promise<Answer> {
  const url = new URL(path, base);
  const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  const headers: Record<string, string | number> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (body) {
    headers["content-type"] = "application/json";
    headers["content-length"] = body.length;
  }
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method,
        headers,
        ...(options.from ? { localAddress: options.from } : {}),
        ...(options.ca ? { ca: options.ca } : {}),
      },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => {
          text += c.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function createToken(
  base: string,
  admin: string,
  name: string,
  role: Role,
  expiresAt?: string,
): Promise<{ id: number; secret: string }> {
  const answer = await call(base, "POST", "/api/auth/tokens", {
    token: admin,
    body: { name, role, ...(expiresAt ? { expires_at: expiresAt } : {}) },
  });
  expect(answer.status, answer.text).toBe(201);
  const parsed = JSON.parse(answer.text) as { token: { id: number }; secret: string };
  return { id: parsed.token.id, secret: parsed.secret };
}

async function auditSince(base: string, admin: string, afterId: number): Promise<AuditRecord[]> {
  const answer = await call(base, "GET", "/api/audit?limit=1000", { token: admin });
  expect(answer.status).toBe(200);
  return (JSON.parse(answer.text) as { records: AuditRecord[] }).records.filter((r) => r.id > afterId);
}

async function lastAuditId(base: string, admin: string): Promise<number> {
  return (await auditSince(base, admin, 0))[0]?.id ?? 0;
}

describe("the route table", () => {
  it("holds every registered route, and each has an expectation in this test", async () => {
    const app = await buildApp({
      httpPort: 0,
      httpHost: "127.0.0.1",
      dataDir: tempDir("route-table"),
      bacnetBind: MATRIX_BIND,
      bacnetPort: 0,
      broadcast: "127.255.255.255:48899",
      logLevel: "warn",
      token: "route-table-token-0123456789abcdef",
      execute: false,
      requestTimeoutMs: 500,
      retries: 0,
      perDeviceConcurrency: 1,
      historyRetentionHours: 1,
      historyMinIntervalMs: 1000,
      discoverOnStart: false,
    });
    await app.ready();
    await app.close();
    const documented = new Set(documentedRoutes.map((r) => `${r.method} ${r.url}`));
    const undocumented = registeredRoutes
      .filter((r) => r.method !== "HEAD" && !PUBLIC_PAGES.has(r.url))
      .map((r) => `${r.method} ${r.url}`)
      // A prefixed "/" route is also registered without its slash by Fastify: the same route.
      .filter((key) => !documented.has(key) && !documented.has(`${key}/`));
    expect(undocumented, "routes registered outside route()").toEqual([]);
    const withoutExpectation = [...documented].filter((key) => !(key in EXPECTED));
    expect(withoutExpectation, "routes missing from EXPECTED").toEqual([]);
    for (const route of documentedRoutes) {
      expect(route.auth, `${route.method} ${route.url}`).toBe(EXPECTED[`${route.method} ${route.url}`]);
      if (route.method !== "GET")
        expect(route.auditAction ?? route.auditNone, `${route.method} ${route.url} audit`).toBeTruthy();
    }
  });
});

describe("authorization matrix and audit trail (a real supervisor over HTTP)", () => {
  let sup: SupervisorHandle;
  const ids: Record<"viewer" | "operator" | "admin" | "expired" | "revoked", string> = {
    viewer: "",
    operator: "",
    admin: "",
    expired: "",
    revoked: "",
  };

  beforeAll(async () => {
    sup = await startSupervisor({
      bacnetBind: MATRIX_BIND,
      bacnetPort: 48841,
      broadcast: "127.255.255.255:48899",
      publicRead: false,
      // Hundreds of expired/revoked-token requests from one address are this test's point, not an attack.
      env: { BMS_AUTH_FAILURE_LIMIT: "100000" },
    });
    for (const role of ["viewer", "operator", "admin"] as const) {
      ids[role] = (await createToken(sup.url, sup.token, `matrix ${role}`, role)).secret;
    }
    const soon = new Date(Date.now() + 1500).toISOString();
    ids.expired = (await createToken(sup.url, sup.token, "matrix expired", "admin", soon)).secret;
    const revoked = await createToken(sup.url, sup.token, "matrix revoked", "admin");
    ids.revoked = revoked.secret;
    expect(
      (await call(sup.url, "DELETE", `/api/auth/tokens/${revoked.id}`, { token: sup.token })).status,
    ).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
  });
  afterAll(() => sup?.stop());

  it("answers every route × identity as the expectation table says", async () => {
    const failures: string[] = [];
    const rank = { viewer: 0, operator: 1, admin: 2 } as const;
    for (const route of documentedRoutes) {
      const key = `${route.method} ${route.url}`;
      const need = EXPECTED[key];
      for (const who of ["anonymous", "viewer", "operator", "admin", "expired", "revoked"] as const) {
        const token = who === "anonymous" ? undefined : ids[who];
        const answer = await call(sup.url, route.method, concrete(route.url), {
          ...(token ? { token } : {}),
          ...(route.method === "GET" || route.method === "DELETE" ? {} : { body: {} }),
        });
        let expected: string;
        let ok: boolean;
        if (need === "public") {
          expected = "not 401/403";
          ok = answer.status !== 401 && answer.status !== 403;
        } else if (who === "anonymous" || who === "expired" || who === "revoked") {
          expected = "401";
          ok = answer.status === 401;
        } else if (need === undefined || rank[who] < rank[need]) {
          expected = "403";
          ok = answer.status === 403;
        } else {
          expected = "not 401/403";
          ok = answer.status !== 401 && answer.status !== 403 && answer.status !== 429;
        }
        if (!ok)
          failures.push(
            `${key} as ${who}: ${answer.status}, expected ${expected} (${answer.text.slice(0, 120)})`,
          );
      }
    }
    expect(failures).toEqual([]);
  });

  it("says why an expired or revoked token is refused", async () => {
    const expired = await call(sup.url, "GET", "/api/execution/status", { token: ids.expired });
    expect(JSON.parse(expired.text).error).toBe("the token has expired");
    const revoked = await call(sup.url, "GET", "/api/execution/status", { token: ids.revoked });
    expect(JSON.parse(revoked.text).error).toBe("the token has been revoked");
  });

  it("gives each sign-in a new session and ends the one before; reads the scheme case-insensitively", async () => {
    const login = async (cookie?: string) => {
      const answer = await call(sup.url, "POST", "/api/auth/login", {
        body: { token: ids.viewer },
        ...(cookie ? { headers: { cookie } } : {}),
      });
      expect(answer.status).toBe(200);
      return String(answer.headers["set-cookie"]).split(";")[0]!;
    };
    const first = await login();
    const second = await login(first);
    expect(second).not.toBe(first);
    expect((await call(sup.url, "GET", "/api/execution/status", { headers: { cookie: first } })).status).toBe(
      401,
    );
    expect(
      (await call(sup.url, "GET", "/api/execution/status", { headers: { cookie: second } })).status,
    ).toBe(200);
    const lower = await call(sup.url, "GET", "/api/execution/status", {
      headers: { authorization: `bearer ${ids.viewer}` },
    });
    expect(lower.status).toBe(200);
  });

  it("never accepts a token in the URL", async () => {
    const answer = await call(sup.url, "GET", `/api/execution/status?token=${sup.token}`);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).code).toBe("token_in_url");
  });

  it("leaves exactly one audit record per state-changing call, with the caller's identity", async () => {
    const operator = ids.operator;
    const actor = { "x-bms-actor": "Alice Operator" };
    const pkg = packageOf(skeletonFlow({ limit: 24 }));
    // One call per audited route, with bodies that get as far as the route can on a site with no device.
    const calls: Record<string, { token?: string; body?: unknown; path?: string; expectName: string }> = {
      "POST /api/config/deploy": { token: operator, body: pkg, expectName: "matrix operator" },
      "POST /api/config/rollback": { token: operator, body: {}, expectName: "matrix operator" },
      "POST /api/config/reload": { token: operator, expectName: "matrix operator" },
      "POST /api/execution/start": { token: operator, expectName: "matrix operator" },
      "POST /api/execution/stop": { token: operator, expectName: "matrix operator" },
      "POST /api/execution/restart": { token: operator, expectName: "matrix operator" },
      "POST /api/flows/:id/start": { token: operator, expectName: "matrix operator" },
      "POST /api/flows/:id/stop": { token: operator, expectName: "matrix operator" },
      "POST /api/flows/:id/restart": { token: operator, expectName: "matrix operator" },
      "PUT /api/execution/parameters/:name": {
        token: operator,
        body: { value: 21 },
        expectName: "matrix operator",
      },
      "POST /api/alerts/:key/ack": { token: operator, body: {}, expectName: "matrix operator" },
      // No check named: refused (422) before a run starts, so no run's own record races this one.
      "POST /api/commissioning/runs": {
        token: operator,
        body: { person: "Alice" },
        expectName: "matrix operator",
      },
      // No such run: 404, audited as failed.
      "POST /api/commissioning/runs/:id/cancel": {
        token: operator,
        path: "/api/commissioning/runs/cr-20260101-000000-aaaaaa/cancel",
        expectName: "matrix operator",
      },
      "PUT /api/data/watch": {
        token: operator,
        body: { points: ["bacnet:1001/analogInput:1.presentValue"] },
        expectName: "matrix operator",
      },
      "POST /api/devices/discover": {
        token: operator,
        body: { timeout_ms: 200 },
        expectName: "matrix operator",
      },
      "PUT /api/devices/:id/schedules/:instance": {
        token: operator,
        body: {},
        expectName: "matrix operator",
      },
      "PUT /api/devices/:id/calendars/:instance": {
        token: operator,
        body: {},
        expectName: "matrix operator",
      },
      "POST /api/devices/:id/time-sync": {
        token: sup.token,
        body: { utc: 1 },
        expectName: "bootstrap admin",
      },
      "POST /api/devices/:id/communication": { token: sup.token, body: {}, expectName: "bootstrap admin" },
      "POST /api/devices/:id/reinitialize": { token: sup.token, body: {}, expectName: "bootstrap admin" },
      "POST /api/devices/who-has": { token: sup.token, body: {}, expectName: "bootstrap admin" },
      "POST /api/points/write": {
        token: operator,
        body: { writes: [{ point: "bacnet:4194302/analogValue:1.presentValue", value: 21, priority: 8 }] },
        expectName: "matrix operator",
      },
      "POST /api/points/overrides": {
        token: operator,
        body: { point: "bacnet:4194302/analogValue:1.presentValue", value: 21, minutes: 1 },
        expectName: "matrix operator",
      },
      "DELETE /api/points/overrides/:id": { token: operator, expectName: "matrix operator" },
      "POST /api/execution/latches/:node/reset": { token: operator, expectName: "matrix operator" },
      "PUT /api/debug/flows/:id/breakpoints": {
        token: operator,
        body: { nodes: [] },
        expectName: "matrix operator",
      },
      "POST /api/debug/flows/:id/resume": { token: operator, body: {}, expectName: "matrix operator" },
      "POST /api/debug/flows/:id/pins": {
        token: operator,
        body: { point: "bacnet:1001/analogInput:1", value: 21 },
        expectName: "matrix operator",
      },
      "DELETE /api/debug/flows/:id/pins/:pin": { token: operator, expectName: "matrix operator" },
      "PUT /api/debug/flows/:id/dry-run": {
        token: operator,
        body: { enabled: false },
        expectName: "matrix operator",
      },
      "POST /api/auth/tokens": {
        token: sup.token,
        body: { name: "audit probe", role: "viewer" },
        expectName: "bootstrap admin",
      },
      "DELETE /api/auth/tokens/:id": { token: sup.token, expectName: "bootstrap admin" },
      // A JSON body is no bundle: refused (422) and audited as failed; the OTA test covers the rest.
      "POST /api/system/update": { token: sup.token, body: {}, expectName: "bootstrap admin" },
      // Not started by the launcher: refused (409) and audited as failed; the fleet OTA test covers the rest.
      "POST /api/system/update/rollback": { token: sup.token, expectName: "bootstrap admin" },
      "POST /api/auth/login": { body: { token: operator }, expectName: "matrix operator" },
      "POST /api/auth/logout": { token: operator, expectName: "matrix operator" },
    };
    const audited = documentedRoutes.filter((r) => r.auditAction);
    expect(audited.map((r) => `${r.method} ${r.url}`).sort()).toEqual(Object.keys(calls).sort());
    for (const route of audited) {
      const key = `${route.method} ${route.url}`;
      const spec = calls[key]!;
      if (key === "DELETE /api/auth/tokens/:id") {
        const listed = await call(sup.url, "GET", "/api/auth/tokens", { token: sup.token });
        const probe = (JSON.parse(listed.text) as { tokens: { id: number; name: string }[] }).tokens.find(
          (t) => t.name === "audit probe",
        );
        spec.path = `/api/auth/tokens/${probe!.id}`;
      }
      const before = await lastAuditId(sup.url, sup.token);
      const answer = await call(sup.url, route.method, spec.path ?? concrete(route.url), {
        ...(spec.token ? { token: spec.token } : {}),
        ...(spec.body !== undefined ? { body: spec.body } : {}),
        headers: actor,
      });
      expect([401, 403, 429], `${key}: ${answer.text}`).not.toContain(answer.status);
      const records = await auditSince(sup.url, sup.token, before);
      expect(records.length, `${key}: ${JSON.stringify(records)}`).toBe(1);
      const record = records[0]!;
      expect(record.action, key).toBe(route.auditAction);
      expect(record.actor.name, key).toBe(spec.expectName);
      expect(record.actor.on_behalf_of, key).toBe("Alice Operator");
      expect(record.source, key).toBe("127.0.0.1");
      expect(record.result, key).toBe(
        answer.status < 300 ? (key.includes("points/write") ? "failed" : "ok") : "failed",
      );
    }
    // The manual write records point, value, priority and the value before: none known for a device
    // that was never seen (the dashboard test checks one read from a live device).
    const write = (await auditSince(sup.url, sup.token, 0)).find((r) => r.action === "point.write")!;
    expect(write.details).toEqual({
      writes: [{ point: "bacnet:4194302/analogValue:1.presentValue", value: 21, priority: 8, before: null }],
    });
  });

  it("audits a refused change (403 for a low role, 401 without identity) once, as denied", async () => {
    const before = await lastAuditId(sup.url, sup.token);
    expect((await call(sup.url, "POST", "/api/execution/stop", { token: ids.viewer })).status).toBe(403);
    expect((await call(sup.url, "POST", "/api/execution/stop")).status).toBe(401);
    const records = await auditSince(sup.url, sup.token, before);
    expect(records.map((r) => [r.action, r.result, r.actor.name])).toEqual([
      ["execution.stop", "denied", "anonymous"],
      ["execution.stop", "denied", "matrix viewer"],
    ]);
  });

  it("lets only an admin force a write over a flow's command, and audits who forced", async () => {
    const writes = [{ point: "bacnet:4194302/analogValue:1.presentValue", value: 21, priority: 8 }];
    const before = await lastAuditId(sup.url, sup.token);
    const refused = await call(sup.url, "POST", "/api/points/write", {
      token: ids.operator,
      body: { writes, force: true },
    });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text).code).toBe("forbidden");
    const forced = await call(sup.url, "POST", "/api/points/write", {
      token: ids.admin,
      body: { writes, force: true },
    });
    expect(forced.status, forced.text).toBe(200);
    const records = await auditSince(sup.url, sup.token, before);
    expect(records.map((r) => [r.action, r.result, r.actor.name, r.details?.forced])).toEqual([
      ["point.write", "failed", "matrix admin", true],
      ["point.write", "denied", "matrix operator", true],
    ]);
  });

  it("exports the trail as CSV, formulas defused", async () => {
    await call(sup.url, "POST", "/api/auth/tokens", {
      token: sup.token,
      body: { name: "=cmd probe", role: "viewer" },
    });
    const csv = await call(sup.url, "GET", "/api/audit/export.csv?action=token.", { token: ids.operator });
    expect(csv.status).toBe(200);
    expect(csv.headers["content-type"]).toContain("text/csv");
    const lines = csv.text.trim().split("\r\n");
    expect(lines[0]).toBe(
      "id,at,actor_kind,actor_name,actor_role,on_behalf_of,source,action,target,result,reason,details",
    );
    expect(lines.slice(1).every((l) => l.includes(",token."))).toBe(true);
    expect(csv.text).not.toMatch(/,=cmd/);
  });

  it("keeps the trail append-only in SQLite itself", () => {
    const db = new Database(join(sup.dataDir, "runtime.db"));
    try {
      expect(() => db.prepare("UPDATE audit SET result = 'ok'").run()).toThrow(/append-only/);
      expect(() => db.prepare("DELETE FROM audit").run()).toThrow(/at least 90 days/);
    } finally {
      db.close();
    }
  });

  it("manages tokens from the CLI while the server runs", async () => {
    const run = async (...args: string[]) => {
      const { spawnSync } = await import("node:child_process");
      const [cmd, argv] = tsxArgs("apps/supervisor/src/cli.ts", [...args, "--data-dir", sup.dataDir]);
      const result = spawnSync(cmd, argv, { cwd: join(REPO_ROOT, "apps/supervisor"), encoding: "utf8" });
      return { code: result.status, out: result.stdout + result.stderr };
    };
    const added = await run("token", "add", "cli wall panel", "--role", "viewer", "--expires", "30d");
    expect(added.code, added.out).toBe(0);
    const secret = added.out.match(/^(bms_\S+)$/m)?.[1];
    expect(secret).toBeDefined();
    expect((await call(sup.url, "GET", "/api/execution/status", { token: secret! })).status).toBe(200);
    expect((await call(sup.url, "POST", "/api/execution/stop", { token: secret! })).status).toBe(403);

    const listed = await run("token", "list");
    expect(listed.out).toMatch(/cli wall panel\s+viewer\s+valid until/);
    expect(listed.out).not.toContain(secret!);
    const id = listed.out.match(/^\s*(\d+)\s+cli wall panel/m)?.[1];
    const revoked = await run("token", "revoke", id!);
    expect(revoked.code, revoked.out).toBe(0);
    expect((await call(sup.url, "GET", "/api/execution/status", { token: secret! })).status).toBe(401);
    const records = await auditSince(sup.url, sup.token, 0);
    expect(records.filter((r) => r.source === "cli").map((r) => r.action)).toEqual([
      "token.revoke",
      "token.create",
    ]);
  });
});

describe("lockout after repeated failures, and --public-read", () => {
  let sup: SupervisorHandle;
  beforeAll(async () => {
    sup = await startSupervisor({
      bacnetBind: LOCKOUT_BIND,
      bacnetPort: 48842,
      broadcast: "127.255.255.255:48899",
      publicRead: true,
    });
  });
  afterAll(() => sup?.stop());

  it("reads without a token, changes nothing without one", async () => {
    expect((await call(sup.url, "GET", "/api/execution/status")).status).toBe(200);
    expect((await call(sup.url, "POST", "/api/execution/stop")).status).toBe(401);
    // A wrong token is not read access even when reads are public: it is refused and counted.
    expect((await call(sup.url, "GET", "/api/execution/status", { token: "bms_wrong" })).status).toBe(401);
  });

  it("locks a source out after 10 failed logins, even for the right token, and audits it", async () => {
    const login = (token: string) =>
      call(sup.url, "POST", "/api/auth/login", { body: { token }, from: ATTACKER });
    for (let i = 0; i < 10; i++) expect((await login(`guess-${i}-0123456789abcdef`)).status).toBe(401);
    const locked = await login(sup.token);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers["retry-after"])).toBeGreaterThan(800);
    expect(
      (await call(sup.url, "GET", "/api/execution/status", { token: sup.token, from: ATTACKER })).status,
    ).toBe(429);
    // Another address is not affected.
    expect((await call(sup.url, "GET", "/api/audit?action=auth.", { token: sup.token })).status).toBe(200);
    const records = await auditSince(sup.url, sup.token, 0);
    const fromAttacker = records.filter((r) => r.source === ATTACKER);
    expect(fromAttacker.filter((r) => r.action === "auth.login" && r.result === "denied")).toHaveLength(10);
    expect(fromAttacker.filter((r) => r.action === "auth.lockout")).toHaveLength(1);
  });
});

describe("TLS and safe start-up defaults", () => {
  it("--tls self-signed serves https, prints the fingerprint, and marks the cookie Secure", async () => {
    const sup = await startSupervisor({
      bacnetBind: TLS_BIND,
      bacnetPort: 48843,
      broadcast: "127.255.255.255:48899",
      publicRead: false,
      extraArgs: ["--tls", "self-signed"],
    });
    try {
      const printed = sup.output().match(/bms-supervisor TLS fingerprint SHA-256 ([0-9A-F:]{95})/)?.[1];
      const ca = readFileSync(join(sup.dataDir, "tls/cert.pem"), "utf8");
      expect(printed).toBe(certFingerprint(ca));
      const url = sup.output().match(/bms-supervisor listening (https:\/\/\S+)/)?.[1];
      expect(url).toBeDefined();
      const health = await call(url!, "GET", "/api/health", { ca });
      expect(health.status).toBe(200);
      expect(health.headers["strict-transport-security"]).toBe("max-age=31536000");
      const login = await call(url!, "POST", "/api/auth/login", { body: { token: sup.token }, ca });
      expect(String(login.headers["set-cookie"])).toMatch(/HttpOnly; SameSite=Strict; Secure/);
    } finally {
      await sup.stop();
    }
  });

  it("refuses the demo token and a short one on a non-loopback bind, in one line, before binding", async () => {
    const { spawnSync } = await import("node:child_process");
    const attempt = (token: string) => {
      const [cmd, argv] = tsxArgs("apps/supervisor/src/cli.ts", [
        "serve",
        "--http-host",
        "0.0.0.0",
        "--http-port",
        "1",
        "--data-dir",
        tempDir("bind-policy"),
        "--bacnet-bind",
        TLS_BIND,
        "--bacnet-port",
        "48844",
      ]);
      return spawnSync(cmd, argv, {
        cwd: join(REPO_ROOT, "apps/supervisor"),
        env: { ...process.env, BMS_SUPERVISOR_TOKEN: token },
        encoding: "utf8",
      });
    };
    const demo = attempt("demo-admin-token-change-me");
    expect(demo.status).toBe(1);
    expect(demo.stderr.trim()).toMatch(
      /^bms-supervisor: the demo token is refused on a non-loopback address/,
    );
    expect(demo.stderr.trim().split("\n")).toHaveLength(1);
    const short = attempt("short-token-0123456789");
    expect(short.status).toBe(1);
    expect(short.stderr.trim()).toMatch(/must be at least 32 characters/);
  });
});
