import {
  buildSitePackage,
  type FlowConfiguration,
  flowContentChecksum,
  normalizeDeploymentPackage,
  type SitePackageInput,
  SitePackageSchema,
  type ValidationProblem,
} from "@bms/schemas";
import type Database from "better-sqlite3";
import type { DeployOutcome, DeployPreview, DeployResult, FlowDeployStatus } from "./api-types";
import { recordDeployment } from "./db/deployments-repository";
import { getProject } from "./db/projects-repository";
import { getSupervisorTarget, type SupervisorTarget } from "./db/supervisors-repository";
import { getVersion, latestVersion } from "./db/versions-repository";
import { flowSemver } from "./flow-document";
import { checkProjectDocument } from "./site-check";
import { deployPackage, getCurrentPackage } from "./supervisor-client";

export type DeployAttempt =
  | { ok: true; result: DeployResult }
  | { ok: false; status: number; error: string; errors?: ValidationProblem[] };

type SiteBuild =
  | { ok: true; version: number; pkg: SitePackageInput; flows: FlowConfiguration[] }
  | { ok: false; status: number; error: string; errors?: ValidationProblem[] };

/**
 * The site package of one saved version: every flow, library instances expanded (the supervisor runs
 * ordinary sub-flow nodes), validated as the supervisor will (each flow, and write arbitration across
 * flows). One checksum for the whole site.
 */
export function buildProjectSite(
  db: Database.Database,
  projectId: string,
  version?: number,
  // Who deployed (the editor's Deploy or a rollout's starter): the supervisor's Overview shows it as
  // "Deployed by" ("ada (Designer)"), where "designer" alone said nothing.
  user?: string,
): SiteBuild {
  const project = getProject(db, projectId);
  if (!project) return { ok: false, status: 404, error: `project ${projectId} not found` };
  const saved = version === undefined ? latestVersion(db, projectId) : getVersion(db, projectId, version);
  if (!saved) return { ok: false, status: 404, error: `version ${version ?? "latest"} not found` };
  const check = checkProjectDocument(saved.document);
  if (check.problems.length > 0) {
    return {
      ok: false,
      status: 422,
      error: `version ${saved.version} has ${check.problems.length} validation error(s); fix them before deploying`,
      errors: check.problems,
    };
  }
  const pkg = buildSitePackage({
    project: { id: project.id, name: project.name, version: flowSemver(saved.version) },
    // The supervisor's config history and the editor's "running vN" line read this number.
    project_version: saved.version,
    flows: check.flows,
    bacnet_objects: [],
    created_at: new Date().toISOString(),
    deployed_by: user ? `${user} (Designer)` : "designer",
  });
  return { ok: true, version: saved.version, pkg, flows: check.flows };
}

/**
 * What deploying would do on each supervisor, flow by flow, compared by runtime content (positions and
 * descriptions change nothing): unchanged flows keep running, changed ones restart with their state,
 * new ones start, removed ones stop and relinquish their points. Also says when the supervisor runs
 * another project, which only an explicit "replace" may take over.
 */
export async function previewDeploy(
  db: Database.Database,
  projectId: string,
  supervisorIds: readonly string[],
  version?: number,
): Promise<
  | { ok: true; previews: DeployPreview[] }
  | { ok: false; status: number; error: string; errors?: ValidationProblem[] }
> {
  const site = buildProjectSite(db, projectId, version);
  if (!site.ok) return site;
  const previews = await Promise.all(
    supervisorIds.map(async (id): Promise<DeployPreview> => {
      const target = getSupervisorTarget(db, id);
      if (!target)
        return { supervisor_id: id, supervisor_name: id, ok: false, error: `unknown supervisor ${id}` };
      const current = await getCurrentPackage(target);
      if (!current.ok)
        return { supervisor_id: id, supervisor_name: target.name, ok: false, error: current.error };
      const running = current.body ? normalizeDeploymentPackage(current.body.package) : null;
      const before = new Map(
        (running?.flows ?? []).map((f) => [
          f.metadata.flow_id,
          { name: f.metadata.flow_name, sum: flowContentChecksum(f) },
        ]),
      );
      const otherProject = running && running.project.id !== projectId ? running.project : null;
      const flows: FlowDeployStatus[] = site.flows.map((f) => {
        const old = otherProject ? undefined : before.get(f.metadata.flow_id);
        const status = !old ? "new" : old.sum === flowContentChecksum(f) ? "unchanged" : "changed";
        return { flow_id: f.metadata.flow_id, name: f.metadata.flow_name, status };
      });
      const ours = new Set(site.flows.map((f) => f.metadata.flow_id));
      for (const [flowId, old] of before)
        if (otherProject || !ours.has(flowId))
          flows.push({ flow_id: flowId, name: old.name, status: "removed" });
      return {
        supervisor_id: id,
        supervisor_name: target.name,
        ok: true,
        project_version: site.version,
        flows,
        other_project: otherProject ? { id: otherProject.id, name: otherProject.name } : null,
      };
    }),
  );
  return { ok: true, previews };
}

/**
 * Validate once with the shared schemas, build one site package (one checksum), send it to every chosen
 * supervisor in parallel, and record each answer. A supervisor that is down fails alone. A supervisor that
 * runs another project refuses with 409 unless `mode` is "replace", which the user chose on purpose.
 */
export async function deployProject(
  db: Database.Database,
  projectId: string,
  supervisorIds: readonly string[],
  version?: number,
  mode: "update" | "replace" = "update",
  deployedBy?: string,
): Promise<DeployAttempt> {
  const site = buildProjectSite(db, projectId, version, deployedBy);
  if (!site.ok) return site;
  // Built by this process and never changed: parse it once more so a bug here cannot send a bad package.
  SitePackageSchema.parse(site.pkg);
  const targets = supervisorIds.map((id) => ({ id, target: getSupervisorTarget(db, id) }));
  const unknown = targets.filter((t) => !t.target).map((t) => t.id);
  if (unknown.length > 0)
    return { ok: false, status: 404, error: `unknown supervisor(s): ${unknown.join(", ")}` };

  const outcomes = await Promise.all(
    targets.map(({ target }) => deploySiteTo(db, projectId, site, target!, mode)),
  );
  return { ok: true, result: { project_version: site.version, outcomes } };
}

/** Sends one built site to one supervisor and records the answer (a staged rollout calls it member by member). */
export async function deploySiteTo(
  db: Database.Database,
  projectId: string,
  site: { version: number; pkg: SitePackageInput },
  t: SupervisorTarget,
  mode: "update" | "replace",
): Promise<DeployOutcome> {
  const answer = await deployPackage(t, site.pkg, mode);
  const outcome: DeployOutcome = answer.ok
    ? {
        supervisor_id: t.id,
        supervisor_name: t.name,
        ok: true,
        config_version: answer.body.config_version,
        checksum: answer.body.checksum,
        latency_ms: Math.round(answer.latency_ms),
        flows: answer.body.flows ?? [],
      }
    : {
        supervisor_id: t.id,
        supervisor_name: t.name,
        ok: false,
        error: answer.error,
        errors: answer.errors,
        latency_ms: Math.round(answer.latency_ms),
        ...(answer.status === 409 && answer.errors.some((e) => e.code === "project_conflict")
          ? { code: "project_conflict" as const }
          : {}),
      };
  recordDeployment(db, projectId, site.version, outcome);
  return outcome;
}
