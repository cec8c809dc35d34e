import { guarded } from "../../../lib/auth/guard";
import { getDb } from "../../../lib/db/client";
import { listGroups } from "../../../lib/db/supervisor-tags-repository";
import { fleetStatus } from "../../../lib/fleet/fleet-status";
import { json } from "../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** The fleet console's grid: every supervisor's state, and the groups (tags) a rollout can target. */
export const GET = guarded({ role: "viewer" }, async () => {
  const db = getDb();
  const view = await fleetStatus(db);
  return json({ ...view, groups: listGroups(db) });
});
