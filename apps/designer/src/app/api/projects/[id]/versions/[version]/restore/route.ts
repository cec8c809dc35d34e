import { RestoreVersionRequestSchema } from "../../../../../../../lib/api-types";
import { guarded } from "../../../../../../../lib/auth/guard";
import { getDb } from "../../../../../../../lib/db/client";
import { restoreVersion } from "../../../../../../../lib/db/versions-repository";
import { json, problem, readBody, versionConflict } from "../../../../../../../lib/http";

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
    const body = await readBody(request, RestoreVersionRequestSchema);
    if (!body.ok) return body.response;
    // The history names the signed-in user; a name typed in the browser cannot speak for someone else.
    const createdBy = auth.session?.user.name ?? body.value.created_by;
    const restored = restoreVersion(getDb(), id, n, {
      ...(createdBy ? { createdBy } : {}),
      ...(body.value.base_version !== undefined ? { baseVersion: body.value.base_version } : {}),
    });
    if (!restored) return problem(404, `version ${n} of project ${id} not found`);
    if (!restored.ok) return versionConflict(restored.latestVersion);
    return json({ version: restored.value }, 201);
  },
);
