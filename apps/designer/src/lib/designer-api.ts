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

/**
 * Browser → Designer server calls. Never throws: the editor shows the message and keeps working
 * (offline editing must survive a server restart or a dropped network).
 */
export async function apiCall<T>(
  path: string,
  options: { method?: string; body?: unknown; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ApiResult<T>> {
  const signals = [AbortSignal.timeout(options.timeoutMs ?? 20_000)];
  if (options.signal) signals.push(options.signal);
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? (options.body === undefined ? "GET" : "POST"),
      headers: options.body === undefined ? {} : { "content-type": "application/json" },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.any(signals),
      cache: "no-store",
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

/** A supervisor call through the Designer's proxy. */
export function runtimeCall<T>(
  path: string,
  options: { supervisor?: string; method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<ApiResult<T>> {
  const query = options.supervisor
    ? `${path.includes("?") ? "&" : "?"}supervisor=${encodeURIComponent(options.supervisor)}`
    : "";
  return apiCall<T>(`/api/runtime/${path.replace(/^\//, "")}${query}`, {
    ...(options.method ? { method: options.method } : {}),
    ...(options.body !== undefined ? { body: options.body } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    timeoutMs: 8_000,
  });
}
