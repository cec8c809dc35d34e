import { guarded } from "../../../../../../lib/auth/guard";
import { getDb } from "../../../../../../lib/db/client";
import { getVersion } from "../../../../../../lib/db/versions-repository";
import { json, problem } from "../../../../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Params = { params: Promise<{ id: string; version: string }> };

export const GET = guarded({ role: "viewer" }, async (_request: Request, { params }: Params) => {
  const { id, version } = await params;
  const n = Number(version);
  if (!Number.isInteger(n) || n < 1) return problem(400, `version must be a positive integer`);
  const found = getVersion(getDb(), id, n);
  return found ? json({ version: found }) : problem(404, `version ${n} of project ${id} not found`);
});
