import { SupervisorInputSchema } from "../../../lib/api-types";
import { guarded } from "../../../lib/auth/guard";
import { getDb } from "../../../lib/db/client";
import { createSupervisor, listSupervisorTargets, toEntry } from "../../../lib/db/supervisors-repository";
import { json, problem, readBody } from "../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = guarded({ role: "viewer" }, async () => {
  return json({ supervisors: listSupervisorTargets(getDb()).map(toEntry) });
});

export const POST = guarded({ role: "admin", audit: "supervisor.create" }, async (request: Request) => {
  const body = await readBody(request, SupervisorInputSchema);
  if (!body.ok) return body.response;
  const saved = createSupervisor(getDb(), body.value);
  if (!saved.ok) return problem(saved.status, saved.error, saved.errors);
  return json({ supervisor: toEntry(saved.target) }, 201);
});
