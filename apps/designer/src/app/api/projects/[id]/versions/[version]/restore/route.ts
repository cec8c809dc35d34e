import { z } from "zod";
import { guarded } from "../../../../../../../lib/auth/guard";
import { getDb } from "../../../../../../../lib/db/client";
import { restoreVersion } from "../../../../../../../lib/db/versions-repository";
import { json, problem, readBody } from "../../../../../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Params = { params: Promise<{ id: string; version: string }> };

/** Copies an old version forward as a new one; nothing in the history is rewritten. */
export const POST = guarded(
  { role: "operator", audit: "project.restore" },
  async (request: Request, { params }: Params, auth) => {
    const { id, version } = await params;
    const n = Number(version);
    if (!Number.isInteger(n) || n < 1) return problem(400, "version must be a positive integer");
    const body = await readBody(request, z.object({ created_by: z.string().max(100).optional() }));
    if (!body.ok) return body.response;
    const restored = restoreVersion(getDb(), id, n, auth.session?.user.name ?? body.value.created_by);
    return restored
      ? json({ version: restored }, 201)
      : problem(404, `version ${n} of project ${id} not found`);
  },
);
