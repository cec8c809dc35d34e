import { type ProjectDocument, ProjectDocumentSchema } from "@bms/schemas";
import type Database from "better-sqlite3";
import type { EditorDocument, ProjectDraft, ProjectVersion, ProjectVersionInfo } from "../api-types";
import { diffDocuments, summarizeDocumentDiff } from "../flow-diff";
import { emptyProjectDocument, flowSemver } from "../flow-document";
import { nowIso } from "./sqlite-time";

interface VersionRow {
  project_id: string;
  version: number;
  document_json: string;
  summary: string;
  created_by: string;
  created_at: string;
}

function toVersion(row: VersionRow): ProjectVersion {
  return {
    project_id: row.project_id,
    version: row.version,
    document: ProjectDocumentSchema.parse(JSON.parse(row.document_json)),
    summary: row.summary,
    created_by: row.created_by,
    created_at: row.created_at,
  };
}

export function latestVersion(db: Database.Database, projectId: string): ProjectVersion | null {
  const row = db
    .prepare("SELECT * FROM project_configs WHERE project_id = ? ORDER BY version DESC LIMIT 1")
    .get(projectId) as VersionRow | undefined;
  return row ? toVersion(row) : null;
}

export function getVersion(db: Database.Database, projectId: string, version: number): ProjectVersion | null {
  const row = db
    .prepare("SELECT * FROM project_configs WHERE project_id = ? AND version = ?")
    .get(projectId, version) as VersionRow | undefined;
  return row ? toVersion(row) : null;
}

export function listVersions(db: Database.Database, projectId: string): ProjectVersionInfo[] {
  const rows = db
    .prepare(
      `SELECT project_id, version, summary, created_by, created_at,
              (SELECT COALESCE(SUM(json_array_length(f.value, '$.configuration.nodes')), 0)
                 FROM json_each(document_json, '$.flows') f) AS node_count,
              json_array_length(document_json, '$.flows') AS flow_count
       FROM project_configs WHERE project_id = ? ORDER BY version DESC`,
    )
    .all(projectId) as (Omit<VersionRow, "document_json"> & { node_count: number; flow_count: number })[];
  return rows;
}

/**
 * Appends a version; never rewrites one. The metadata version and timestamp are stamped here so a
 * saved document always says which version it is. Must run inside the caller's transaction when it
 * is part of a larger change (project creation, restore).
 */
