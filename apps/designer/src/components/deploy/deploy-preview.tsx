"use client";

import { useEffect, useState } from "react";
import type { DeployPreview, FlowDeployStatus } from "../../lib/api-types";
import { apiCall } from "../../lib/designer-api";

/** What each status means for the running site, spelled out. */
export const FLOW_STATUS_TEXT: Record<FlowDeployStatus["status"], string> = {
  unchanged: "unchanged — keeps running",
  changed: "changed — restarts with state",
  new: "new — starts",
  removed: "removed — relinquishes its points",
};

const TONE: Record<FlowDeployStatus["status"], string> = {
  unchanged: "text-slate-600",
  changed: "text-amber-800",
  new: "text-emerald-800",
  removed: "text-red-800",
};

/**
 * Before deploying: per chosen supervisor, what happens to each flow, compared with what it runs now
 * (by content: moving nodes on the canvas restarts nothing). A supervisor running another project says
 * so, and what replacing it would do.
 */
export function DeployPreviewList({
  projectId,
  supervisorIds,
  version,
  refresh,
}: {
  projectId: string;
  supervisorIds: readonly string[];
  version: number | null;
  refresh: number;
}) {
  const [previews, setPreviews] = useState<DeployPreview[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = `${supervisorIds.join(",")}|${version ?? ""}|${refresh}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: key folds the inputs (a Set is not comparable)
  useEffect(() => {
    if (supervisorIds.length === 0 || version === null) {
      setPreviews(null);
      return;
    }
    let cancelled = false;
    const query = new URLSearchParams([
      ...supervisorIds.map((id): [string, string] => ["supervisor", id]),
      ["version", String(version)],
    ]);
    void apiCall<{ previews: DeployPreview[] }>(`/api/projects/${projectId}/deploy/preview?${query}`, {
      timeoutMs: 20_000,
    }).then((r) => {
      if (cancelled) return;
      if (r.ok) {
        setPreviews(r.body.previews);
        setError(null);
      } else {
        setPreviews(null);
        setError(
          r.errors.length > 0
            ? `${r.error} (${r.errors.length} problem${r.errors.length === 1 ? "" : "s"})`
            : r.error,
        );
      }
    });
    return () => {
      cancelled = true;
    };
  }, [key, projectId]);

  if (error)
    return (
      <p className="text-xs text-red-700" data-testid="deploy-preview-error">
        {error}
      </p>
    );
  if (!previews) return null;
  return (
    <div className="space-y-2" data-testid="deploy-preview">
      {previews.map((p) => (
        <div
          key={p.supervisor_id}
          className="rounded border border-slate-200 p-2 text-xs"
          data-testid={`deploy-preview-${p.supervisor_id}`}
        >
          <div className="font-semibold">{p.supervisor_name}</div>
          {!p.ok ? (
            <p className="text-red-700">Cannot tell what would change: {p.error}</p>
          ) : (
            <>
              {p.other_project ? (
                <p className="text-red-800" data-testid="deploy-preview-other-project">
                  Runs another project, “{p.other_project.name}”. A normal deploy is refused; replacing it
                  stops all of its flows and relinquishes every point they command.
                </p>
              ) : null}
              <ul>
                {p.flows.map((f) => (
                  <li
                    key={f.flow_id}
                    className={TONE[f.status]}
                    data-testid="deploy-preview-flow"
                    data-status={f.status}
                  >
                    <span className="font-medium">{f.name}</span>: {FLOW_STATUS_TEXT[f.status]}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      ))}
    </div>
  );
}
