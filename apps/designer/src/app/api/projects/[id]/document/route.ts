import { guarded } from "../../../../../lib/auth/guard";
import { getDb } from "../../../../../lib/db/client";
import { getProject } from "../../../../../lib/db/projects-repository";
import { openDocument } from "../../../../../lib/db/versions-repository";
import { json, problem } from "../../../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Params = { params: Promise<{ id: string }> };

/**
 * What the editor loads every time it mounts. The page's server-rendered payload can come from
 * Next's client router cache (a Link back to the editor, the browser's Back), so the document is
 * always read here, fresh, and never from the page props.
 */
export const GET = guarded({ role: "viewer" }, async (_request: Request, { params }: Params) => {
  const { id } = await params;
  const db = getDb();
  const project = getProject(db, id);
  if (!project) return problem(404, `project ${id} not found`);
  return json({ document: openDocument(db, project) });
});
