import type { Role } from "@bms/schemas";

/**
 * Which supervisor API paths the Designer's `/api/runtime/*` proxy forwards, and who may use each.
 * Anything not listed is refused before it leaves the Designer: the proxy holds a supervisor token, so
 * it must never become a way to reach a supervisor route the signed-in user could not use directly.
 * Roles follow the supervisor's own table (issue 10); identity routes are admin only, and the
 * supervisor's sign-in routes are not proxied at all (the Designer authenticates with its token).
 */
export interface ProxyRule {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Path below `/api/`, segments separated by `/`; `:name` matches one segment. */
  path: string;
  role: Role;
  /** Audit action; absent for reads (including POST reads such as `points/read`). */
  audit?: string;
  /** The answer is a file (a report's HTML or PDF), passed through as bytes with its type, not JSON. */
  download?: true;
  /** How long the proxy waits for the supervisor, when longer than a read's default. */
  timeoutMs?: number;
}

export const PROXY_RULES: readonly ProxyRule[] = [
  { method: "GET", path: "health", role: "viewer" },
  { method: "GET", path: "config/current", role: "viewer" },
  { method: "GET", path: "config/history", role: "viewer" },
  { method: "POST", path: "config/validate", role: "operator" },
  { method: "POST", path: "config/deploy", role: "operator", audit: "runtime.deploy" },
  { method: "POST", path: "config/rollback", role: "operator", audit: "runtime.rollback" },
  { method: "POST", path: "config/reload", role: "operator", audit: "runtime.reload" },
  { method: "GET", path: "execution/status", role: "viewer" },
  { method: "GET", path: "execution/state", role: "viewer" },
  { method: "GET", path: "execution/traces", role: "viewer" },
  { method: "GET", path: "execution/logs", role: "viewer" },
  { method: "GET", path: "execution/parameters", role: "viewer" },
  { method: "PUT", path: "execution/parameters/:name", role: "operator", audit: "runtime.parameter.update" },
  { method: "GET", path: "execution/latches", role: "viewer" },
  { method: "POST", path: "execution/latches/:node/reset", role: "operator", audit: "runtime.latch.reset" },
  { method: "POST", path: "execution/start", role: "operator", audit: "runtime.start" },
  { method: "POST", path: "execution/stop", role: "operator", audit: "runtime.stop" },
  { method: "POST", path: "execution/restart", role: "operator", audit: "runtime.restart" },
  { method: "GET", path: "flows", role: "viewer" },
  { method: "GET", path: "flows/:id/state", role: "viewer" },
  { method: "POST", path: "flows/:id/start", role: "operator", audit: "runtime.flow.start" },
  { method: "POST", path: "flows/:id/stop", role: "operator", audit: "runtime.flow.stop" },
  { method: "POST", path: "flows/:id/restart", role: "operator", audit: "runtime.flow.restart" },
  // The live debugger (issue 16): the canvas sets breakpoints, steps, pins and dry-runs through these.
  { method: "GET", path: "debug/pins", role: "viewer" },
  { method: "GET", path: "debug/flows/:id", role: "viewer" },
  {
    method: "PUT",
    path: "debug/flows/:id/breakpoints",
    role: "operator",
    audit: "runtime.debug.breakpoints",
  },
  { method: "POST", path: "debug/flows/:id/resume", role: "operator", audit: "runtime.debug.resume" },
  { method: "POST", path: "debug/flows/:id/pins", role: "operator", audit: "runtime.debug.pin" },
  { method: "DELETE", path: "debug/flows/:id/pins/:pin", role: "operator", audit: "runtime.debug.unpin" },
  { method: "PUT", path: "debug/flows/:id/dry-run", role: "operator", audit: "runtime.debug.dry_run" },
  // Replay changes nothing (no audit, as validate), but spends the supervisor's CPU: operator.
  { method: "POST", path: "debug/replay", role: "operator", timeoutMs: 45_000 },
  // Commissioning (issue 16): reports are read by viewers; a run commands points, so it is an operator's,
  // and forcing a write test over a flow's command needs an admin (as a forced point write does).
  { method: "GET", path: "commissioning/runs", role: "viewer" },
  { method: "POST", path: "commissioning/runs", role: "operator", audit: "runtime.commissioning.run" },
  { method: "GET", path: "commissioning/runs/:id", role: "viewer" },
  {
    method: "POST",
    path: "commissioning/runs/:id/cancel",
    role: "operator",
    audit: "runtime.commissioning.cancel",
  },
  { method: "GET", path: "commissioning/runs/:id/report.html", role: "viewer", download: true },
  { method: "GET", path: "commissioning/runs/:id/report.pdf", role: "viewer", download: true },
  // The signed JSON file byte for byte (what verify-report checks), and the key a customer compares.
  { method: "GET", path: "commissioning/runs/:id/report.json", role: "viewer", download: true },
  { method: "GET", path: "commissioning/signing-key", role: "viewer" },
  // Verifying an uploaded report changes nothing (no audit, as validate); a viewer may check one.
  { method: "POST", path: "commissioning/verify", role: "viewer" },
  { method: "GET", path: "devices", role: "viewer" },
  { method: "GET", path: "devices/discovery", role: "viewer" },
  { method: "GET", path: "devices/network", role: "viewer" },
  { method: "POST", path: "devices/discover", role: "operator", audit: "runtime.discover" },
  { method: "GET", path: "devices/:id", role: "viewer" },
  { method: "GET", path: "devices/:id/objects", role: "viewer" },
  { method: "GET", path: "devices/:id/schedules/:instance", role: "viewer" },
  {
    method: "PUT",
    path: "devices/:id/schedules/:instance",
    role: "operator",
    audit: "runtime.schedule.write",
  },
  { method: "GET", path: "devices/:id/calendars/:instance", role: "viewer" },
  {
    method: "PUT",
    path: "devices/:id/calendars/:instance",
    role: "operator",
    audit: "runtime.calendar.write",
  },
  // Commissioning can silence or restart a controller: admin only, as on the supervisor.
  { method: "POST", path: "devices/:id/time-sync", role: "admin", audit: "runtime.device.time_sync" },
  { method: "POST", path: "devices/:id/communication", role: "admin", audit: "runtime.device.communication" },
  { method: "POST", path: "devices/:id/reinitialize", role: "admin", audit: "runtime.device.reinitialize" },
  { method: "POST", path: "devices/who-has", role: "admin", audit: "runtime.device.who_has" },
  { method: "GET", path: "devices/:id/report", role: "viewer" },
  { method: "POST", path: "points/read", role: "viewer" },
  { method: "GET", path: "points/live", role: "viewer" },
  { method: "GET", path: "plugins", role: "viewer" },
  { method: "GET", path: "plugins/:protocol/browse", role: "viewer" },
  { method: "GET", path: "points/priority", role: "viewer" },
  { method: "POST", path: "points/write", role: "operator", audit: "runtime.point.write" },
  { method: "GET", path: "points/overrides", role: "viewer" },
  { method: "POST", path: "points/overrides", role: "operator", audit: "runtime.point.override" },
  { method: "DELETE", path: "points/overrides/:id", role: "operator", audit: "runtime.point.override.end" },
  { method: "GET", path: "data/timeseries", role: "viewer" },
  { method: "GET", path: "data/latest", role: "viewer" },
  { method: "GET", path: "data/watch", role: "viewer" },
  { method: "PUT", path: "data/watch", role: "operator", audit: "runtime.watch.update" },
  { method: "GET", path: "alerts", role: "viewer" },
  { method: "POST", path: "alerts/:key/ack", role: "operator", audit: "runtime.alarm.ack" },
  { method: "GET", path: "monitoring/metrics", role: "viewer" },
  // Identity on the supervisor: admin only, every change audited here as well as there.
  { method: "GET", path: "auth/whoami", role: "admin" },
  { method: "GET", path: "auth/tokens", role: "admin" },
  { method: "POST", path: "auth/tokens", role: "admin", audit: "runtime.token.create" },
  { method: "DELETE", path: "auth/tokens/:id", role: "admin", audit: "runtime.token.revoke" },
  { method: "GET", path: "audit", role: "admin" },
  { method: "GET", path: "audit/export.csv", role: "admin" },
];

