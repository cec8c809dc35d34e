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
    if (id === BUILTIN_SUPERVISOR_ID)
      return problem(409, "the local supervisor is set by BMS_SUPERVISOR_URL and BMS_SUPERVISOR_TOKEN");
    const body = await readBody(request, SupervisorInputSchema);
    if (!body.ok) return body.response;
    const updated = updateSupervisor(getDb(), id, body.value);
    return updated ? json({ supervisor: toEntry(updated) }) : problem(404, `supervisor ${id} not found`);
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
