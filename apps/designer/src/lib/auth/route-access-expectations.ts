import { type Role, roleAllows } from "@bms/schemas";
import type { Access } from "./guard";

/**
 * Who may call what, written down independently of the route files: the authorization-matrix tests
 * compare every exported handler's guard with this table (a route or method missing here fails them),
 * then call each one as every kind of identity. `sample` is a concrete path to call and `body` a request
 * body that passes the guard but changes nothing lasting (an unknown id, or a body the route refuses
 * with 4xx after the guard), so the matrix can run every identity against one server.
 */
export interface RouteExpectation {
  role: Access;
  /** The audit action written for this route's state changes. */
  audit?: string;
  sample: string;
  body?: unknown;
}

/** Filled in by the tests: {project} an existing project id. */
export const ROUTE_EXPECTATIONS: Record<string, RouteExpectation> = {
  "GET /api/projects": { role: "viewer", sample: "/api/projects" },
  "POST /api/projects": {
    role: "operator",
    audit: "project.create",
    sample: "/api/projects",
    body: { name: "" },
  },
  "GET /api/projects/[id]": { role: "viewer", sample: "/api/projects/{project}" },
  "PATCH /api/projects/[id]": {
    role: "operator",
    audit: "project.update",
    sample: "/api/projects/no-such-project",
    body: {},
  },
  "DELETE /api/projects/[id]": {
    role: "operator",
    audit: "project.delete",
    sample: "/api/projects/no-such-project",
  },
  "GET /api/projects/[id]/deploy": { role: "viewer", sample: "/api/projects/{project}/deploy" },
  "GET /api/projects/[id]/deploy/preview": {
    role: "viewer",
    sample: "/api/projects/{project}/deploy/preview?supervisor=no-such-supervisor",
  },
  "POST /api/projects/[id]/deploy": {
    role: "operator",
    audit: "project.deploy",
    sample: "/api/projects/{project}/deploy",
    body: { supervisor_ids: [] },
  },
  "GET /api/projects/[id]/document": { role: "viewer", sample: "/api/projects/{project}/document" },
  "GET /api/projects/[id]/draft": { role: "viewer", sample: "/api/projects/{project}/draft" },
  "PUT /api/projects/[id]/draft": {
    role: "operator",
    audit: "project.draft",
    sample: "/api/projects/{project}/draft",
    body: { base_version: "not a number" },
  },
  "POST /api/projects/[id]/draft": {
    role: "operator",
    audit: "project.draft",
    sample: "/api/projects/{project}/draft",
    body: { base_version: "not a number" },
  },
  "DELETE /api/projects/[id]/draft": {
    role: "operator",
    audit: "project.draft.discard",
    sample: "/api/projects/{project}/draft",
  },
  "POST /api/projects/[id]/duplicate": {
    role: "operator",
    audit: "project.duplicate",
    sample: "/api/projects/no-such-project/duplicate",
    body: {},
  },
  "GET /api/projects/[id]/templates": { role: "viewer", sample: "/api/projects/{project}/templates" },
  "POST /api/projects/[id]/templates": {
    role: "operator",
    audit: "project.template.save",
    sample: "/api/projects/{project}/templates",
    body: { name: 42 },
  },
  "DELETE /api/projects/[id]/templates/[templateId]": {
    role: "operator",
    audit: "project.template.delete",
    sample: "/api/projects/{project}/templates/no-such-template",
  },
  "GET /api/projects/[id]/export": { role: "viewer", sample: "/api/projects/{project}/export" },
  "GET /api/projects/[id]/versions": { role: "viewer", sample: "/api/projects/{project}/versions" },
  "POST /api/projects/[id]/versions": {
    role: "operator",
    audit: "project.save",
    sample: "/api/projects/{project}/versions",
    body: { configuration: "not a configuration" },
  },
  "GET /api/projects/[id]/versions/[version]": {
    role: "viewer",
    sample: "/api/projects/{project}/versions/1",
  },
  "POST /api/projects/[id]/versions/[version]/restore": {
    role: "operator",
    audit: "project.restore",
    sample: "/api/projects/{project}/versions/999/restore",
    body: {},
  },
  "POST /api/projects/import": {
    role: "operator",
    audit: "project.import",
    sample: "/api/projects/import",
    body: { format: "not a project file" },
  },
  "GET /api/supervisors": { role: "viewer", sample: "/api/supervisors" },
  "POST /api/supervisors": {
    role: "admin",
    audit: "supervisor.create",
    sample: "/api/supervisors",
    body: {},
  },
  "PUT /api/supervisors/[id]": {
    role: "admin",
    audit: "supervisor.update",
    sample: "/api/supervisors/no-such-supervisor",
    body: {},
  },
  "DELETE /api/supervisors/[id]": {
    role: "admin",
    audit: "supervisor.delete",
    sample: "/api/supervisors/no-such-supervisor",
  },
  "POST /api/supervisors/[id]/test": {
    role: "admin",
    audit: "supervisor.test",
    sample: "/api/supervisors/no-such-supervisor/test",
    body: {},
  },
  "PUT /api/supervisors/[id]/tags": {
    role: "admin",
    audit: "supervisor.tags",
    sample: "/api/supervisors/no-such-supervisor/tags",
    body: { tags: [] },
  },
  "GET /api/fleet": { role: "viewer", sample: "/api/fleet" },
  "GET /api/rollouts": { role: "viewer", sample: "/api/rollouts" },
  "POST /api/rollouts": {
    role: "operator",
    audit: "rollout.start",
    sample: "/api/rollouts",
    body: { project_id: "" },
  },
  "POST /api/rollouts/release": {
    role: "admin",
    audit: "rollout.release.start",
    sample: "/api/rollouts/release",
    body: { kind: "release" },
  },
  "GET /api/release-bundles": { role: "viewer", sample: "/api/release-bundles" },
  "POST /api/release-bundles": {
    role: "admin",
    audit: "release_bundle.upload",
    sample: "/api/release-bundles",
    body: {},
  },
  "GET /api/rollouts/[id]": { role: "viewer", sample: "/api/rollouts/no-such-rollout" },
  "POST /api/rollouts/[id]/stop": {
    role: "operator",
    audit: "rollout.stop",
    sample: "/api/rollouts/no-such-rollout/stop",
  },
  "GET /api/users": { role: "admin", sample: "/api/users" },
  "POST /api/users": { role: "admin", audit: "user.create", sample: "/api/users", body: { name: "" } },
  "PATCH /api/users/[id]": { role: "admin", audit: "user.update", sample: "/api/users/999999", body: {} },
  "DELETE /api/users/[id]": { role: "admin", audit: "user.delete", sample: "/api/users/999999" },
  "GET /api/audit": { role: "admin", sample: "/api/audit?limit=1" },
  "GET /api/audit/export": { role: "admin", sample: "/api/audit/export?limit=1" },
  "GET /api/auth/whoami": { role: "public", sample: "/api/auth/whoami" },
  "POST /api/auth/login": { role: "public", audit: "auth.login", sample: "/api/auth/login", body: {} },
  "POST /api/auth/setup": { role: "public", audit: "auth.setup", sample: "/api/auth/setup", body: {} },
  "POST /api/auth/password": {
    role: "viewer",
    audit: "user.password",
    sample: "/api/auth/password",
    body: { current_password: "x", new_password: "short" },
  },
  // Last in the table on purpose: the matrix runs in this order, and a sign-out ends the session.
  "POST /api/auth/logout": { role: "public", audit: "auth.logout", sample: "/api/auth/logout", body: {} },
  // The proxy's handlers only need a session; the role comes from PROXY_RULES per supervisor path
  // (RUNTIME_EXPECTATIONS below).
  "GET /api/runtime/[...path]": { role: "viewer", sample: "/api/runtime/health" },
  "POST /api/runtime/[...path]": {
    role: "viewer",
    audit: "runtime.refused",
    sample: "/api/runtime/points/read",
    body: {},
  },
  "PUT /api/runtime/[...path]": {
    role: "viewer",
    audit: "runtime.refused",
    sample: "/api/runtime/data/watch",
    body: {},
  },
  "DELETE /api/runtime/[...path]": {
    role: "viewer",
    audit: "runtime.refused",
    sample: "/api/runtime/auth/tokens/1",
  },
};

