import { SaveVersionRequestSchema } from "../../../../../lib/api-types";
import { guarded } from "../../../../../lib/auth/guard";
import { getDb } from "../../../../../lib/db/client";
import { getProject } from "../../../../../lib/db/projects-repository";
import { listVersions, saveVersion } from "../../../../../lib/db/versions-repository";
import { json, problem, readBody, versionConflict } from "../../../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Params = { params: Promise<{ id: string }> };

export const GET = guarded({ role: "viewer" }, async (_request: Request, { params }: Params) => {
  const { id } = await params;
  if (!getProject(getDb(), id)) return problem(404, `project ${id} not found`);
  return json({ versions: listVersions(getDb(), id) });
});

/**
 * Every save is a new version; work in progress with validation errors may be saved, bad JSON may not.
 * A save based on an older version than the newest is refused with 409 and the newest version number.
 */
export const POST = guarded(
  { role: "operator", audit: "project.save" },
  async (request: Request, { params }: Params, auth) => {
    const { id } = await params;
    const db = getDb();
    const project = getProject(db, id);
    if (!project) return problem(404, `project ${id} not found`);
    const body = await readBody(request, SaveVersionRequestSchema);
    if (!body.ok) return body.response;
    const saved = saveVersion(db, id, {
      baseVersion: body.value.base_version,
      document: body.value.document,
      ...(body.value.summary ? { summary: body.value.summary } : {}),
      // The history names the signed-in user; a name typed in the browser cannot speak for someone else.
      createdBy: auth.session?.user.name ?? body.value.created_by ?? "designer",
    });
    if (!saved.ok) return versionConflict(saved.latestVersion);
    return json({ version: saved.value }, 201);
  },
);
