import { createStore } from "../store";
import { tokenStore } from "./token";

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
 * Set when a read is refused (401/403): the page then asks for a token. Cleared by the next read that
 * succeeds, so entering a valid token makes the prompt go away by itself.
 */
export const accessProblem = createStore<string | null>(null);

/** Set when the supervisor cannot be reached at all (network down, process restarting). */
export const connectionProblem = createStore<string | null>(null);

function headers(body: boolean): Record<string, string> {
  const out: Record<string, string> = { accept: "application/json" };
  const token = tokenStore.get();
  if (token) out.authorization = `Bearer ${token}`;
  if (body) out["content-type"] = "application/json";
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
  if (!response.ok) {
    const message =
      (parsed as { error?: string } | null)?.error ?? `${response.status} ${response.statusText}`.trim();
    throw new ApiError(response.status, message);
  }
  return parsed as T;
}

/** A read: follows the viewer policy, and raises the token prompt when refused. */
export async function apiGet<T>(path: string): Promise<T> {
  try {
    const result = await request<T>("GET", path);
    accessProblem.set(null);
    return result;
  } catch (error) {
    if (error instanceof ApiError && error.isAuth) {
      accessProblem.set(
        tokenStore.get()
          ? "The saved token is not accepted by this supervisor. Enter a valid token."
          : "This supervisor needs an access token to show its data.",
      );
    }
    throw error;
  }
}

/** A state change: needs the admin token; the caller shows the refusal next to the button. */
export function apiSend<T>(method: "POST" | "PUT", path: string, body: unknown = {}): Promise<T> {
  return request<T>(method, path, body);
}

interface WhoAmI {
  role: "admin" | "viewer" | "anonymous";
  can_read: boolean;
  can_write: boolean;
  reads_need_token: boolean;
}

async function whoami(withToken: boolean): Promise<WhoAmI> {
  const token = tokenStore.get();
  const auth: Record<string, string> = withToken && token ? { authorization: `Bearer ${token}` } : {};
  const response = await fetch("/api/auth/whoami", {
    headers: { accept: "application/json", ...auth },
    cache: "no-store",
  });
  return (await response.json()) as WhoAmI;
}

/** Whether this supervisor is open to reading on the LAN (no viewer token configured). */
export async function readsAreOpen(): Promise<boolean> {
  return !(await whoami(false)).reads_need_token;
}

/** Whether the saved token may change state. */
export async function tokenIsAdmin(): Promise<boolean> {
  return (await whoami(true)).can_write;
}

/** Words for a refused action, for the operator rather than the developer. */
export function describeFailure(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return "This needs the admin token. Enter it on the Access page.";
    if (error.status === 403)
      return "The saved token may not do this. Enter the admin token on the Access page.";
    if (error.status === 0) return "The supervisor cannot be reached.";
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
