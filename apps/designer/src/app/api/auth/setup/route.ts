import { sameSecret } from "@bms/security";
import { z } from "zod";
import { guarded } from "../../../../lib/auth/guard";
import { loginThrottle } from "../../../../lib/auth/login-throttle";
import { serverConfig } from "../../../../lib/auth/server-config";
import { signedInResponse } from "../../../../lib/auth/session-response";
import { createFirstAdmin, NewPasswordSchema, UserNameSchema } from "../../../../lib/auth/users-repository";
import { getDb } from "../../../../lib/db/client";
import { json, readBody } from "../../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const SetupRequestSchema = z.object({
  name: UserNameSchema,
  password: NewPasswordSchema,
  setup_code: z.string().max(200).optional(),
});

/**
 * First run: creates the first admin while no user exists, and signs them in. Bound beyond loopback,
 * the server also demands the one-time code it printed in its log, so whoever reaches the port first
 * over the network cannot claim the installation.
 */
export const POST = guarded(
  { role: "public", audit: "auth.setup" },
  async (request: Request, _context, auth) => {
    const throttle = loginThrottle();
    if (throttle.lockedFor(auth.source) > 0) {
      return json({ error: "too many failed attempts from this address", code: "locked_out" }, 429);
    }
    const body = await readBody(request, SetupRequestSchema);
    if (!body.ok) return body.response;
    const code = serverConfig()?.setupCode ?? null;
    if (code !== null && !sameSecret(body.value.setup_code ?? "", code)) {
      throttle.fail(auth.source);
      return json(
        { error: "the setup code is wrong (it is printed in the Designer's log)", code: "setup_code" },
        403,
      );
    }
    const db = getDb();
    const user = await createFirstAdmin(db, { name: body.value.name, password: body.value.password });
    if (!user) return json({ error: "the Designer is already set up: sign in", code: "setup_done" }, 409);
    auth.note({ target: `user:${user.name}` });
    auth.outcome({ actor: { kind: "user", name: user.name, role: user.role } });
    return signedInResponse(db, user, auth.source, 201);
  },
);
