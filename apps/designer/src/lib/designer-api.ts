import type { ValidationProblem } from "@bms/schemas";

export type ApiResult<T> =
  | { ok: true; status: number; body: T }
  | {
      ok: false;
      status: number | null;
      error: string;
      errors: ValidationProblem[];
      /** The server's error code (e.g. "version_conflict"), for branching; null when it gave none. */
      code: string | null;
      /** The whole error body, for the fields a code brings with it. */
      body: unknown;
    };

/** The layout renders the session's CSRF token here; every state-changing request echoes it. */
export const CSRF_META = "bms-csrf-token";

function csrfToken(): string | null {
  if (typeof document === "undefined") return null;
  return document.querySelector(`meta[name="${CSRF_META}"]`)?.getAttribute("content") || null;
}

const SAFE = new Set(["GET", "HEAD"]);

/**
 * The one `fetch` the Designer's browser code uses for its own server: it adds the CSRF token to
 * state-changing requests, marks timer-driven polls as background (they do not keep an idle session
 * alive), and sends the user to the sign-in page when the session has ended.
 */
/** Set while the user signs out: a background call's 401 then is the sign-out itself, not an ended session. */
let signingOut = false;

/** Called by Sign out before it ends the session, so no call racing it sends the page to "session ended". */
export function beginSignOut(): void {
  signingOut = true;
}

export async function designerFetch(
  path: string,
  init: RequestInit & { background?: boolean } = {},
): Promise<Response> {
  const { background, ...rest } = init;
  const method = (rest.method ?? "GET").toUpperCase();
  const headers = new Headers(rest.headers);
  if (!SAFE.has(method)) {
    const token = csrfToken();
    if (token) headers.set("x-csrf-token", token);
  }
  if (background) headers.set("x-bms-background", "1");
  const response = await fetch(path, { ...rest, method, headers, credentials: "same-origin" });
  if (
    response.status === 401 &&
    typeof window !== "undefined" &&
    !signingOut &&
    !path.startsWith("/api/auth/")
  ) {
    const here = `${window.location.pathname}${window.location.search}`;
    window.location.assign(`/login?next=${encodeURIComponent(here)}&ended=1`);
  }
  return response;
}

/**
 * Browser → Designer server calls. Never throws: the editor shows the message and keeps working
 * (offline editing must survive a server restart or a dropped network).
 */
export async function apiCall<T>(
  path: string,
  options: {
    method?: string;
    body?: unknown;
    timeoutMs?: number;
    signal?: AbortSignal;
    background?: boolean;
  } = {},
): Promise<ApiResult<T>> {
  const signals = [AbortSignal.timeout(options.timeoutMs ?? 20_000)];
  if (options.signal) signals.push(options.signal);
  let response: Response;
  try {
    response = await designerFetch(path, {
      method: options.method ?? (options.body === undefined ? "GET" : "POST"),
      headers: options.body === undefined ? {} : { "content-type": "application/json" },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.any(signals),
      cache: "no-store",
      ...(options.background ? { background: true } : {}),
    });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === "TimeoutError";
    return {
      ok: false,
      status: null,
      error: timedOut ? "The Designer server did not answer in time." : "The Designer server is unreachable.",
      errors: [],
      code: null,
      body: null,
    };
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (response.ok) return { ok: true, status: response.status, body: body as T };
  const err = (body ?? {}) as { error?: unknown; errors?: unknown; code?: unknown };
  return {
    ok: false,
    status: response.status,
    error: typeof err.error === "string" ? err.error : `HTTP ${response.status}`,
    errors: Array.isArray(err.errors) ? (err.errors as ValidationProblem[]) : [],
    code: typeof err.code === "string" ? err.code : null,
    body,
  };
}

/** A refused call as one line for the user: each problem as `path: message`, else the error. */
export function problemText(result: { error: string; errors: readonly ValidationProblem[] }): string {
  return result.errors.length ? result.errors.map((e) => `${e.path}: ${e.message}`).join("; ") : result.error;
}

/** A supervisor call through the Designer's proxy. */
export function runtimeCall<T>(
  path: string,
  options: {
    supervisor?: string;
    method?: string;
    body?: unknown;
    signal?: AbortSignal;
    background?: boolean;
    /** Longer than the default for the few calls that compute (a replay). */
    timeoutMs?: number;
  } = {},
): Promise<ApiResult<T>> {
  const query = options.supervisor
    ? `${path.includes("?") ? "&" : "?"}supervisor=${encodeURIComponent(options.supervisor)}`
    : "";
  return apiCall<T>(`/api/runtime/${path.replace(/^\//, "")}${query}`, {
    ...(options.method ? { method: options.method } : {}),
    ...(options.body !== undefined ? { body: options.body } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.background ? { background: true } : {}),
    timeoutMs: options.timeoutMs ?? 8_000,
  });
}
