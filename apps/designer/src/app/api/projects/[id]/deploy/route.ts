import { DeployRequestSchema } from "../../../../../lib/api-types";
import { guarded } from "../../../../../lib/auth/guard";
import { getDb } from "../../../../../lib/db/client";
import { listDeployments } from "../../../../../lib/db/deployments-repository";
import { deployProject } from "../../../../../lib/deploy-service";
import { json, problem, readBody } from "../../../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Params = { params: Promise<{ id: string }> };

export const GET = guarded({ role: "viewer" }, async (_request: Request, { params }: Params) => {
  const { id } = await params;
  return json({ deployments: listDeployments(getDb(), id) });
});

export const POST = guarded(
  { role: "operator", audit: "project.deploy" },
  async (request: Request, { params }: Params, auth) => {
    const { id } = await params;
    const body = await readBody(request, DeployRequestSchema);
    if (!body.ok) return body.response;
    const attempt = await deployProject(
      getDb(),
      id,
      body.value.supervisor_ids,
      body.value.version,
      body.value.mode,
      auth.session?.user.name,
    );
    if (!attempt.ok) return problem(attempt.status, attempt.error, attempt.errors);
    return json(attempt.result);
  },
);
