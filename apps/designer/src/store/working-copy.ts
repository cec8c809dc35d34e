import type { FlowConfiguration, ProjectDocument } from "@bms/schemas";
import type { ApiError, EditorDocument, ProjectVersion } from "../lib/api-types";
import { apiCall } from "../lib/designer-api";
import { buildComparison } from "./comparison";
import type { EditorInit, EditorStoreApi } from "./editor-store";

/**
 * The editor's working copy against the server: open it, save it, and the three ways out of a
 * version conflict. Every save names the version it was based on; the server refuses it with 409
 * when another version landed since, and the store records that conflict instead of overwriting.
 */

export type SaveResult =
  | { ok: true; version: ProjectVersion }
  | { ok: false; conflict: boolean; error: string };

/** Reads the document fresh from the server; the editor never starts from a cached page payload. */
export async function openWorkingCopy(
  projectId: string,
): Promise<{ ok: true; init: EditorInit; draftSavedAt: string | null } | { ok: false; error: string }> {
  const result = await apiCall<{ document: EditorDocument }>(`/api/projects/${projectId}/document`);
  if (!result.ok) return { ok: false, error: result.error };
  const doc = result.body.document;
  return {
    ok: true,
    init: {
      projectId: doc.project_id,
      projectName: doc.project_name,
      version: doc.base_version,
      document: doc.document,
      dirty: doc.draft_saved_at !== null,
    },
    draftSavedAt: doc.draft_saved_at,
  };
}

/** The version number a 409 names, or null when the failure is something else. */
export function conflictVersion(result: { status: number | null; code: string | null; body: unknown }) {
  if (result.status !== 409 || result.code !== "version_conflict") return null;
  const latest = (result.body as ApiError | null)?.latest_version;
  return typeof latest === "number" ? latest : null;
}

/**
 * Saves the canvas as a new version based on the store's base version, or, with `onTopOf`, on top
 * of a version the user has chosen to supersede (keeping their edits; the other stays in history).
 */
export async function saveWorkingCopy(
  store: EditorStoreApi,
  options: { createdBy: string; onTopOf?: number },
): Promise<SaveResult> {
  // Arrow moves still in their burst are on the canvas and so in the document sent: they land now, or
  // their change would come after the save and leave it "unsaved changes".
  store.getState().settleNudge();
  const state = store.getState();
  const savingRevision = state.revision;
  const result = await apiCall<{ version: ProjectVersion }>(`/api/projects/${state.projectId}/versions`, {
    body: {
      base_version: options.onTopOf ?? state.baseVersion,
      document: state.toDocument(),
      created_by: options.createdBy,
    },
  });
  if (!result.ok) {
    const latest = conflictVersion(result);
    if (latest !== null) store.getState().setConflict({ latestVersion: latest });
    return { ok: false, conflict: latest !== null, error: result.error };
  }
  const saved = result.body.version;
  store.getState().markSaved(saved.version, savingRevision, saved.document);
  return { ok: true, version: saved };
}

async function fetchVersion(
  projectId: string,
  version: number,
): Promise<{ ok: true; version: ProjectVersion } | { ok: false; error: string }> {
  const result = await apiCall<{ version: ProjectVersion }>(`/api/projects/${projectId}/versions/${version}`);
  return result.ok ? { ok: true, version: result.body.version } : { ok: false, error: result.error };
}

/** Drops the working copy and loads the newest saved version. */
export async function reloadLatest(store: EditorStoreApi, latestVersion: number): Promise<string | null> {
  const fetched = await fetchVersion(store.getState().projectId, latestVersion);
  if (!fetched.ok) return fetched.error;
  store.getState().loadDocument({ document: fetched.version.document, version: fetched.version.version });
  return null;
}

/**
 * The open flow's counterpart in another version of the document; a flow that version did not have yet
 * compares as empty (every node shows as added).
 */
export function flowOf(document: ProjectDocument, flowId: string): FlowConfiguration {
  const found = document.flows.find((f) => f.configuration.metadata.flow_id === flowId)?.configuration;
  if (found) return found;
  const first = document.flows[0]!.configuration;
  return { ...first, metadata: { ...first.metadata, flow_id: flowId }, nodes: [], connections: [] };
}

/** Lays the working copy over the newest version on the canvas (read-only) with the usual diff. */
export async function compareWithLatest(
  store: EditorStoreApi,
  latestVersion: number,
): Promise<string | null> {
  const fetched = await fetchVersion(store.getState().projectId, latestVersion);
  if (!fetched.ok) return fetched.error;
  store
    .getState()
    .setComparison(
      buildComparison(
        flowOf(fetched.version.document, store.getState().activeFlowId),
        store.getState().toConfiguration(),
        `v${latestVersion} (latest)`,
        "your working copy",
      ),
    );
  return null;
}
