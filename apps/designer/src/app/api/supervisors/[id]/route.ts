import { SupervisorInputSchema } from "../../../../lib/api-types";
import { guarded } from "../../../../lib/auth/guard";
import { getDb } from "../../../../lib/db/client";
import {
  BUILTIN_SUPERVISOR_ID,
  deleteSupervisor,
  toEntry,
  updateSupervisor,
} from "../../../../lib/db/supervisors-repository";
import { json, problem, readBody } from "../../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Params = { params: Promise<{ id: string }> };

export const PUT = guarded(
  { role: "admin", audit: "supervisor.update" },
  async (request: Request, { params }: Params) => {
    const { id } = await params;
    const body = await readBody(request, SupervisorInputSchema);
    if (!body.ok) return body.response;
    const saved = updateSupervisor(getDb(), id, body.value);
    if (!saved.ok) return problem(saved.status, saved.error, saved.errors);
    return json({ supervisor: toEntry(saved.target) });
  },
);

export const DELETE = guarded(
  { role: "admin", audit: "supervisor.delete" },
  async (_request: Request, { params }: Params) => {
    const { id } = await params;
    if (id === BUILTIN_SUPERVISOR_ID) return problem(409, "the local supervisor cannot be deleted");
    return deleteSupervisor(getDb(), id) ? json({ deleted: id }) : problem(404, `supervisor ${id} not found`);
  },
);
