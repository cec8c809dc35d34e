import { guarded } from "../../../../../lib/auth/guard";
import { getDb } from "../../../../../lib/db/client";
import { getProject } from "../../../../../lib/db/projects-repository";
import { listTemplates, saveTemplate } from "../../../../../lib/db/templates-repository";
import { json, problem, readBody } from "../../../../../lib/http";
import { TemplateContentSchema } from "../../../../../lib/project-template";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Params = { params: Promise<{ id: string }> };

export const GET = guarded({ role: "viewer" }, async (_request: Request, { params }: Params) => {
  const { id } = await params;
  const db = getDb();
  if (!getProject(db, id)) return problem(404, `project ${id} not found`);
  return json({ templates: listTemplates(db, id) });
});

/** Saves a group as a project template (a template of the same name is replaced). */
export const POST = guarded(
  { role: "operator", audit: "project.template.save" },
  async (request: Request, { params }: Params) => {
    const { id } = await params;
    const db = getDb();
    if (!getProject(db, id)) return problem(404, `project ${id} not found`);
    const body = await readBody(request, TemplateContentSchema);
    if (!body.ok) return body.response;
    return json({ template: saveTemplate(db, id, body.value) }, 201);
  },
);
