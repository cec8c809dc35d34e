import { randomUUID } from "node:crypto";
import { type FlowConfiguration, FlowConfigurationStructureSchema } from "@bms/schemas";
import type Database from "better-sqlite3";
import type { ProjectSummary } from "../api-types";
import { EMPTY_FLOW_DATA, emptyFlowConfiguration, type FlowData } from "../flow-document";
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
  config_json: string | null;
}

const SUMMARY_SQL = `
  SELECT p.id, p.name, p.description, p.flow_id, p.created_at, p.updated_at,
         c.version AS latest_version, c.config_json
  FROM projects p
  LEFT JOIN project_configs c ON c.project_id = p.id
    AND c.version = (SELECT MAX(version) FROM project_configs WHERE project_id = p.id)`;

function toSummary(row: ProjectRow): ProjectSummary {
  let nodeCount = 0;
  if (row.config_json) {
    const parsed = JSON.parse(row.config_json) as { nodes?: unknown[] };
    nodeCount = parsed.nodes?.length ?? 0;
  }
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    created_at: row.created_at,
    updated_at: row.updated_at,
    latest_version: row.latest_version ?? 0,
    node_count: nodeCount,
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
    name: string;
    description?: string | null;
    configuration?: FlowConfiguration;
    flowData?: FlowData;
  },
): ProjectSummary {
  const id = randomUUID();
  const flowId = input.configuration?.metadata.flow_id ?? randomUUID();
  const now = nowIso();
  const configuration = input.configuration
    ? FlowConfigurationStructureSchema.parse({
        ...input.configuration,
        metadata: { ...input.configuration.metadata, flow_id: flowId, flow_name: input.name.slice(0, 100) },
      })
    : emptyFlowConfiguration(flowId, input.name);
  db.transaction(() => {
    db.prepare(
      "INSERT INTO projects (id, name, description, flow_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(id, input.name, input.description ?? null, flowId, now, now);
    insertVersion(db, id, {
      configuration,
      flowData: input.flowData ?? EMPTY_FLOW_DATA,
      summary: input.configuration ? "created" : "created (empty)",
    });
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

/** A copy with its own flow id (two supervisors must never confuse the copies) and only the latest version. */
export function duplicateProject(db: Database.Database, id: string, name?: string): ProjectSummary | null {
  const source = getProject(db, id);
  if (!source) return null;
  const latest = db
    .prepare("SELECT config_json, flow_data FROM project_configs WHERE project_id = ? ORDER BY version DESC")
    .get(id) as { config_json: string; flow_data: string } | undefined;
  const configuration = latest
    ? FlowConfigurationStructureSchema.parse(JSON.parse(latest.config_json))
    : undefined;
  const copy = createProject(db, {
    name: name ?? `${source.name} (copy)`.slice(0, 100),
    description: source.description,
    ...(configuration
      ? {
          configuration: { ...configuration, metadata: { ...configuration.metadata, flow_id: randomUUID() } },
        }
      : {}),
    ...(latest ? { flowData: JSON.parse(latest.flow_data) as FlowData } : {}),
  });
  // The copy keeps the project's templates (its palette would otherwise lose them).
  for (const { id: _source, created_at, ...template } of listTemplates(db, id)) {
    saveTemplate(db, copy.id, template, created_at);
  }
  return copy;
}

export function deleteProject(db: Database.Database, id: string): boolean {
  return db.prepare("DELETE FROM projects WHERE id = ?").run(id).changes > 0;
}

export function touchProject(db: Database.Database, id: string): void {
  db.prepare("UPDATE projects SET updated_at = ? WHERE id = ?").run(nowIso(), id);
}
