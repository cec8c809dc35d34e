import { z } from "zod";
import { ProjectNameSchema } from "../../../../../lib/api-types";
import { guarded } from "../../../../../lib/auth/guard";
import { getDb } from "../../../../../lib/db/client";
import { duplicateProject } from "../../../../../lib/db/projects-repository";
import { json, problem, readBody } from "../../../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Params = { params: Promise<{ id: string }> };

export const POST = guarded(
  { role: "operator", audit: "project.duplicate" },
  async (request: Request, { params }: Params) => {
    const { id } = await params;
    const body = await readBody(request, z.object({ name: ProjectNameSchema.optional() }));
    if (!body.ok) return body.response;
    const copy = duplicateProject(getDb(), id, body.value.name);
    return copy ? json({ project: copy }, 201) : problem(404, `project ${id} not found`);
  },
);
