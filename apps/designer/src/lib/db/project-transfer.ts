import { randomUUID } from "node:crypto";
import { type ProjectDocument, renameFlowIds, type ValidationProblem } from "@bms/schemas";
import type Database from "better-sqlite3";
import type { ProjectSummary } from "../api-types";
import {
  PROJECT_FILE_FORMAT,
  PROJECT_FILE_VERSION,
  type ProjectFile,
  parseProjectFile,
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
      document: v.document,
      summary: v.summary,
      created_by: v.created_by,
      created_at: v.created_at,
    })),
    templates: listTemplates(db, projectId).map(({ id: _local, ...template }) => template),
  };
}

export type ImportResult = { ok: true; project: ProjectSummary } | { ok: false; errors: ValidationProblem[] };

/** Whether any version of any project here holds a flow with this id. */
function flowIdTaken(db: Database.Database, flowId: string): boolean {
  return (
    db.prepare("SELECT 1 FROM projects WHERE flow_id = ?").get(flowId) !== undefined ||
    db
      .prepare(
        `SELECT 1 FROM project_configs c, json_each(c.document_json, '$.flows') f
         WHERE json_extract(f.value, '$.configuration.metadata.flow_id') = ? LIMIT 1`,
      )
      .get(flowId) !== undefined
  );
}

/**
 * Validates the whole file first, then writes it in one transaction: a corrupt or foreign file
 * changes nothing. The import is a new project; its flow ids are kept unless another project here
 * already holds one of them (two projects must never overwrite each other's flows on a supervisor), in
 * which case every flow gets a new id, the same one in every version.
 */
/**
 * The name an import takes: the file's, unless a project here already has it (re-importing an export
 * next to its original gave two identical "Demo building" rows): then "<name> (imported)", "(imported 2)"...
 */
function importedName(db: Database.Database, name: string): string {
  const taken = (candidate: string) =>
    db.prepare("SELECT 1 FROM projects WHERE name = ? LIMIT 1").get(candidate) !== undefined;
  if (!taken(name)) return name;
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? " (imported)" : ` (imported ${n})`;
    const candidate = `${name.slice(0, 100 - suffix.length)}${suffix}`;
    if (!taken(candidate)) return candidate;
  }
}

export function importProject(db: Database.Database, input: unknown): ImportResult {
  const parsed = parseProjectFile(input);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => ({ path: i.path.join(".") || "(file)", message: i.message })),
    };
  }
  const file = parsed.data;
  const id = randomUUID();
  const fileFlowIds = new Set([
    file.project.flow_id,
    ...file.versions.flatMap((v) => v.document.flows.map((f) => f.configuration.metadata.flow_id)),
  ]);
  const taken = [...fileFlowIds].some((flowId) => flowIdTaken(db, flowId));
  const renamed = new Map([...fileFlowIds].map((flowId) => [flowId, taken ? randomUUID() : flowId]));
  const remap = (doc: ProjectDocument): ProjectDocument =>
    renameFlowIds(doc, (flowId) => renamed.get(flowId)!);
  const now = nowIso();
  db.transaction(() => {
    db.prepare(
      "INSERT INTO projects (id, name, description, flow_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(
      id,
      importedName(db, file.project.name),
      file.project.description ?? null,
      renamed.get(file.project.flow_id)!,
      now,
      now,
    );
    const insert = db.prepare(
      `INSERT INTO project_configs (project_id, version, document_json, summary, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    for (const v of [...file.versions].sort((a, b) => a.version - b.version)) {
      insert.run(id, v.version, JSON.stringify(remap(v.document)), v.summary, v.created_by, v.created_at);
    }
    for (const { created_at, ...template } of file.templates) saveTemplate(db, id, template, created_at);
  })();
  return { ok: true, project: getProject(db, id)! };
}
