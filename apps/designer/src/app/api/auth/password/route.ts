import { guarded } from "../../../../lib/auth/guard";
import { loginThrottle } from "../../../../lib/auth/login-throttle";
import { ChangePasswordRequestSchema, changeOwnPassword } from "../../../../lib/auth/users-repository";
import { getDb } from "../../../../lib/db/client";
import { json, readBody } from "../../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Any signed-in user changes their own password; their other sessions end. */
export const POST = guarded(
  { role: "viewer", audit: "user.password" },
  async (request: Request, _context, auth) => {
    const session = auth.session!;
    auth.note({ target: `user:${session.user.name}` });
    const body = await readBody(request, ChangePasswordRequestSchema);
    if (!body.ok) return body.response;
    const changed = await changeOwnPassword(
      getDb(),
      session.user.id,
      body.value.current_password,
      body.value.new_password,
      session.idHash,
    );
    if (!changed) {
      loginThrottle().fail(auth.source);
      return json({ error: "the current password is wrong", code: "wrong_password" }, 403);
    }
    return json({ changed: true });
  },
);
