import { CreateProjectRequestSchema } from "../../../lib/api-types";
import { guarded } from "../../../lib/auth/guard";
import { getDb } from "../../../lib/db/client";
import { createProject, listProjects } from "../../../lib/db/projects-repository";
import { json, readBody } from "../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = guarded({ role: "viewer" }, async (request: Request) => {
  const search = new URL(request.url).searchParams.get("q") ?? undefined;
  return json({ projects: listProjects(getDb(), search) });
});

export const POST = guarded({ role: "operator", audit: "project.create" }, async (request: Request) => {
  const body = await readBody(request, CreateProjectRequestSchema);
  if (!body.ok) return body.response;
  const project = createProject(getDb(), {
    name: body.value.name,
    ...(body.value.description ? { description: body.value.description } : {}),
  });
  return json({ project }, 201);
});
