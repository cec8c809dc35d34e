import { guarded } from "../../../../lib/auth/guard";
import { getDb } from "../../../../lib/db/client";
import { getRollout } from "../../../../lib/db/rollouts-repository";
import { json, problem } from "../../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Params = { params: Promise<{ id: string }> };

/** One rollout with its report, updated after every step while it runs. */
export const GET = guarded({ role: "viewer" }, async (_request: Request, { params }: Params) => {
  const { id } = await params;
  const rollout = getRollout(getDb(), id);
  return rollout ? json({ rollout }) : problem(404, `rollout ${id} not found`);
});
