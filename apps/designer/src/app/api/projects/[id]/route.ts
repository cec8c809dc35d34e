import { UpdateProjectRequestSchema } from "../../../../lib/api-types";
import { guarded } from "../../../../lib/auth/guard";
import { getDb } from "../../../../lib/db/client";
import { deleteProject, getProject, updateProject } from "../../../../lib/db/projects-repository";
import { json, problem, readBody } from "../../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Params = { params: Promise<{ id: string }> };

export const GET = guarded({ role: "viewer" }, async (_request: Request, { params }: Params) => {
  const { id } = await params;
  const project = getProject(getDb(), id);
  return project ? json({ project }) : problem(404, `project ${id} not found`);
});

export const PATCH = guarded(
  { role: "operator", audit: "project.update" },
  async (request: Request, { params }: Params) => {
    const { id } = await params;
    const body = await readBody(request, UpdateProjectRequestSchema);
    if (!body.ok) return body.response;
    const project = updateProject(getDb(), id, body.value);
    return project ? json({ project }) : problem(404, `project ${id} not found`);
  },
);

export const DELETE = guarded(
  { role: "operator", audit: "project.delete" },
  async (_request: Request, { params }: Params) => {
    const { id } = await params;
    return deleteProject(getDb(), id) ? json({ deleted: id }) : problem(404, `project ${id} not found`);
  },
);
