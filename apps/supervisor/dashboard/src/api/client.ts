import { createStore } from "../store";
import { sessionEnded, sessionStore } from "./session";

/** An answer other than 2xx, with the server's `{error}` text when it gave one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }

  get isAuth(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

/**
 * Set when a read is refused (401): the page then shows the sign-in form. Cleared by the next read that
 * succeeds, so signing in makes the prompt go away by itself.
 */
export const accessProblem = createStore<string | null>(null);

/** Set when the supervisor cannot be reached at all (network down, process restarting). */
export const connectionProblem = createStore<string | null>(null);

/** The session cookie rides along by itself (same origin); a change also carries the CSRF token. */
function headers(body: boolean): Record<string, string> {
  const out: Record<string, string> = { accept: "application/json" };
  const csrf = sessionStore.get().csrf;
  if (body) {
    out["content-type"] = "application/json";
    if (csrf) out["x-csrf-token"] = csrf;
  }
  return out;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: headers(body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
  } catch {
    connectionProblem.set("The supervisor cannot be reached. Retrying…");
    throw new ApiError(0, "the supervisor cannot be reached");
  }
  connectionProblem.set(null);
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (response.status === 401) sessionEnded();
  if (!response.ok) {
    const answer = parsed as { error?: string; errors?: { path: string; message: string }[] } | null;
    // A refused input names each problem: the operator reads "value: must be at most 28 °C", not "invalid body".
    const message = answer?.errors?.length
      ? answer.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join("; ")
      : (answer?.error ?? `${response.status} ${response.statusText}`.trim());
    throw new ApiError(response.status, message);
  }
  return parsed as T;
}

/** A read: needs a viewer sign-in (unless reads are public), and raises the sign-in prompt when refused. */
export async function apiGet<T>(path: string): Promise<T> {
  try {
    const result = await request<T>("GET", path);
    accessProblem.set(null);
    return result;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      accessProblem.set(
        sessionStore.get().identity
          ? "Your session has ended. Sign in again."
          : "This supervisor needs you to sign in to show its data.",
      );
    }
    throw error;
  }
}

/** A state change: needs an operator (or admin) sign-in; the caller shows the refusal next to the button. */
export function apiSend<T>(method: "POST" | "PUT" | "DELETE", path: string, body: unknown = {}): Promise<T> {
  return request<T>(method, path, body);
}

/** Words for a refused action, for the operator rather than the developer. */
export function describeFailure(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return "Sign in first (Access page): this needs an operator or admin token.";
    if (error.status === 403) return `Not allowed: ${error.message}.`;
    if (error.status === 429) return "Too many failed attempts from this address; wait and try again.";
    if (error.status === 0) return "The supervisor cannot be reached.";
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