/**
 * Supervisor API routes the proxy deliberately does not forward (the Designer signs in with its token,
 * never with a person's). Every supervisor route is either in PROXY_RULES or here: a test reads the
 * supervisor's route files and fails for a route with no decision.
 */
export const NOT_PROXIED: readonly string[] = [
  "POST auth/login",
  "POST auth/logout",
  // A signed release bundle goes to the supervisor directly (an admin's upload, checked against the key
  // pinned at install); the Designer's JSON proxy is no path for a 10 MB binary.
  "POST system/update",
  // Rolling a release back is the fleet rollout's (or an admin's on the supervisor itself), not a page's.
  "POST system/update/rollback",
  // The EPICS text is printed in the browser from the JSON report (@bms/bacnet/device-report), with
  // the same formatter the supervisor uses: the JSON proxy carries no text files.
  "GET devices/:id/report.txt",
];

/**
 * The rule for a request, or null when the path or method is not proxied. A point write with
 * `force: true` (over a flow's command) needs an admin, as on the supervisor: the proxy's own token may
 * be an admin's, so the signed-in person must be one too.
 */
export function proxyRule(method: string, segments: readonly string[], body?: unknown): ProxyRule | null {
  const upper = method.toUpperCase() === "HEAD" ? "GET" : method.toUpperCase();
  for (const rule of PROXY_RULES) {
    if (rule.method !== upper) continue;
    const pattern = rule.path.split("/");
    if (pattern.length !== segments.length) continue;
    if (!pattern.every((part, i) => part.startsWith(":") || part === segments[i])) continue;
    const forced = typeof body === "object" && body !== null && (body as { force?: unknown }).force === true;
    const forcedWriteTest =
      rule.path === "commissioning/runs" &&
      (body as { checkout?: { write_test?: { force?: unknown } } } | undefined)?.checkout?.write_test
        ?.force === true;
    return (rule.path === "points/write" && forced) || forcedWriteTest ? { ...rule, role: "admin" } : rule;
  }
  return null;
}
