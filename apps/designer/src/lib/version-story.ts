/**
 * One version story: which saved project version a supervisor's running config came from. The
 * Designer numbers saved versions of a project; a supervisor numbers every config it was given (from
 * any project, rollbacks included), so "project v2" and "config v4" are two counters that the
 * deployment package links (its project_id and project_version).
 */

/** One config a supervisor keeps, as its `/api/config/history` lists it. */
export interface SupervisorConfigVersion {
  version: number;
  project_id?: string;
  project_name?: string;
  project_version?: number | null;
  flow_name?: string;
  checksum?: string;
  deployed_at?: string;
  source?: string;
}

export interface SupervisorConfigHistory {
  active_version: number | null;
  versions: SupervisorConfigVersion[];
}

export function activeConfig(history: SupervisorConfigHistory): SupervisorConfigVersion | undefined {
  return history.versions.find((v) => v.version === history.active_version);
}

/** "project v2 → running as config v4 on Local supervisor", or why there is no such line. */
export function versionStory(
  projectId: string,
  config: SupervisorConfigVersion | undefined,
  supervisorName: string,
  running = true,
): string {
  if (!config) return `not deployed on ${supervisorName}`;
  const state = running ? "running" : "stopped";
  if (config.project_id && config.project_id !== projectId)
    return `${supervisorName} is ${state === "running" ? "running" : "holding"} another project (${config.project_name ?? config.project_id}) as config v${config.version}`;
  const from = config.project_version
    ? `project v${config.project_version}`
    : "project (version not recorded)";
  return `${from} → ${state} as config v${config.version} on ${supervisorName}`;
}
