import { SaveDraftRequestSchema } from "../../../../../lib/api-types";
import { guarded } from "../../../../../lib/auth/guard";
import { getDb } from "../../../../../lib/db/client";
import { getProject } from "../../../../../lib/db/projects-repository";
import { discardDraft, getDraft, saveDraft } from "../../../../../lib/db/versions-repository";
import { json, problem, readBody, versionConflict } from "../../../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Params = { params: Promise<{ id: string }> };

export const GET = guarded({ role: "viewer" }, async (_request: Request, { params }: Params) => {
  const { id } = await params;
  return json({ draft: getDraft(getDb(), id) });
});

/**
 * Autosave: one draft per project, overwritten every few seconds; a save turns it into a version.
 * Refused with 409 once another version landed after the draft's base.
 */
async function put(request: Request, { params }: Params) {
  const { id } = await params;
  const db = getDb();
  if (!getProject(db, id)) return problem(404, `project ${id} not found`);
  const body = await readBody(request, SaveDraftRequestSchema);
  if (!body.ok) return body.response;
  const draft = saveDraft(db, id, {
    baseVersion: body.value.base_version,
    document: body.value.document,
  });
  if (!draft.ok) return versionConflict(draft.latestVersion);
  return json({ saved_at: draft.value.saved_at });
}

export const PUT = guarded({ role: "operator", audit: "project.draft" }, put);
// Older tabs flushed the last draft with navigator.sendBeacon, which can only POST.
export const POST = guarded({ role: "operator", audit: "project.draft" }, put);

export const DELETE = guarded(
  { role: "operator", audit: "project.draft.discard" },
  async (_request: Request, { params }: Params) => {
    const { id } = await params;
    discardDraft(getDb(), id);
    return json({ discarded: true });
  },
);
