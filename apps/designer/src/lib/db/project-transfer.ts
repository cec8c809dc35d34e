import { randomUUID } from "node:crypto";
import type { ValidationProblem } from "@bms/schemas";
import type Database from "better-sqlite3";
import type { ProjectSummary } from "../api-types";
import {
  PROJECT_FILE_FORMAT,
  PROJECT_FILE_VERSION,
  type ProjectFile,
  ProjectFileSchema,
} from "../project-file";
import { getProject } from "./projects-repository";
import { nowIso } from "./sqlite-time";
import { listTemplates, saveTemplate } from "./templates-repository";
import { getVersion, listVersions } from "./versions-repository";

export function exportProject(db: Database.Database, projectId: string): ProjectFile | null {
  const project = getProject(db, projectId);
  if (!project) return null;
  const versions = listVersions(db, projectId)
    .map((info) => getVersion(db, projectId, info.version)!)
    .sort((a, b) => a.version - b.version);
  return {
    format: PROJECT_FILE_FORMAT,
    format_version: PROJECT_FILE_VERSION,
    exported_at: nowIso(),
    project: { name: project.name, description: project.description, flow_id: project.flow_id },
    versions: versions.map((v) => ({
      version: v.version,
      configuration: v.configuration,
      flow_data: v.flow_data,
      summary: v.summary,
      created_by: v.created_by,
      created_at: v.created_at,
    })),
    templates: listTemplates(db, projectId).map(({ id: _local, ...template }) => template),
  };
}

export type ImportResult = { ok: true; project: ProjectSummary } | { ok: false; errors: ValidationProblem[] };

/**
 * Validates the whole file first, then writes it in one transaction: a corrupt or foreign file
 * changes nothing. The import is a new project; its flow id is kept unless another project here
 * already deploys under it (two projects must never overwrite each other on a supervisor).
 */
export function importProject(db: Database.Database, input: unknown): ImportResult {
  const parsed = ProjectFileSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => ({ path: i.path.join(".") || "(file)", message: i.message })),
    };
  }
  const file = parsed.data;
  const id = randomUUID();
  const taken =
    db.prepare("SELECT 1 FROM projects WHERE flow_id = ?").get(file.project.flow_id) !== undefined;
  const flowId = taken ? randomUUID() : file.project.flow_id;
  const now = nowIso();
  db.transaction(() => {
    db.prepare(
      "INSERT INTO projects (id, name, description, flow_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(id, file.project.name, file.project.description ?? null, flowId, now, now);
    const insert = db.prepare(
      `INSERT INTO project_configs (project_id, version, flow_data, config_json, summary, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const v of [...file.versions].sort((a, b) => a.version - b.version)) {
      const configuration = {
        ...v.configuration,
        metadata: { ...v.configuration.metadata, flow_id: flowId },
      };
      insert.run(
        id,
        v.version,
        JSON.stringify(v.flow_data),
        JSON.stringify(configuration),
        v.summary,
        v.created_by,
        v.created_at,
      );
    }
    for (const { created_at, ...template } of file.templates) saveTemplate(db, id, template, created_at);
  })();
  return { ok: true, project: getProject(db, id)! };
}
