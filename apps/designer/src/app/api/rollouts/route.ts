import { guarded } from "../../../lib/auth/guard";
import { getDb } from "../../../lib/db/client";
import { listRollouts } from "../../../lib/db/rollouts-repository";
import { RolloutRequestSchema } from "../../../lib/fleet/rollout-model";
import { startRollout } from "../../../lib/fleet/rollout-runner";
import { startRolloutHandler } from "../../../lib/fleet/rollout-start-route";
import { json } from "../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = guarded({ role: "viewer" }, async () => json({ rollouts: listRollouts(getDb()) }));

/** Starts a staged rollout to a group (operator, as a deploy is); it runs on in the background: poll GET /api/rollouts/:id. */
export const POST = guarded(
  { role: "operator", audit: "rollout.start" },
  startRolloutHandler(
    RolloutRequestSchema,
    (request, startedBy) => startRollout(getDb(), request, startedBy),
    (rollout) => ({ project_id: rollout.project_id, project_version: rollout.project_version }),
  ),
);
