import type { Role } from "@bms/schemas";
import type Database from "better-sqlite3";
import { json } from "../http";
import { serverConfig } from "./server-config";
import { sessionCookie } from "./session-cookie";
import { createSession, sessionLimits } from "./sessions-repository";

/** What the browser learns about who is signed in: the name, the role and the session's CSRF token. */
export interface WhoAmI {
  user: { id: number; name: string; role: Role } | null;
  csrf_token?: string;
  setup_required: boolean;
}

/** Starts a session for `user` and answers with its cookie and CSRF token (login and first-run setup). */
export function signedInResponse(
  db: Database.Database,
  user: { id: number; name: string; role: Role },
  source: string,
  status = 200,
): Response {
  const session = createSession(db, user.id, source);
  const response = json<WhoAmI>(
    {
      user: { id: user.id, name: user.name, role: user.role },
      csrf_token: session.csrfToken,
      setup_required: false,
    },
    status,
  );
  response.headers.append(
    "set-cookie",
    sessionCookie(session.id, {
      tls: serverConfig()?.tls ?? false,
      maxAgeSeconds: sessionLimits().absoluteMs / 1000,
    }),
  );
  return response;
}
