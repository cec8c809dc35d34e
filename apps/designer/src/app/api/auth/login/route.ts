import { z } from "zod";
import { guarded } from "../../../../lib/auth/guard";
import { loginThrottle } from "../../../../lib/auth/login-throttle";
import { signedInResponse } from "../../../../lib/auth/session-response";
import { checkCredentials } from "../../../../lib/auth/users-repository";
import { getDb } from "../../../../lib/db/client";
import { json, readBody } from "../../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const LoginRequestSchema = z.object({ name: z.string().max(200), password: z.string().max(1024) });

/** Sign-in with name and password; failures are throttled per source address and audited. */
export const POST = guarded(
  { role: "public", audit: "auth.login" },
  async (request: Request, _context, auth) => {
    const throttle = loginThrottle();
    const lockedMs = throttle.lockedFor(auth.source);
    if (lockedMs > 0) {
      auth.outcome({ result: "denied", reason: "too many failed sign-ins from this address" });
      const response = json(
        {
          error: `too many failed sign-ins from this address: try again in ${Math.ceil(lockedMs / 60_000)} min`,
          code: "locked_out",
        },
        429,
      );
      response.headers.set("retry-after", String(Math.ceil(lockedMs / 1000)));
      return response;
    }
    const body = await readBody(request, LoginRequestSchema);
    if (!body.ok) return body.response;
    const name = body.value.name.trim();
    auth.note({ target: `user:${name.slice(0, 64)}` });
    const db = getDb();
    const user = await checkCredentials(db, name, body.value.password);
    if (!user) {
      const locked = throttle.fail(auth.source);
      auth.outcome({
        action: locked ? "auth.lockout" : "auth.login",
        result: "failed",
        reason: locked ? "wrong name or password; this address is now locked out" : "wrong name or password",
      });
      return json({ error: "wrong name or password", code: "bad_credentials" }, 401);
    }
    throttle.succeed(auth.source);
    auth.outcome({ actor: { kind: "user", name: user.name, role: user.role } });
    return signedInResponse(db, user, auth.source);
  },
);