/**
 * Supervisor paths through `/api/runtime/*`: the role each needs, or "refused" for paths the proxy
 * never forwards (404 `not_proxied` for anyone signed in).
 */
export const RUNTIME_EXPECTATIONS: readonly {
  method: string;
  path: string;
  role: Access | "refused";
  audit?: string;
  body?: unknown;
}[] = [
  { method: "GET", path: "execution/state", role: "viewer" },
  { method: "GET", path: "devices", role: "viewer" },
  { method: "GET", path: "devices/1/schedules/1", role: "viewer" },
  {
    method: "POST",
    path: "devices/1/reinitialize",
    role: "admin",
    audit: "runtime.device.reinitialize",
    body: {},
  },
  {
    method: "PUT",
    path: "devices/1/schedules/1",
    role: "operator",
    audit: "runtime.schedule.write",
    body: {},
  },
  { method: "GET", path: "points/priority", role: "viewer" },
  {
    method: "PUT",
    path: "execution/parameters/setpoint",
    role: "operator",
    audit: "runtime.parameter.update",
    body: {},
  },
  { method: "POST", path: "points/read", role: "viewer", body: { points: [] } },
  { method: "POST", path: "config/validate", role: "operator", body: {} },
  {
    method: "POST",
    path: "points/write",
    role: "operator",
    audit: "runtime.point.write",
    body: { writes: [{ point: "bacnet:1/analogValue:1", value: 21.5, priority: 8 }] },
  },
  {
    method: "POST",
    path: "points/write",
    role: "admin",
    audit: "runtime.point.write",
    body: { writes: [{ point: "bacnet:1/analogValue:1", value: 21.5, priority: 8 }], force: true },
  },
  { method: "POST", path: "execution/stop", role: "operator", audit: "runtime.stop", body: {} },
  { method: "POST", path: "execution/start", role: "operator", audit: "runtime.start", body: {} },
  { method: "GET", path: "flows", role: "viewer" },
  { method: "GET", path: "flows/ahu-1/state", role: "viewer" },
  { method: "POST", path: "flows/ahu-1/stop", role: "operator", audit: "runtime.flow.stop", body: {} },
  { method: "POST", path: "flows/ahu-1/start", role: "operator", audit: "runtime.flow.start", body: {} },
  { method: "POST", path: "flows/ahu-1/restart", role: "operator", audit: "runtime.flow.restart", body: {} },
  { method: "POST", path: "config/rollback", role: "operator", audit: "runtime.rollback", body: {} },
  { method: "PUT", path: "data/watch", role: "operator", audit: "runtime.watch.update", body: {} },
  { method: "GET", path: "auth/tokens", role: "admin" },
  { method: "POST", path: "auth/tokens", role: "admin", audit: "runtime.token.create", body: {} },
  { method: "DELETE", path: "auth/tokens/1", role: "admin", audit: "runtime.token.revoke" },
  { method: "GET", path: "audit", role: "admin" },
  { method: "POST", path: "auth/login", role: "refused", audit: "runtime.refused", body: {} },
  { method: "GET", path: "config/export-secrets", role: "refused" },
  { method: "DELETE", path: "config/current", role: "refused", audit: "runtime.refused" },
];

