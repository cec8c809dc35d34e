import { randomUUID } from "node:crypto";
import { documentNodeCount, type ProjectDocument, ProjectDocumentSchema, renameFlowIds } from "@bms/schemas";
import type Database from "better-sqlite3";
import type { ProjectSummary } from "../api-types";
import { emptyProjectDocument } from "../flow-document";
import { nowIso } from "./sqlite-time";
import { listTemplates, saveTemplate } from "./templates-repository";
import { insertVersion } from "./versions-repository";

interface ProjectRow {
  id: string;
  name: string;
  description: string | null;
  flow_id: string;
  created_at: string;
  updated_at: string;
  latest_version: number | null;
  document_json: string | null;
}

const SUMMARY_SQL = `
  SELECT p.id, p.name, p.description, p.flow_id, p.created_at, p.updated_at,
         c.version AS latest_version, c.document_json
  FROM projects p
  LEFT JOIN project_configs c ON c.project_id = p.id
    AND c.version = (SELECT MAX(version) FROM project_configs WHERE project_id = p.id)`;

function toSummary(row: ProjectRow): ProjectSummary {
  let nodeCount = 0;
  let flowCount = 0;
  if (row.document_json) {
    const doc = JSON.parse(row.document_json) as Pick<ProjectDocument, "flows">;
    nodeCount = documentNodeCount(doc);
    flowCount = doc.flows.length;
  }
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    created_at: row.created_at,
    updated_at: row.updated_at,
    latest_version: row.latest_version ?? 0,
    node_count: nodeCount,
    flow_count: flowCount,
  };
}

export function listProjects(db: Database.Database, search?: string): ProjectSummary[] {
  const term = search?.trim();
  const rows = term
    ? db
        .prepare(`${SUMMARY_SQL} WHERE p.name LIKE ? ESCAPE '\\' OR p.description LIKE ? ESCAPE '\\'
                  ORDER BY p.updated_at DESC`)
        .all(...Array(2).fill(`%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`))
    : db.prepare(`${SUMMARY_SQL} ORDER BY p.updated_at DESC`).all();
  return (rows as ProjectRow[]).map(toSummary);
}

export function getProject(db: Database.Database, id: string): (ProjectSummary & { flow_id: string }) | null {
  const row = db.prepare(`${SUMMARY_SQL} WHERE p.id = ?`).get(id) as ProjectRow | undefined;
  return row ? { ...toSummary(row), flow_id: row.flow_id } : null;
}

export function createProject(
  db: Database.Database,
  input: {
    /** Only the seeded demo names its id (the one the supervisor's first start deploys it under). */
    id?: string;
    name: string;
    description?: string | null;
    /** The flows and library to start with; default: one empty flow named after the project. */
    document?: ProjectDocument;
  },
): ProjectSummary {
  const id = input.id ?? randomUUID();
  const flowId = input.document?.flows[0]?.configuration.metadata.flow_id ?? randomUUID();
  const now = nowIso();
  const document = input.document
    ? ProjectDocumentSchema.parse(input.document)
    : emptyProjectDocument(flowId, input.name);
  db.transaction(() => {
    db.prepare(
      "INSERT INTO projects (id, name, description, flow_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(id, input.name, input.description ?? null, flowId, now, now);
    insertVersion(db, id, { document, summary: input.document ? "created" : "created (empty)" });
  })();
  return getProject(db, id)!;
}

export function updateProject(
  db: Database.Database,
  id: string,
  patch: { name?: string; description?: string | null },
): ProjectSummary | null {
  const current = getProject(db, id);
  if (!current) return null;
  db.prepare("UPDATE projects SET name = ?, description = ?, updated_at = ? WHERE id = ?").run(
    patch.name ?? current.name,
    patch.description === undefined ? current.description : patch.description,
    nowIso(),
    id,
  );
  return getProject(db, id);
}

/**
 * A copy whose flows all get new ids (two supervisors must never confuse the copies' flows), with only
 * the latest version.
 */
export function duplicateProject(db: Database.Database, id: string, name?: string): ProjectSummary | null {
  const source = getProject(db, id);
  if (!source) return null;
  const latest = db
    .prepare("SELECT document_json FROM project_configs WHERE project_id = ? ORDER BY version DESC")
    .get(id) as { document_json: string } | undefined;
  const document = latest
    ? withNewFlowIds(ProjectDocumentSchema.parse(JSON.parse(latest.document_json)))
    : undefined;
  const copy = createProject(db, {
    name: name ?? `${source.name} (copy)`.slice(0, 100),
    description: source.description,
    ...(document ? { document } : {}),
  });
  // The copy keeps the project's templates (its palette would otherwise lose them).
  for (const { id: _source, created_at, ...template } of listTemplates(db, id)) {
    saveTemplate(db, copy.id, template, created_at);
  }
  return copy;
}

/** The same document with a fresh id for every flow. */
export function withNewFlowIds(doc: ProjectDocument): ProjectDocument {
  return renameFlowIds(doc, () => randomUUID());
}

export function deleteProject(db: Database.Database, id: string): boolean {
  return db.prepare("DELETE FROM projects WHERE id = ?").run(id).changes > 0;
}

export function touchProject(db: Database.Database, id: string): void {
  db.prepare("UPDATE projects SET updated_at = ? WHERE id = ?").run(nowIso(), id);
}
