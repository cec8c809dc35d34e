import { type Role, roleAllows } from "@bms/schemas";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "../db/client";
import { SESSION_COOKIE } from "./session-cookie";
import { findSession, type Session } from "./sessions-repository";
import { countUsers } from "./users-repository";

/** The session behind a page request, or null. Server components only. */
export async function pageSession(): Promise<Session | null> {
  const jar = await cookies();
  const found = findSession(getDb(), jar.get(SESSION_COOKIE)?.value, { touch: true });
  return found.ok ? found.session : null;
}

/**
 * Every page starts here: no user yet → /setup; no session → /login (back to `path` after);
 * a role too low → null, and the page says so instead of showing anything.
 */
export async function requirePageSession(path: string, role: Role = "viewer"): Promise<Session | null> {
  if (countUsers(getDb()) === 0) redirect("/setup");
  const session = await pageSession();
  if (!session) redirect(`/login?next=${encodeURIComponent(path)}`);
  return roleAllows(session.user.role, role) ? session : null;
}
