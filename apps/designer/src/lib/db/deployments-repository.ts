import type { ValidationProblem } from "@bms/schemas";
import type Database from "better-sqlite3";
import type { DeploymentRecord, DeployOutcome } from "../api-types";
import { nowIso } from "./sqlite-time";

export function recordDeployment(
  db: Database.Database,
  projectId: string,
  projectVersion: number,
  outcome: DeployOutcome,
): void {
  db.prepare(
    `INSERT INTO deployments (project_id, project_version, supervisor_id, supervisor_name, ok,
       config_version, checksum, latency_ms, errors_json, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    projectId,
    projectVersion,
    outcome.supervisor_id,
    outcome.supervisor_name,
    outcome.ok ? 1 : 0,
    outcome.ok ? outcome.config_version : null,
    outcome.ok ? outcome.checksum : null,
    Math.round(outcome.latency_ms),
    JSON.stringify(outcome.ok ? [] : [{ path: "(supervisor)", message: outcome.error }, ...outcome.errors]),
    nowIso(),
  );
}

export function listDeployments(db: Database.Database, projectId: string, limit = 100): DeploymentRecord[] {
  const rows = db
    .prepare("SELECT * FROM deployments WHERE project_id = ? ORDER BY id DESC LIMIT ?")
    .all(projectId, limit) as (Omit<DeploymentRecord, "ok" | "errors"> & {
    ok: number;
    errors_json: string;
  })[];
  return rows.map(({ errors_json, ok, ...rest }) => ({
    ...rest,
    ok: ok === 1,
    errors: JSON.parse(errors_json) as ValidationProblem[],
  }));
}
