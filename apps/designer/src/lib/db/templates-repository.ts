import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import { type ProjectTemplate, type TemplateContent, TemplateContentSchema } from "../project-template";
import { nowIso } from "./sqlite-time";

interface TemplateRow {
  id: string;
  name: string;
  content_json: string;
  created_at: string;
}

function toTemplate(row: TemplateRow): ProjectTemplate {
  const content = TemplateContentSchema.parse({ ...JSON.parse(row.content_json), name: row.name });
  return { ...content, id: row.id, created_at: row.created_at };
}

export function listTemplates(db: Database.Database, projectId: string): ProjectTemplate[] {
  const rows = db
    .prepare(
      "SELECT id, name, content_json, created_at FROM project_templates WHERE project_id = ? ORDER BY name",
    )
    .all(projectId) as TemplateRow[];
  return rows.map(toTemplate);
}

/** Saves a template; one with the same name in the project is replaced (saving a group again updates it). */
export function saveTemplate(
  db: Database.Database,
  projectId: string,
  content: TemplateContent,
  createdAt = nowIso(),
): ProjectTemplate {
  const { name, ...rest } = content;
  const existing = db
    .prepare("SELECT id FROM project_templates WHERE project_id = ? AND name = ?")
    .get(projectId, name) as { id: string } | undefined;
  const id = existing?.id ?? randomUUID();
  db.prepare(
    `INSERT INTO project_templates (id, project_id, name, content_json, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET content_json = excluded.content_json, created_at = excluded.created_at`,
  ).run(id, projectId, name, JSON.stringify(rest), createdAt);
  return { ...content, id, created_at: createdAt };
}

export function deleteTemplate(db: Database.Database, projectId: string, id: string): boolean {
  return (
    db.prepare("DELETE FROM project_templates WHERE project_id = ? AND id = ?").run(projectId, id).changes > 0
  );
}
