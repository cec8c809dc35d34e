import { nodeCatalog } from "@bms/nodes/definitions";
import { buildDeploymentPackage, type ValidationProblem, validateFlowConfiguration } from "@bms/schemas";
import type Database from "better-sqlite3";
import type { DeployOutcome, DeployResult } from "./api-types";
import { recordDeployment } from "./db/deployments-repository";
import { getProject } from "./db/projects-repository";
import { getSupervisorTarget } from "./db/supervisors-repository";
import { getVersion, latestVersion } from "./db/versions-repository";
import { deployPackage } from "./supervisor-client";

export type DeployAttempt =
  | { ok: true; result: DeployResult }
  | { ok: false; status: number; error: string; errors?: ValidationProblem[] };

/**
 * Validate once with the shared schemas, build one package (one checksum), send it to every chosen
 * supervisor in parallel, and record each answer. A supervisor that is down fails alone.
 */
export async function deployProject(
  db: Database.Database,
  projectId: string,
  supervisorIds: readonly string[],
  version?: number,
): Promise<DeployAttempt> {
  const project = getProject(db, projectId);
  if (!project) return { ok: false, status: 404, error: `project ${projectId} not found` };
  const saved = version === undefined ? latestVersion(db, projectId) : getVersion(db, projectId, version);
  if (!saved) return { ok: false, status: 404, error: `version ${version ?? "latest"} not found` };
  const validation = validateFlowConfiguration(saved.configuration, nodeCatalog());
  if (!validation.ok) {
    return {
      ok: false,
      status: 422,
      error: `version ${saved.version} has ${validation.errors.length} validation error(s); fix them before deploying`,
      errors: validation.errors,
    };
  }
  const targets = supervisorIds.map((id) => ({ id, target: getSupervisorTarget(db, id) }));
  const unknown = targets.filter((t) => !t.target).map((t) => t.id);
  if (unknown.length > 0)
    return { ok: false, status: 404, error: `unknown supervisor(s): ${unknown.join(", ")}` };

  const pkg = buildDeploymentPackage({
    project_id: project.id,
    project_name: project.name,
    project_version: saved.version,
    configuration: {
      ...validation.value,
      metadata: { ...validation.value.metadata, flow_name: project.name.slice(0, 100) },
    },
    bacnet_objects: [],
    created_at: new Date().toISOString(),
    deployed_by: "designer",
  });

  const outcomes = await Promise.all(
    targets.map(async ({ target }): Promise<DeployOutcome> => {
      const t = target!;
      const answer = await deployPackage(t, pkg);
      const outcome: DeployOutcome = answer.ok
        ? {
            supervisor_id: t.id,
            supervisor_name: t.name,
            ok: true,
            config_version: answer.body.config_version,
            checksum: answer.body.checksum,
            latency_ms: Math.round(answer.latency_ms),
          }
        : {
            supervisor_id: t.id,
            supervisor_name: t.name,
            ok: false,
            error: answer.error,
            errors: answer.errors,
            latency_ms: Math.round(answer.latency_ms),
          };
      recordDeployment(db, project.id, saved.version, outcome);
      return outcome;
    }),
  );
  return { ok: true, result: { project_version: saved.version, outcomes } };
}
