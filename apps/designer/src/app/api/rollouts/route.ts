import { guarded } from "../../../lib/auth/guard";
import { getDb } from "../../../lib/db/client";
import { listRollouts } from "../../../lib/db/rollouts-repository";
import { RolloutRequestSchema } from "../../../lib/fleet/rollout-model";
import { startRollout } from "../../../lib/fleet/rollout-runner";
import { json, problem, readBody } from "../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = guarded({ role: "viewer" }, async () => json({ rollouts: listRollouts(getDb()) }));

/** Starts a staged rollout to a group (operator, as a deploy is); it runs on in the background: poll GET /api/rollouts/:id. */
export const POST = guarded(
  { role: "operator", audit: "rollout.start" },
  async (request: Request, _context, auth) => {
    const body = await readBody(request, RolloutRequestSchema);
    if (!body.ok) return body.response;
    const user = auth.session!.user;
    const started = startRollout(getDb(), body.value, { name: user.name, role: user.role });
    if (!started.ok) return problem(started.status, started.error, started.errors);
    auth.note({
      target: started.rollout.tag,
      details: {
        rollout: started.rollout.id,
        project_id: started.rollout.project_id,
        project_version: started.rollout.project_version,
        watch_seconds: body.value.watch_seconds,
        batch_size: body.value.batch_size,
      },
    });
    return json({ rollout: started.rollout }, 202);
  },
);
