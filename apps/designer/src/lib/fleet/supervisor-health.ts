import { z } from "zod";
import { callSupervisor, type SupervisorConnection, type SupervisorFailureCode } from "../supervisor-client";

/**
 * The part of a supervisor's `/api/health` the fleet console and the rollout health gate read. The
 * counters are optional: a supervisor older than this Designer answers without them, and the gate then
 * refuses to judge it rather than call it healthy.
 */
const HealthSchema = z.object({
  status: z.string(),
  version: z.string(),
  flow: z.string().optional(),
  config_version: z.number().int().nullable().optional(),
  scans: z.number().int().min(0).optional(),
  bad_points: z.number().int().min(0).optional(),
  alarms_open: z.number().int().min(0).optional(),
  project: z
    .object({ id: z.string(), name: z.string(), version: z.number().int().nullable() })
    .nullable()
    .optional(),
});

export interface HealthSample {
  at: number;
  status: string;
  version: string;
  /** The engine's status: running, stopped, error, idle. */
  engine: string | null;
  config_version: number | null;
  scans: number | null;
  bad_points: number | null;
  alarms_open: number | null;
  project: { id: string; name: string; version: number | null } | null;
}

export type HealthRead =
  | { ok: true; sample: HealthSample }
  | { ok: false; code: SupervisorFailureCode; error: string };

export async function readHealth(target: SupervisorConnection, now = Date.now): Promise<HealthRead> {
  const answer = await callSupervisor(target, "/api/health", { timeoutMs: 3_000 });
  if (!answer.ok) return { ok: false, code: answer.code, error: answer.error };
  const parsed = HealthSchema.safeParse(answer.body);
  if (!parsed.success)
    return {
      ok: false,
      code: "unexpected_answer",
      error: `Supervisor "${target.name}" sent an unexpected health answer`,
    };
  const h = parsed.data;
  return {
    ok: true,
    sample: {
      at: now(),
      status: h.status,
      version: h.version,
      engine: h.flow ?? null,
      config_version: h.config_version ?? null,
      scans: h.scans ?? null,
      bad_points: h.bad_points ?? null,
      alarms_open: h.alarms_open ?? null,
      project: h.project ?? null,
    },
  };
}
