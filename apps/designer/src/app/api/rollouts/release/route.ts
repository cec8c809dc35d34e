import { guarded } from "../../../../lib/auth/guard";
import { dataDir } from "../../../../lib/data-dir";
import { getDb } from "../../../../lib/db/client";
import { startReleaseRollout } from "../../../../lib/fleet/release-rollout-runner";
import { ReleaseRolloutRequestSchema } from "../../../../lib/fleet/rollout-model";
import { startRolloutHandler } from "../../../../lib/fleet/rollout-start-route";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Starts a staged release (OTA) rollout to a group. Admin, as the supervisor's update route is: the
 * Designer updates each member with its stored token, so the person asking must be an admin too.
 * Poll GET /api/rollouts/:id; stop with POST /api/rollouts/:id/stop.
 */
export const POST = guarded(
  { role: "admin", audit: "rollout.release.start" },
  startRolloutHandler(
    ReleaseRolloutRequestSchema,
    (request, startedBy) => startReleaseRollout(getDb(), dataDir(), request, startedBy),
    (rollout, request) => ({ release_version: rollout.release_version, bundle: request.bundle_id }),
  ),
);
