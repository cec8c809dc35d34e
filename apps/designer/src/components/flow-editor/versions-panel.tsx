"use client";

import { GitCompare, RotateCcw } from "lucide-react";
import { useCallback, useEffect, useState } from "react";
import type { ProjectVersion, ProjectVersionInfo } from "../../lib/api-types";
import { apiCall } from "../../lib/designer-api";
import { type DocumentDiff, diffDocuments } from "../../lib/flow-diff";
import { buildComparison } from "../../store/comparison";
import { useEditorStore, useEditorStoreApi } from "../../store/editor-store-provider";
import { conflictVersion, flowOf } from "../../store/working-copy";
import { Button } from "../ui/button";
import { authorName } from "./author-name";

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** Version history: who, when, what changed; compare any two; restore as a new version. */
export function VersionsPanel() {
  const store = useEditorStoreApi();
  const projectId = useEditorStore((s) => s.projectId);
  const baseVersion = useEditorStore((s) => s.baseVersion);
  const [versions, setVersions] = useState<ProjectVersionInfo[]>([]);
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | "current">("current");
  const [message, setMessage] = useState<string | null>(null);
  /** The last comparison across the whole project: which flows, library entries and instances changed. */
  const [docDiff, setDocDiff] = useState<DocumentDiff | null>(null);

  const load = useCallback(async () => {
    const result = await apiCall<{ versions: ProjectVersionInfo[] }>(`/api/projects/${projectId}/versions`);
    if (result.ok) setVersions(result.body.versions);
    else setMessage(result.error);
  }, [projectId]);

  // Reload when a save or restore moved the base version.
  // biome-ignore lint/correctness/useExhaustiveDependencies: baseVersion is the refresh signal
  useEffect(() => {
    void load();
  }, [load, baseVersion]);

  const fetchVersion = async (version: number) => {
    const result = await apiCall<{ version: ProjectVersion }>(
      `/api/projects/${projectId}/versions/${version}`,
    );
    if (!result.ok) {
      setMessage(result.error);
      return null;
    }
    return result.body.version;
  };

  const compare = async (fromVersion: number, toVersion: number | "current") => {
    const older = await fetchVersion(fromVersion);
    const newer = toVersion === "current" ? null : await fetchVersion(toVersion);
    if (!older || (toVersion !== "current" && !newer)) return;
    const state = store.getState();
    const toFlow = newer ? flowOf(newer.document, state.activeFlowId) : state.toConfiguration();
    setDocDiff(diffDocuments(older.document, newer ? newer.document : state.toDocument()));
    store
      .getState()
      .setComparison(
        buildComparison(
          flowOf(older.document, state.activeFlowId),
          toFlow,
          `v${fromVersion}`,
          toVersion === "current" ? "canvas" : `v${toVersion}`,
        ),
      );
  };

  const restore = async (version: number) => {
    const state = store.getState();
    if (
      state.revision !== state.savedRevision &&
      !window.confirm("Discard the unsaved changes on the canvas and restore?")
    ) {
      return;
    }
    const result = await apiCall<{ version: ProjectVersion }>(
      `/api/projects/${projectId}/versions/${version}/restore`,
      // A restore is a save: based on the canvas' version, refused if another one landed since.
      { body: { created_by: authorName(), base_version: state.baseVersion } },
    );
    if (!result.ok) {
      const latest = conflictVersion(result);
      if (latest !== null) store.getState().setConflict({ latestVersion: latest });
      setMessage(result.error);
      await load();
      return;
    }
    const restored = result.body.version;
    store.getState().loadDocument({ document: restored.document, version: restored.version });
    setMessage(`Restored v${version} as v${restored.version}.`);
    await load();
  };

  return (
    <div className="space-y-3 p-3 text-xs" data-testid="versions-panel">
      <div className="space-y-1 rounded border border-slate-200 p-2">
        <div className="font-semibold">Compare</div>
        <div className="flex items-center gap-1">
          <select
            className="h-7 flex-1 rounded border border-slate-300"
            value={from ?? ""}
            onChange={(e) => setFrom(e.target.value ? Number(e.target.value) : null)}
            data-testid="compare-from"
            aria-label="Older version"
          >
            <option value="">from…</option>
            {versions.map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version}
              </option>
            ))}
          </select>
          <span>→</span>
          <select
            className="h-7 flex-1 rounded border border-slate-300"
            value={to}
            onChange={(e) => setTo(e.target.value === "current" ? "current" : Number(e.target.value))}
            data-testid="compare-to"
            aria-label="Newer version"
          >
            <option value="current">canvas</option>
            {versions.map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version}
              </option>
            ))}
          </select>
          <Button
            size="sm"
            variant="outline"
            disabled={from === null}
            onClick={() => from !== null && void compare(from, to)}
            data-testid="compare-button"
          >
            <GitCompare /> Show
          </Button>
        </div>
      </div>
      {docDiff ? <DocumentDiffList diff={docDiff} /> : null}
      {message ? (
        <p className="text-slate-700" data-testid="versions-message">
          {message}
        </p>
      ) : null}
      <ol className="space-y-1" data-testid="version-list">
        {versions.map((v) => (
          <li
            key={v.version}
            className="rounded border border-slate-200 p-2"
            data-testid={`version-${v.version}`}
          >
            <div className="flex items-center gap-2">
              <span className="font-semibold">v{v.version}</span>
              {v.version === baseVersion ? (
                <span className="rounded bg-sky-100 px-1 text-sky-800">current</span>
              ) : null}
              <span className="text-slate-500">{when(v.created_at)}</span>
            </div>
            <div className="text-slate-600">
              {v.created_by} · {v.flow_count > 1 ? `${v.flow_count} flows · ` : ""}
              {v.node_count} nodes · <span data-testid="version-summary">{v.summary}</span>
            </div>
            <div className="mt-1 flex gap-1">
              <Button
                size="sm"
                variant="ghost"
                onClick={() => void compare(v.version, "current")}
                data-testid={`compare-version-${v.version}`}
              >
                <GitCompare /> vs canvas
              </Button>
              <Button
                size="sm"
                variant="ghost"
                onClick={() => void restore(v.version)}
                data-testid={`restore-version-${v.version}`}
              >
                <RotateCcw /> Restore
              </Button>
            </div>
          </li>
        ))}
      </ol>
    </div>
  );
}

/** The project-wide side of a comparison: the canvas shows the open flow, this lists the rest. */
function DocumentDiffList({ diff }: { diff: DocumentDiff }) {
  const flows = diff.flows.filter((f) => f.change !== "unchanged");
  if (flows.length === 0 && diff.library.length === 0 && !diff.reordered) {
    return (
      <p className="text-slate-600" data-testid="document-diff">
        No flow or library changes.
      </p>
    );
  }
  return (
    <div className="space-y-1 rounded border border-slate-200 p-2" data-testid="document-diff">
      <ul>
        {flows.map((f) => (
          <li key={f.flowId} data-testid="document-diff-flow">
            Flow <span className="font-semibold">{f.name}</span>: {f.change}
          </li>
        ))}
        {diff.reordered ? <li>Flows reordered</li> : null}
        {diff.library.map((l) => (
          <li key={l.id} data-testid="document-diff-library">
            Library <span className="font-semibold">{l.name}</span>: {l.change}
          </li>
        ))}
      </ul>
      {diff.instancesChanged.length > 0 ? (
        <div>
          <div className="font-semibold">Instances that change with it</div>
          <ul data-testid="document-diff-instances">
            {diff.instancesChanged.map((i) => (
              <li key={`${i.flowId}/${i.nodeId}`}>
                {i.flowName} / {i.nodeLabel}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
