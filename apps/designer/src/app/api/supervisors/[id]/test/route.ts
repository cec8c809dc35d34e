import { guarded } from "../../../../../lib/auth/guard";
import { getDb } from "../../../../../lib/db/client";
import { getSupervisorTarget } from "../../../../../lib/db/supervisors-repository";
import { json, problem } from "../../../../../lib/http";
import { testSupervisorConnection } from "../../../../../lib/supervisor-connection-test";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Params = { params: Promise<{ id: string }> };

/** Connection test: certificate, health, then an authenticated read (see testSupervisorConnection). */
export const POST = guarded(
  { role: "admin", audit: "supervisor.test" },
  async (_request: Request, { params }: Params) => {
    const { id } = await params;
    const target = getSupervisorTarget(getDb(), id);
    if (!target) return problem(404, `supervisor ${id} not found`);
    return json(await testSupervisorConnection(target));
  },
);
