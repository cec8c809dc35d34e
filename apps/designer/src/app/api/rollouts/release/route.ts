import { guarded } from "../../../../lib/auth/guard";
import { dataDir } from "../../../../lib/data-dir";
import { getDb } from "../../../../lib/db/client";
import { startReleaseRollout } from "../../../../lib/fleet/release-rollout-runner";
import { ReleaseRolloutRequestSchema } from "../../../../lib/fleet/rollout-model";
import { json, problem, readBody } from "../../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Starts a staged release (OTA) rollout to a group. Admin, as the supervisor's update route is: the
 * Designer updates each member with its stored token, so the person asking must be an admin too.
 * Poll GET /api/rollouts/:id; stop with POST /api/rollouts/:id/stop.
 */
export const POST = guarded(
  { role: "admin", audit: "rollout.release.start" },
  async (request: Request, _context, auth) => {
    const body = await readBody(request, ReleaseRolloutRequestSchema);
    if (!body.ok) return body.response;
    const user = auth.session!.user;
    const started = startReleaseRollout(getDb(), dataDir(), body.value, { name: user.name, role: user.role });
    if (!started.ok) return problem(started.status, started.error, started.errors);
    auth.note({
      target: started.rollout.tag,
      details: {
        rollout: started.rollout.id,
        release_version: started.rollout.release_version,
        bundle: body.value.bundle_id,
        watch_seconds: body.value.watch_seconds,
        batch_size: body.value.batch_size,
      },
    });
    return json({ rollout: started.rollout }, 202);
  },
);
