import { guarded } from "../../../../../lib/auth/guard";
import { getDb } from "../../../../../lib/db/client";
import { setTags, TagsInputSchema } from "../../../../../lib/db/supervisor-tags-repository";
import { getSupervisorTarget } from "../../../../../lib/db/supervisors-repository";
import { json, problem, readBody } from "../../../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Params = { params: Promise<{ id: string }> };

/** Replaces a supervisor's tags (its groups). Admin, like every other change to the registry. */
export const PUT = guarded(
  { role: "admin", audit: "supervisor.tags" },
  async (request: Request, { params }: Params, auth) => {
    const { id } = await params;
    const db = getDb();
    const target = getSupervisorTarget(db, id);
    if (!target) return problem(404, `supervisor ${id} not found`);
    const body = await readBody(request, TagsInputSchema);
    if (!body.ok) return body.response;
    setTags(db, id, body.value.tags);
    auth.note({ target: target.name, details: { tags: body.value.tags } });
    return json({ supervisor_id: id, tags: body.value.tags });
  },
);
