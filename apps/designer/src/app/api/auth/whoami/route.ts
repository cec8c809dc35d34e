import { guarded } from "../../../../lib/auth/guard";
import type { WhoAmI } from "../../../../lib/auth/session-response";
import { countUsers } from "../../../../lib/auth/users-repository";
import { getDb } from "../../../../lib/db/client";
import { json } from "../../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = guarded({ role: "public" }, (_request: Request, _context, auth) => {
  const session = auth.session;
  return json<WhoAmI>(
    session
      ? { user: session.user, csrf_token: session.csrfToken, setup_required: false }
      : { user: null, setup_required: countUsers(getDb()) === 0 },
  );
});
