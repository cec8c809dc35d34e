import { guarded } from "../../../../../lib/auth/guard";
import { getDb } from "../../../../../lib/db/client";
import { getRollout } from "../../../../../lib/db/rollouts-repository";
import { stopRollout } from "../../../../../lib/fleet/rollout-runner";
import { json, problem } from "../../../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Params = { params: Promise<{ id: string }> };

/** No further batch starts; members already deployed stay as they are (the report says which). */
export const POST = guarded(
  { role: "operator", audit: "rollout.stop" },
  async (_request: Request, { params }: Params, auth) => {
    const { id } = await params;
    const rollout = getRollout(getDb(), id);
    if (!rollout) return problem(404, `rollout ${id} not found`);
    auth.note({ target: rollout.tag, details: { rollout: id } });
    if (!stopRollout(id)) return problem(409, `rollout ${id} is not running (${rollout.status})`);
    return json({ stopping: id });
  },
);
