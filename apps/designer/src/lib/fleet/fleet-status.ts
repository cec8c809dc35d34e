import type Database from "better-sqlite3";
import { z } from "zod";
import { tagsBySupervisor } from "../db/supervisor-tags-repository";
import { listSupervisorTargets, type SupervisorTarget } from "../db/supervisors-repository";
import { callSupervisor } from "../supervisor-client";
import { readHealth } from "./supervisor-health";

/** One row of the fleet console's grid. Counters are null when the source does not know them. */
export interface FleetRow {
  /** The Designer's registry id; null for a supervisor only the fleet service knows. */
  id: string | null;
  name: string;
  url: string | null;
  tags: string[];
  reachable: boolean;
  /** ok | degraded (the supervisor's own word), offline, or unreachable. */
  status: string;
  engine: string | null;
  version: string | null;
  project: { name: string; version: number | null } | null;
  site: string | null;
  config_version: number | null;
  last_seen: string | null;
  scans: number | null;
  bad_points: number | null;
  alarms_open: number | null;
  error: string | null;
}

export interface FleetView {
  source: "fleet-service" | "direct";
  rows: FleetRow[];
  /** Set when the fleet service is configured but did not answer: the rows then come from direct polls. */
  source_error: string | null;
}

/** When each supervisor last answered a direct poll, kept by this process across requests. */
const holder = globalThis as typeof globalThis & { __bmsLastSeen?: Map<string, string> };
const lastSeen = (): Map<string, string> => {
  holder.__bmsLastSeen ??= new Map();
  return holder.__bmsLastSeen;
};

async function pollDirect(target: SupervisorTarget, tags: string[]): Promise<FleetRow> {
  const read = await readHealth(target);
  const base = { id: target.id, name: target.name, url: target.url, tags, site: null };
  if (!read.ok)
    return {
      ...base,
      reachable: false,
      status: "unreachable",
      engine: null,
      version: null,
      project: null,
      config_version: null,
      last_seen: lastSeen().get(target.id) ?? null,
      scans: null,
      bad_points: null,
      alarms_open: null,
      error: read.error,
    };
  const s = read.sample;
  const seen = new Date(s.at).toISOString();
  lastSeen().set(target.id, seen);
  return {
    ...base,
    reachable: true,
    status: s.status,
    engine: s.engine,
    version: s.version,
    project: s.project ? { name: s.project.name, version: s.project.version } : null,
    config_version: s.config_version,
    last_seen: seen,
    scans: s.scans,
    bad_points: s.bad_points,
    alarms_open: s.alarms_open,
    error: null,
  };
}

/** The fleet service's view (apps/fleet `GET /api/supervisors`), fed by the supervisors' Sparkplug births and health. */
const FleetServiceSchema = z.object({
  supervisors: z.array(
    z.object({
      node_id: z.string(),
      site: z.string().nullable(),
      version: z.string().nullable(),
      status: z.string(),
      last_seen: z.string().nullable(),
      health: z.record(z.string(), z.unknown()).nullable(),
    }),
  ),
});

export interface FleetServiceConfig {
  url: string;
  token: string;
}

export function fleetServiceConfig(
  env: Record<string, string | undefined> = process.env,
): FleetServiceConfig | null {
  const url = env.BMS_FLEET_URL?.trim();
  return url ? { url, token: env.BMS_FLEET_TOKEN ?? "" } : null;
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/**
 * Every supervisor with its state: from the fleet service when one is configured (it hears every
 * supervisor through the broker, including ones this Designer has not registered), else by polling
 * each registered supervisor's health directly. Registered supervisors are matched to the fleet
 * service's edge nodes by name (the supervisor's `--name` is its Sparkplug edge node id).
 */
export async function fleetStatus(
  db: Database.Database,
  fleet: FleetServiceConfig | null = fleetServiceConfig(),
): Promise<FleetView> {
  const targets = listSupervisorTargets(db);
  const tags = tagsBySupervisor(db);
  let sourceError: string | null = null;
  if (fleet) {
    const answer = await callSupervisor(
      { name: "fleet service", url: fleet.url, token: fleet.token },
      "/api/supervisors",
    );
    const parsed = answer.ok ? FleetServiceSchema.safeParse(answer.body) : null;
    if (parsed?.success) {
      const byName = new Map(targets.map((t) => [t.name.toLowerCase(), t]));
      const rows = parsed.data.supervisors.map((s): FleetRow => {
        const target = byName.get(s.node_id.toLowerCase());
        if (target) byName.delete(s.node_id.toLowerCase());
        const health = s.health ?? {};
        return {
          id: target?.id ?? null,
          name: target?.name ?? s.node_id,
          url: target?.url ?? null,
          tags: target ? (tags.get(target.id) ?? []) : [],
          reachable: s.status === "online",
          status: s.status,
          engine: typeof health.Status === "string" ? health.Status : null,
          version: s.version,
          project: null,
          site: s.site,
          config_version: num(health["Config Version"]),
          last_seen: s.last_seen,
          scans: null,
          bad_points: null,
          alarms_open: num(health["Alarms Active"]),
          error: null,
        };
      });
      // Registered supervisors the broker has not heard from are still shown, polled directly.
      const unheard = await Promise.all([...byName.values()].map((t) => pollDirect(t, tags.get(t.id) ?? [])));
      return { source: "fleet-service", rows: [...rows, ...unheard], source_error: null };
    }
    sourceError = answer.ok ? "the fleet service sent an unexpected answer" : answer.error;
  }
  const rows = await Promise.all(targets.map((t) => pollDirect(t, tags.get(t.id) ?? [])));
  return { source: "direct", rows, source_error: sourceError };
}
