import { guarded } from "../../../../../lib/auth/guard";
import { getDb } from "../../../../../lib/db/client";
import { getSupervisorTarget } from "../../../../../lib/db/supervisors-repository";
import { json, problem } from "../../../../../lib/http";
import { callSupervisor } from "../../../../../lib/supervisor-client";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Params = { params: Promise<{ id: string }> };

/**
 * Connection test: health (reachability and latency) and then an authenticated read, so a wrong
 * token is reported as such rather than as "works" until the first deploy fails.
 */
export const POST = guarded(
  { role: "admin", audit: "supervisor.test" },
  async (_request: Request, { params }: Params) => {
    const { id } = await params;
    const target = getSupervisorTarget(getDb(), id);
    if (!target) return problem(404, `supervisor ${id} not found`);
    const health = await callSupervisor(target, "/api/health", { timeoutMs: 3000 });
    if (!health.ok) {
      return json({ ok: false, latency_ms: Math.round(health.latency_ms), error: health.error });
    }
    const auth = await callSupervisor(target, "/api/config/history?limit=1", { timeoutMs: 3000 });
    const body = health.body as { version?: unknown; status?: unknown } | null;
    return json({
      ok: auth.ok,
      latency_ms: Math.round(health.latency_ms),
      version: typeof body?.version === "string" ? body.version : null,
      ...(auth.ok
        ? {}
        : {
            error:
              auth.status === 401 || auth.status === 403
                ? "reachable, but the token was refused"
                : auth.error,
          }),
    });
  },
);
