/**
 * The browser-facing checks both apps run before anything else, as one pure function each so the
 * supervisor (a Fastify hook) and the Designer (its server entry) apply the same rules:
 * - `Host` must be on an allowlist: a DNS-rebinding page reaches us under its own host name and fails;
 * - a state-changing request must come from our own origin (or a configured one): `Origin` when sent,
 *   `Sec-Fetch-Site: cross-site` refused; a request with neither is a non-browser client (curl, CLI, the
 *   Designer's server) and is judged by its credentials alone;
 * - a state-changing request must say `Content-Type: application/json`, which a cross-site form or a
 *   `no-cors` fetch cannot send without a preflight;
 * - a cookie-authenticated state change must also carry the session's CSRF token (checked by the caller,
 *   which owns the session, and passed in as `csrfValid`).
 */

export const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

export interface GuardPolicy {
  /** Host header values (host or host:port, lower case) this server answers to. */
  allowedHosts: readonly string[];
  /** Origins (scheme://host[:port]) allowed to make state-changing requests, besides our own. */
  allowedOrigins: readonly string[];
}

export type GuardVerdict =
  | { ok: true }
  | { ok: false; status: 400 | 403 | 415; code: GuardCode; message: string };

export type GuardCode =
  | "host_not_allowed"
  | "cross_origin"
  | "cross_site"
  | "content_type"
  | "csrf_missing"
  | "csrf_invalid";

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The loopback names a local server answers to on `port`, plus any extra host names given. */
export function defaultAllowedHosts(port: number, extra: readonly string[] = []): string[] {
  const names = [
    "localhost",
    "127.0.0.1",
    "[::1]",
    ...extra.map((h) => h.trim().toLowerCase()).filter(Boolean),
  ];
  const hosts = new Set<string>();
  for (const name of names) {
    if (name.includes(":") && !name.startsWith("[")) {
      hosts.add(name); // already host:port
      continue;
    }
    hosts.add(name);
    hosts.add(`${name}:${port}`);
  }
  return [...hosts];
}

export function checkHost(headers: Headers, policy: GuardPolicy): GuardVerdict {
  const host = header(headers, "host")?.trim().toLowerCase();
  if (host && policy.allowedHosts.includes(host)) return { ok: true };
  return {
    ok: false,
    status: 403,
    code: "host_not_allowed",
    message: `host "${host ?? ""}" is not one this server answers to (set the allowed host names to add it)`,
  };
}

/** Our own origins are the allowed hosts under the scheme we serve. */
export function ownOrigins(policy: GuardPolicy, scheme: "http" | "https"): string[] {
  return policy.allowedHosts.map((host) => `${scheme}://${host}`);
}

export function checkStateChange(
  request: {
    method: string;
    headers: Headers;
    scheme: "http" | "https";
    cookieAuthenticated: boolean;
    csrfValid?: boolean;
  },
  policy: GuardPolicy,
): GuardVerdict {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return { ok: true };
  const origin = header(request.headers, "origin")?.trim().toLowerCase();
  const fetchSite = header(request.headers, "sec-fetch-site")?.trim().toLowerCase();
  if (fetchSite === "cross-site") {
    return { ok: false, status: 403, code: "cross_site", message: "cross-site requests cannot change state" };
  }
  if (origin !== undefined) {
    const allowed = [
      ...ownOrigins(policy, request.scheme),
      ...policy.allowedOrigins.map((o) => o.toLowerCase()),
    ];
    if (!allowed.includes(origin)) {
      return {
        ok: false,
        status: 403,
        code: "cross_origin",
        message: `origin ${origin} may not change state on this server`,
      };
    }
  }
  const type = header(request.headers, "content-type")?.split(";")[0]?.trim().toLowerCase();
  const length = header(request.headers, "content-length");
  const hasBody =
    (length !== undefined && length !== "0") || header(request.headers, "transfer-encoding") !== undefined;
  // A body, or any declared type, must be JSON (or raw bytes, for an update bundle): a form or `no-cors`
  // fetch can declare neither without a preflight, since neither is a CORS-safelisted type.
  if ((hasBody || type !== undefined) && type !== "application/json" && type !== "application/octet-stream") {
    return {
      ok: false,
      status: 415,
      code: "content_type",
      message:
        "state-changing requests must send Content-Type: application/json (or application/octet-stream)",
    };
  }
  if (request.cookieAuthenticated) {
    // A cookie rides along on any request the browser makes: demand proof the page is ours.
    if (origin === undefined) {
      return {
        ok: false,
        status: 403,
        code: "cross_origin",
        message: "a signed-in browser request must send Origin",
      };
    }
    if (request.csrfValid === undefined) {
      return { ok: false, status: 403, code: "csrf_missing", message: "the CSRF token is missing" };
    }
    if (!request.csrfValid)
      return { ok: false, status: 403, code: "csrf_invalid", message: "the CSRF token is not valid" };
  }
  return { ok: true };
}

export const CSRF_HEADER = "x-csrf-token";
