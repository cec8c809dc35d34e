import { guarded } from "../../../../lib/auth/guard";
import { serverConfig } from "../../../../lib/auth/server-config";
import { clearedSessionCookie } from "../../../../lib/auth/session-cookie";
import { deleteSession } from "../../../../lib/auth/sessions-repository";
import { getDb } from "../../../../lib/db/client";
import { json } from "../../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Ends the session on the server (the cookie alone is worthless afterwards) and clears the cookie. */
export const POST = guarded({ role: "public", audit: "auth.logout" }, (_request: Request, _context, auth) => {
  if (auth.session) deleteSession(getDb(), auth.session.idHash);
  const response = json({ signed_out: auth.session !== null });
  response.headers.append("set-cookie", clearedSessionCookie(serverConfig()?.tls ?? false));
  return response;
});
