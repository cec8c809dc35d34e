import { guarded } from "../../../../lib/auth/guard";
import { deleteUser, UpdateUserRequestSchema, updateUser } from "../../../../lib/auth/users-repository";
import { getDb } from "../../../../lib/db/client";
import { json, problem, readBody } from "../../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Params = { params: Promise<{ id: string }> };

async function userId(params: Params["params"]): Promise<number | null> {
  const { id } = await params;
  const n = Number(id);
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** An admin changes a user's role or sets a new password (which ends that user's sessions). */
export const PATCH = guarded(
  { role: "admin", audit: "user.update" },
  async (request: Request, { params }: Params, auth) => {
    const id = await userId(params);
    if (id === null) return problem(400, "the user id must be a positive integer");
    const body = await readBody(request, UpdateUserRequestSchema);
    if (!body.ok) return body.response;
    auth.note({
      target: `user:${id}`,
      details: {
        ...(body.value.role ? { role: body.value.role } : {}),
        password_reset: body.value.password !== undefined,
      },
    });
    const updated = await updateUser(getDb(), id, body.value);
    if (!updated.ok) return json({ error: updated.message, code: updated.code }, updated.status);
    return json({ user: updated.user });
  },
);

export const DELETE = guarded(
  { role: "admin", audit: "user.delete" },
  async (_request: Request, { params }: Params, auth) => {
    const id = await userId(params);
    if (id === null) return problem(400, "the user id must be a positive integer");
    const removed = deleteUser(getDb(), id);
    if (!removed.ok) return json({ error: removed.message, code: removed.code }, removed.status);
    auth.note({ target: `user:${removed.user.name}` });
    return json({ deleted: removed.user.id });
  },
);