export function insertVersion(
  db: Database.Database,
  projectId: string,
  input: { document: ProjectDocument; summary?: string; createdBy?: string },
): ProjectVersion {
  const previous = latestVersion(db, projectId);
  const version = (previous?.version ?? 0) + 1;
  const now = nowIso();
  const document = stampVersion(input.document, version, now);
  let summary =
    input.summary ??
    (previous ? summarizeDocumentDiff(diffDocuments(previous.document, document)) : "created");
  const canvas = (doc: ProjectDocument, key: "comments" | "groups") =>
    JSON.stringify(doc.flows.map((f) => f.flow_data[key]));
  if (
    summary === "no changes" &&
    previous &&
    canvas(previous.document, "comments") !== canvas(document, "comments")
  ) {
    summary = "comments changed";
  }
  if (
    summary === "no changes" &&
    previous &&
    canvas(previous.document, "groups") !== canvas(document, "groups")
  ) {
    summary = "groups changed";
  }
  db.prepare(
    `INSERT INTO project_configs (project_id, version, document_json, summary, created_by, created_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(projectId, version, JSON.stringify(document), summary, input.createdBy ?? "designer", now);
  db.prepare("UPDATE projects SET updated_at = ? WHERE id = ?").run(now, projectId);
  db.prepare("DELETE FROM project_drafts WHERE project_id = ?").run(projectId);
  return getVersion(db, projectId, version)!;
}

/** Every flow's metadata says which project version it was saved as. */
function stampVersion(doc: ProjectDocument, version: number, at: string): ProjectDocument {
  return {
    ...doc,
    flows: doc.flows.map((f) => ({
      ...f,
      configuration: {
        ...f.configuration,
        metadata: { ...f.configuration.metadata, version: flowSemver(version), generated_at: at },
      },
    })),
  };
}

/**
 * Optimistic concurrency: a save names the version its document was based on, and lands only if
 * that is still the newest. Otherwise nothing is written and the caller learns which version did
 * land, so the editor can offer reload, save on top or compare instead of silently overwriting.
 */
export type SaveOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; code: "version_conflict"; latestVersion: number };

function conflictWith(db: Database.Database, projectId: string, baseVersion: number): number | null {
  const latest = latestVersionNumber(db, projectId);
  return latest === baseVersion ? null : latest;
}

/** The newest version number (0 for a project without versions), without parsing its document. */
export function latestVersionNumber(db: Database.Database, projectId: string): number {
  const row = db
    .prepare("SELECT MAX(version) AS version FROM project_configs WHERE project_id = ?")
    .get(projectId) as { version: number | null };
  return row.version ?? 0;
}

export function saveVersion(
  db: Database.Database,
  projectId: string,
  input: {
    baseVersion: number;
    document: ProjectDocument;
    summary?: string;
    createdBy?: string;
  },
): SaveOutcome<ProjectVersion> {
  // One transaction: the check and the insert cannot be split by another writer.
  return db.transaction((): SaveOutcome<ProjectVersion> => {
    const latest = conflictWith(db, projectId, input.baseVersion);
    if (latest !== null) return { ok: false, code: "version_conflict", latestVersion: latest };
    const { baseVersion: _base, ...rest } = input;
    return { ok: true, value: insertVersion(db, projectId, rest) };
  })();
}

/**
 * Restoring copies an old version forward as the newest one: history is never rewritten. With a
 * base version it is a save like any other, refused if another version landed since.
 */
export function restoreVersion(
  db: Database.Database,
  projectId: string,
  version: number,
  options: { createdBy?: string; baseVersion?: number } = {},
): SaveOutcome<ProjectVersion> | null {
  return db.transaction((): SaveOutcome<ProjectVersion> | null => {
    const old = getVersion(db, projectId, version);
    if (!old) return null;
    if (options.baseVersion !== undefined) {
      const latest = conflictWith(db, projectId, options.baseVersion);
      if (latest !== null) return { ok: false, code: "version_conflict", latestVersion: latest };
    }
    const current = latestVersion(db, projectId);
    const diff = current ? summarizeDocumentDiff(diffDocuments(current.document, old.document)) : "";
    const restored = insertVersion(db, projectId, {
      document: old.document,
      summary: `restored v${version}${diff ? ` (${diff})` : ""}`,
      ...(options.createdBy ? { createdBy: options.createdBy } : {}),
    });
    return { ok: true, value: restored };
  })();
}

export function getDraft(db: Database.Database, projectId: string): ProjectDraft | null {
  const row = db.prepare("SELECT * FROM project_drafts WHERE project_id = ?").get(projectId) as
    | { project_id: string; base_version: number; document_json: string; saved_at: string }
    | undefined;
  if (!row) return null;
  return {
    project_id: row.project_id,
    base_version: row.base_version,
    document: ProjectDocumentSchema.parse(JSON.parse(row.document_json)),
    saved_at: row.saved_at,
  };
}

/**
 * The autosave of a working copy. It is refused like a save when another version landed after the
 * one it was based on: a draft on an old base would reopen as if nothing had happened since.
 */
export function saveDraft(
  db: Database.Database,
  projectId: string,
  input: { baseVersion: number; document: ProjectDocument },
): SaveOutcome<ProjectDraft> {
  return db.transaction((): SaveOutcome<ProjectDraft> => {
    const latest = conflictWith(db, projectId, input.baseVersion);
    if (latest !== null) return { ok: false, code: "version_conflict", latestVersion: latest };
    db.prepare(
      `INSERT INTO project_drafts (project_id, base_version, document_json, saved_at)
       VALUES (?, ?, ?, ?)
       ON CONFLICT(project_id) DO UPDATE SET base_version = excluded.base_version,
         document_json = excluded.document_json, saved_at = excluded.saved_at`,
    ).run(projectId, input.baseVersion, JSON.stringify(input.document), nowIso());
    return { ok: true, value: getDraft(db, projectId)! };
  })();
}

export function discardDraft(db: Database.Database, projectId: string): void {
  db.prepare("DELETE FROM project_drafts WHERE project_id = ?").run(projectId);
}

/**
 * The editor's working copy as stored now: the autosaved draft when there is one, else the newest
 * version. A draft keeps its own base, so a draft left on an older base than the newest version
 * (from before drafts were checked) reopens as a conflict, never as if nothing had landed since.
 */
export function openDocument(
  db: Database.Database,
  project: { id: string; name: string; flow_id: string },
): EditorDocument {
  const latest = latestVersion(db, project.id);
  const draft = getDraft(db, project.id);
  if (draft) {
    return {
      project_id: project.id,
      project_name: project.name,
      base_version: draft.base_version,
      document: draft.document,
      draft_saved_at: draft.saved_at,
    };
  }
  return {
    project_id: project.id,
    project_name: project.name,
    base_version: latest?.version ?? 0,
    document: latest?.document ?? emptyProjectDocument(project.flow_id, project.name),
    draft_saved_at: null,
  };
}
