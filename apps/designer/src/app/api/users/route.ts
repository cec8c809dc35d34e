import { guarded } from "../../../lib/auth/guard";
import { CreateUserRequestSchema, createUser, listUsers } from "../../../lib/auth/users-repository";
import { getDb } from "../../../lib/db/client";
import { json, readBody } from "../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = guarded({ role: "admin" }, () => json({ users: listUsers(getDb()) }));

export const POST = guarded(
  { role: "admin", audit: "user.create" },
  async (request: Request, _context, auth) => {
    const body = await readBody(request, CreateUserRequestSchema);
    if (!body.ok) return body.response;
    auth.note({ target: `user:${body.value.name}`, details: { role: body.value.role } });
    const created = await createUser(getDb(), body.value);
    if (!created.ok) return json({ error: created.message, code: created.code }, created.status);
    return json({ user: created.user }, 201);
  },
);