/** One request of the matrix: a route file's handler (`key`), the concrete path, who may call it. */
export interface MatrixCase {
  key: string;
  method: string;
  path: string;
  role: Access | "refused";
  audit?: string;
  body?: unknown;
}

export const IDENTITIES = ["anonymous", "viewer", "operator", "admin", "expired", "logged-out"] as const;
export type Identity = (typeof IDENTITIES)[number];

const RUNTIME_KEY = "/api/runtime/[...path]";

/** Every route once (the proxy once per supervisor path in RUNTIME_EXPECTATIONS), sign-out last. */
export function matrixCases(project: string): MatrixCase[] {
  const cases: MatrixCase[] = [];
  for (const [key, e] of Object.entries(ROUTE_EXPECTATIONS)) {
    if (key.endsWith(RUNTIME_KEY)) continue;
    const [method = "GET"] = key.split(" ");
    cases.push({
      key,
      method,
      path: e.sample.replace("{project}", project),
      role: e.role,
      ...(e.audit ? { audit: e.audit } : {}),
      ...(e.body !== undefined ? { body: e.body } : {}),
    });
  }
  for (const row of RUNTIME_EXPECTATIONS) {
    cases.push({
      key: `${row.method} ${RUNTIME_KEY}`,
      method: row.method,
      path: `/api/runtime/${row.path}`,
      role: row.role,
      ...(row.audit ? { audit: row.audit } : {}),
      ...(row.body !== undefined ? { body: row.body } : {}),
    });
  }
  return cases.sort((a, b) => Number(a.path.endsWith("/logout")) - Number(b.path.endsWith("/logout")));
}

/** What the guard must answer: a 401 without a live session, a 403 for a role too low, else the route runs. */
export function expectedOutcome(c: MatrixCase, identity: Identity): string {
  const role: Role | null =
    identity === "viewer" || identity === "operator" || identity === "admin" ? identity : null;
  if (c.role === "public") return "allowed";
  if (!role) return "401";
  if (c.role === "refused") return "404 not_proxied";
  return roleAllows(role, c.role) ? "allowed" : "403 forbidden";
}

export function observedOutcome(status: number, code: string | undefined): string {
  if (status === 401 && (code === "not_signed_in" || code === "session_expired")) return "401";
  if (status === 403 && code === "forbidden") return "403 forbidden";
  if (status === 404 && code === "not_proxied") return "404 not_proxied";
  if (status === 401 || status === 403) return `${status} ${code}`;
  return "allowed";
}
