import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NOT_PROXIED, PROXY_RULES, proxyRule } from "../runtime-proxy-rules";
import type { GuardedHandler } from "./guard";
import {
  expectedOutcome,
  IDENTITIES,
  type Identity,
  matrixCases,
  observedOutcome,
  ROUTE_EXPECTATIONS,
  RUNTIME_EXPECTATIONS,
} from "./route-access-expectations";

// The decision table, in-process: every route file's real handlers, the real guard, a real projects.db
// in a temporary directory. The same table runs over HTTP against the built server in
// e2e/authorization.test.ts.

const APP_DIR = join(import.meta.dirname, "..", "..", "app");
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
const ORIGIN = "http://127.0.0.1:3000";

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return routeFiles(path);
    return name === "route.ts" ? [path] : [];
  });
}

/** `src/app/api/projects/[id]/route.ts` → `/api/projects/[id]`. */
function routePattern(file: string): string {
  return `/${relative(APP_DIR, file).split(sep).slice(0, -1).join("/")}`;
}

/** The params Next would pass for `sample` under `pattern`. */
function paramsFor(pattern: string, sample: string): Record<string, string | string[]> {
  const parts = pattern.split("/");
  const values = new URL(sample, ORIGIN).pathname.split("/");
  const params: Record<string, string | string[]> = {};
  parts.forEach((part, i) => {
    const rest = part.match(/^\[\.\.\.(\w+)\]$/);
    if (rest?.[1]) params[rest[1]] = values.slice(i).map(decodeURIComponent);
    else {
      const one = part.match(/^\[(\w+)\]$/);
      if (one?.[1]) params[one[1]] = decodeURIComponent(values[i] ?? "");
    }
  });
  return params;
}

interface Found {
  key: string;
  pattern: string;
  method: string;
  handler: GuardedHandler<unknown>;
}

let dataDir = "";
const found: Found[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "designer-authz-"));
  process.env.BMS_DATA_DIR = dataDir;
  process.env.BMS_SUPERVISOR_URL = "http://127.0.0.1:9";
  for (const file of routeFiles(join(APP_DIR, "api"))) {
    const module = (await import(file)) as Record<string, unknown>;
    for (const method of METHODS) {
      const handler = module[method];
      if (typeof handler !== "function") continue;
      const pattern = routePattern(file);
      found.push({
        key: `${method} ${pattern}`,
        pattern,
        method,
        handler: handler as GuardedHandler<unknown>,
      });
    }
  }
});

afterAll(() => {
  const holder = globalThis as { __bmsProjectsDb?: { close(): void } };
  holder.__bmsProjectsDb?.close();
  delete holder.__bmsProjectsDb;
  rmSync(dataDir, { recursive: true, force: true });
});

describe("the route table", () => {
  it("finds the route files", () => {
    expect(found.length).toBeGreaterThan(30);
  });

  it("has every exported handler behind the guard, with the role and audit action the table expects", () => {
    const problems: string[] = [];
    for (const route of found) {
      const expected = ROUTE_EXPECTATIONS[route.key];
      if (!expected) problems.push(`${route.key}: no entry in ROUTE_EXPECTATIONS (a new route needs one)`);
      else if (!route.handler.guard) problems.push(`${route.key}: not wrapped by guarded()`);
      else {
        if (route.handler.guard.role !== expected.role)
          problems.push(`${route.key}: role ${route.handler.guard.role}, expected ${expected.role}`);
        if (route.handler.guard.audit !== expected.audit)
          problems.push(`${route.key}: audit ${route.handler.guard.audit}, expected ${expected.audit}`);
      }
      if (route.method !== "GET" && !route.handler.guard?.audit)
        problems.push(`${route.key}: changes state but names no audit action`);
    }
    for (const key of Object.keys(ROUTE_EXPECTATIONS)) {
      if (!found.some((r) => r.key === key)) problems.push(`${key}: expected but no such handler`);
    }
    expect(problems).toEqual([]);
  });

  it("proxies exactly the supervisor paths the runtime table allows, with their roles", () => {
    for (const row of RUNTIME_EXPECTATIONS) {
      const rule = proxyRule(row.method, row.path.split("/"), row.body);
      if (row.role === "refused") expect(rule, `${row.method} ${row.path}`).toBeNull();
      else {
        expect(rule?.role, `${row.method} ${row.path}`).toBe(row.role);
        expect(rule?.audit, `${row.method} ${row.path}`).toBe(row.audit);
      }
    }
  });
});

