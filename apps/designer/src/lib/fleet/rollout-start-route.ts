import type { z } from "zod";
import type { AuthContext } from "../auth/guard";
import { json, problem, readBody } from "../http";
import type { Rollout } from "./rollout-model";
import type { StartedBy, StartResult } from "./staged-run";

/**
 * The POST handler both rollout start routes share (a project version, a release): reads and checks the
 * request, starts the rollout as the signed-in user and notes in the route's audit record what started,
 * with the route's own `details` (the version or the bundle). Answers 202 with the running rollout.
 */
export function startRolloutHandler<R extends { watch_seconds: number; batch_size: number }>(
  schema: z.ZodType<R>,
  start: (request: R, startedBy: StartedBy) => StartResult,
  details: (rollout: Rollout, request: R) => Record<string, unknown>,
) {
  return async (request: Request, _context: unknown, auth: AuthContext): Promise<Response> => {
    const body = await readBody(request, schema);
    if (!body.ok) return body.response;
    const user = auth.session!.user;
    const started = start(body.value, { name: user.name, role: user.role });
    if (!started.ok) return problem(started.status, started.error, started.errors);
    auth.note({
      target: started.rollout.tag,
      details: {
        rollout: started.rollout.id,
        ...details(started.rollout, body.value),
        watch_seconds: body.value.watch_seconds,
        batch_size: body.value.batch_size,
      },
    });
    return json({ rollout: started.rollout }, 202);
  };
}
