import { createStore } from "../store";

export type Role = "viewer" | "operator" | "admin";

export interface Identity {
  kind: "bootstrap" | "token";
  name: string;
  role: Role;
}

/**
 * Who this browser is signed in as. The secret itself never reaches the page's JavaScript: login trades
 * the token for an HttpOnly session cookie, and the page keeps only the CSRF token it must send back
 * with every change.
 */
export interface SessionState {
  loaded: boolean;
  identity: Identity | null;
  csrf: string | null;
  publicRead: boolean;
  idleMinutes: number | null;
}

export const sessionStore = createStore<SessionState>({
  loaded: false,
  identity: null,
  csrf: null,
  publicRead: false,
  idleMinutes: null,
});

interface WhoAmI {
  identity: Identity | null;
  csrf_token?: string;
  public_read: boolean;
  idle_minutes?: number;
}

function apply(answer: WhoAmI): void {
  sessionStore.set({
    loaded: true,
    identity: answer.identity,
    csrf: answer.csrf_token ?? null,
    publicRead: answer.public_read,
    idleMinutes: answer.idle_minutes ?? null,
  });
}

export async function refreshSession(): Promise<void> {
  const response = await fetch("/api/auth/whoami", {
    headers: { accept: "application/json" },
    cache: "no-store",
  });
  if (response.ok) apply((await response.json()) as WhoAmI);
}

/** Signs in with a token; resolves with the refusal text, or null when signed in. */
export async function login(token: string): Promise<string | null> {
  const response = await fetch("/api/auth/login", {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/json" },
    body: JSON.stringify({ token }),
    cache: "no-store",
  });
  const answer = (await response.json().catch(() => null)) as (WhoAmI & { error?: string }) | null;
  if (!response.ok) {
    if (response.status === 429) return "Too many failed attempts from this address. Wait 15 minutes.";
    return answer?.error ? `Not signed in: ${answer.error}.` : `Not signed in (HTTP ${response.status}).`;
  }
  apply(answer!);
  return null;
}

export async function logout(): Promise<void> {
  const csrf = sessionStore.get().csrf;
  await fetch("/api/auth/logout", {
    method: "POST",
    headers: { "content-type": "application/json", ...(csrf ? { "x-csrf-token": csrf } : {}) },
    body: "{}",
    cache: "no-store",
  }).catch(() => undefined);
  await refreshSession().catch(() => undefined);
}

/** The server ended the session (idle timeout, revoked token): forget it here too. */
export function sessionEnded(): void {
  const state = sessionStore.get();
  if (state.identity) sessionStore.set({ ...state, identity: null, csrf: null });
}

export function canDo(identity: Identity | null, need: Role): boolean {
  const rank = { viewer: 0, operator: 1, admin: 2 } as const;
  return identity !== null && rank[identity.role] >= rank[need];
}