/**
 * The supervisor's API as its route table declares it, through the OpenAPI document generated from that
 * table (a supervisor test keeps the file current), e.g. `GET points/priority`. Reading the route files
 * themselves missed routes kept in a second file of a folder.
 */
function supervisorRoutes(): string[] {
  const file = join(import.meta.dirname, "..", "..", "..", "..", "..", "docs", "api", "openapi.json");
  const doc = JSON.parse(readFileSync(file, "utf8")) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    path.startsWith("/api/")
      ? Object.keys(methods).map(
          (method) => `${method.toUpperCase()} ${path.slice(5).replace(/\{(\w+)\}/g, ":$1")}`,
        )
      : [],
  );
}

describe("the runtime proxy against the supervisor's real route table", () => {
  it("has a decision (forward with a role, or refuse) for every supervisor API route", () => {
    const routes = supervisorRoutes();
    expect(routes.length).toBeGreaterThan(25);
    const undecided = routes.filter((route) => {
      const [method = "", path = ""] = route.split(" ");
      return !NOT_PROXIED.includes(route) && !proxyRule(method, path.split("/"));
    });
    expect(undecided).toEqual([]);
    // And no rule points at a route the supervisor does not have (a typo would silently refuse it).
    const known = new Set(routes.map((r) => r.replace(/:\w+/g, ":x")));
    const stale = PROXY_RULES.map((r) => `${r.method} ${r.path}`)
      .filter((r) => !r.includes(" auth/") && !r.endsWith(" audit") && !r.endsWith(" audit/export.csv"))
      .filter((r) => !known.has(r.replace(/:\w+/g, ":x")));
    expect(stale).toEqual([]);
  });
});

describe("every route as every identity (in-process, real SQLite)", () => {
  it("allows exactly the roles the table names and refuses the rest with 401/403", async () => {
    const { getDb } = await import("../db/client");
    const { createUser } = await import("./users-repository");
    const { createSession, deleteSession } = await import("./sessions-repository");
    const { hashToken } = await import("@bms/security");
    const { listProjects } = await import("../db/projects-repository");
    const db = getDb();
    const cookies: Partial<Record<Identity, { cookie: string; csrf: string }>> = {};
    for (const role of ["viewer", "operator", "admin"] as const) {
      const user = await createUser(db, { name: role, role, password: `${role}-password-long-enough` });
      if (!user.ok) throw new Error(user.message);
      const session = createSession(db, user.user.id, "test");
      cookies[role] = { cookie: `bms_session=${session.id}`, csrf: session.csrfToken };
      if (role === "admin") {
        const old = createSession(db, user.user.id, "test", Date.now() - 13 * 3_600_000);
        cookies.expired = { cookie: `bms_session=${old.id}`, csrf: old.csrfToken };
        const gone = createSession(db, user.user.id, "test");
        deleteSession(db, hashToken(gone.id));
        cookies["logged-out"] = { cookie: `bms_session=${gone.id}`, csrf: gone.csrfToken };
      }
    }
    const cases = matrixCases(listProjects(db)[0]!.id);
    const failures: string[] = [];
    for (const identity of IDENTITIES) {
      for (const c of cases) {
        const route = found.find((r) => r.key === c.key);
        if (!route) throw new Error(`no handler for ${c.key}`);
        const credentials = cookies[identity];
        const headers: Record<string, string> = { host: "127.0.0.1:3000", origin: ORIGIN };
        if (credentials) {
          headers.cookie = credentials.cookie;
          headers["x-csrf-token"] = credentials.csrf;
        }
        if (c.body !== undefined) headers["content-type"] = "application/json";
        const request = new Request(new URL(c.path, ORIGIN), {
          method: c.method,
          headers,
          ...(c.body !== undefined ? { body: JSON.stringify(c.body) } : {}),
        });
        const response = await route.handler(request, {
          params: Promise.resolve(paramsFor(route.pattern, c.path)),
        });
        const body = (await response.json().catch(() => ({}))) as { code?: string };
        const got = observedOutcome(response.status, body.code);
        const want = expectedOutcome(c, identity);
        if (got !== want) failures.push(`${identity} ${c.method} ${c.path}: ${got}, expected ${want}`);
      }
    }
    expect(failures).toEqual([]);
  }, 60_000);
});
