"use client";

import { History, Rocket, Undo } from "lucide-react";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import type {
  DeploymentRecord,
  DeployResult,
  ProjectVersionInfo,
  SupervisorEntry,
} from "../../lib/api-types";
import { apiCall, runtimeCall } from "../../lib/designer-api";
import {
  activeConfig,
  type SupervisorConfigHistory as SupervisorHistory,
  versionStory,
} from "../../lib/version-story";
import { DeployResultView } from "../flow-editor/deploy-result-view";
import { Banner } from "../ui/banner";
import { Button } from "../ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "../ui/card";
import { CommissioningReports } from "./commissioning-reports";
import { DeployPreviewList } from "./deploy-preview";

function SupervisorConfigHistory({
  projectId,
  supervisor,
  refresh,
}: {
  projectId: string;
  supervisor: SupervisorEntry;
  refresh: number;
}) {
  const [history, setHistory] = useState<SupervisorHistory | null>(null);
  const [running, setRunning] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const load = useCallback(async () => {
    const [result, status] = await Promise.all([
      runtimeCall<SupervisorHistory>("config/history?limit=20", { supervisor: supervisor.id }),
      runtimeCall<{ status?: string }>("execution/status", { supervisor: supervisor.id }),
    ]);
    setRunning(status.ok ? status.body.status === "running" : true);
    if (result.ok) {
      setHistory(result.body);
      setError(null);
    } else setError(result.error);
  }, [supervisor.id]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: refresh is the reload signal after a deploy
  useEffect(() => {
    void load();
  }, [load, refresh]);

  const rollback = async (version: number) => {
    if (!window.confirm(`Re-activate config version ${version} on ${supervisor.name}?`)) return;
    const result = await runtimeCall<{ config_version: number }>("config/rollback", {
      supervisor: supervisor.id,
      method: "POST",
      body: { version },
    });
    setMessage(
      result.ok
        ? `Rolled back: v${version} is active again as v${result.body.config_version}.`
        : result.error,
    );
    await load();
  };

  return (
    <div className="space-y-1 text-xs" data-testid={`supervisor-history-${supervisor.id}`}>
      {error ? <p className="text-red-700">{error}</p> : null}
      {message ? (
        <p className="text-slate-700" data-testid="rollback-message">
          {message}
        </p>
      ) : null}
      {history ? (
        <p className="font-medium text-slate-800" data-testid={`version-story-${supervisor.id}`}>
          {versionStory(projectId, activeConfig(history), supervisor.name, running)}
        </p>
      ) : null}
      <ul>
        {history?.versions.map((v) => (
          <li key={v.version} className="flex items-center gap-2 border-t border-slate-100 py-1">
            <span className="font-semibold">v{v.version}</span>
            {v.version === history.active_version ? (
              <span className="rounded bg-emerald-100 px-1 text-emerald-800">active</span>
            ) : null}
            <span className="text-slate-600">{v.flow_name}</span>
            {v.project_version && (!v.project_id || v.project_id === projectId) ? (
              <span
                className="text-slate-500"
                data-testid={`config-project-version-${supervisor.id}-${v.version}`}
              >
                from project v{v.project_version}
              </span>
            ) : null}
            <span className="text-slate-500">
              {v.deployed_at ? new Date(v.deployed_at).toLocaleString() : ""}
            </span>
            <span className="font-mono text-[10px] text-slate-400">{v.checksum?.slice(0, 10)}</span>
            {v.version !== history.active_version ? (
              <Button
                size="sm"
                variant="ghost"
                className="ml-auto"
                onClick={() => void rollback(v.version)}
                data-testid={`rollback-${supervisor.id}-${v.version}`}
              >
                <Undo /> Roll back to this
              </Button>
            ) : null}
          </li>
        ))}
        {history && history.versions.length === 0 ? (
          <li className="text-slate-500">Nothing deployed yet.</li>
        ) : null}
      </ul>
    </div>
  );
}

/** Deploy one saved version to any number of registered supervisors, each answering for itself. */
export function DeployPage({ projectId, projectName }: { projectId: string; projectName: string }) {
  const [supervisors, setSupervisors] = useState<SupervisorEntry[]>([]);
  const [chosen, setChosen] = useState<Set<string>>(new Set(["default"]));
  const [versions, setVersions] = useState<ProjectVersionInfo[]>([]);
  const [version, setVersion] = useState<number | null>(null);
  const [result, setResult] = useState<DeployResult | null>(null);
  const [error, setError] = useState<{ text: string; errors: { path: string; message: string }[] } | null>(
    null,
  );
  const [busy, setBusy] = useState(false);
  const [records, setRecords] = useState<DeploymentRecord[]>([]);
  const [refresh, setRefresh] = useState(0);

  const loadRecords = useCallback(async () => {
    const r = await apiCall<{ deployments: DeploymentRecord[] }>(`/api/projects/${projectId}/deploy`);
    if (r.ok) setRecords(r.body.deployments);
  }, [projectId]);

  useEffect(() => {
    void (async () => {
      const s = await apiCall<{ supervisors: SupervisorEntry[] }>("/api/supervisors");
      if (s.ok) setSupervisors(s.body.supervisors);
      const v = await apiCall<{ versions: ProjectVersionInfo[] }>(`/api/projects/${projectId}/versions`);
      if (v.ok) {
        setVersions(v.body.versions);
        setVersion(v.body.versions[0]?.version ?? null);
      }
      await loadRecords();
    })();
  }, [projectId, loadRecords]);

  const deploy = async (mode: "update" | "replace" = "update", targets: readonly string[] = [...chosen]) => {
    setBusy(true);
    setError(null);
    setResult(null);
    const r = await apiCall<DeployResult>(`/api/projects/${projectId}/deploy`, {
      body: { supervisor_ids: targets, ...(version ? { version } : {}), mode },
      timeoutMs: 60_000,
    });
    setBusy(false);
    if (r.ok) setResult(r.body);
    else setError({ text: r.error, errors: r.errors });
    setRefresh((n) => n + 1);
    await loadRecords();
  };

  return (
    <div className="mx-auto max-w-5xl space-y-4 p-6">
      <div className="flex items-baseline gap-2">
        <Link
          href={`/projects/${projectId}`}
          className="text-sm text-slate-500 hover:underline"
          data-testid="back-to-project"
        >
          ← {projectName}
        </Link>
        <h1 className="text-xl font-semibold">Deploy</h1>
      </div>
      <Card>
        <CardContent className="space-y-3 pt-3">
          <div className="flex items-center gap-2 text-sm">
            <span>Version</span>
            <select
              className="h-8 rounded border border-slate-300 px-2"
              value={version ?? ""}
              onChange={(e) => setVersion(Number(e.target.value))}
              data-testid="deploy-version"
            >
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  v{v.version} · {v.summary}
                </option>
              ))}
            </select>
          </div>
          <fieldset className="space-y-1" data-testid="deploy-targets">
            <legend className="text-sm">Supervisors</legend>
            {supervisors.map((s) => (
              <label key={s.id} className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  checked={chosen.has(s.id)}
                  data-testid={`deploy-target-${s.id}`}
                  onChange={(e) => {
                    const next = new Set(chosen);
                    if (e.target.checked) next.add(s.id);
                    else next.delete(s.id);
                    setChosen(next);
                  }}
                />
                {s.name} <span className="font-mono text-xs text-slate-500">{s.url}</span>
              </label>
            ))}
          </fieldset>
          <Button
            variant="primary"
            disabled={busy || chosen.size === 0 || version === null}
            onClick={() => void deploy()}
            data-testid="deploy-page-button"
          >
            <Rocket /> {busy ? "Validating and deploying…" : `Validate and deploy to ${chosen.size}`}
          </Button>
          {error ? (
            <Banner tone="error" onDismiss={() => setError(null)} data-testid="deploy-page-error">
              <div>{error.text}</div>
              <ul className="ml-4 list-disc text-xs">
                {error.errors.map((e) => (
                  <li key={`${e.path}|${e.message}`}>
                    <span className="font-mono">{e.path}</span>: {e.message}
                  </li>
                ))}
              </ul>
            </Banner>
          ) : null}
          <DeployPreviewList
            projectId={projectId}
            supervisorIds={[...chosen]}
            version={version}
            refresh={refresh}
          />
          {result ? <DeployResultView result={result} /> : null}
          {result ? (
            <ReplaceOffer result={result} busy={busy} onReplace={(ids) => void deploy("replace", ids)} />
          ) : null}
        </CardContent>
      </Card>
      {supervisors
        .filter((s) => chosen.has(s.id))
        .map((s) => (
          <Card key={s.id}>
            <CardHeader className="flex items-center gap-2">
              <History className="size-4" />
              <CardTitle>{s.name}: deployed configurations</CardTitle>
            </CardHeader>
            <CardContent>
              <SupervisorConfigHistory projectId={projectId} supervisor={s} refresh={refresh} />
              <CommissioningReports supervisor={s} />
            </CardContent>
          </Card>
        ))}
      <Card>
        <CardHeader>
          <CardTitle>Deployments of this project</CardTitle>
        </CardHeader>
        <CardContent>
          <table className="w-full text-xs" data-testid="deployment-records">
            <tbody>
              {records.map((r) => (
                <tr key={r.id} className="border-t border-slate-100">
                  <td className="py-1">{new Date(r.created_at).toLocaleString()}</td>
                  <td>v{r.project_version}</td>
                  <td>{r.supervisor_name}</td>
                  <td className={r.ok ? "text-emerald-700" : "text-red-700"}>
                    {r.ok ? `config v${r.config_version}` : (r.errors[0]?.message ?? "failed")}
                  </td>
                  <td>{r.latency_ms} ms</td>
                </tr>
              ))}
            </tbody>
          </table>
        </CardContent>
      </Card>
    </div>
  );
}

/**
 * After a supervisor refused with 409 because it runs another project: the explicit way to take it over,
 * with the consequence spelled out and confirmed. Never offered before a refusal, never the default.
 */
function ReplaceOffer({
  result,
  busy,
  onReplace,
}: {
  result: DeployResult;
  busy: boolean;
  onReplace: (supervisorIds: string[]) => void;
}) {
  const refused = result.outcomes.filter((o) => !o.ok && o.code === "project_conflict");
  if (refused.length === 0) return null;
  const names = refused.map((o) => o.supervisor_name).join(", ");
  const consequence =
    `Replacing stops every flow of the project that ${names} runs now and relinquishes every point those ` +
    "flows command (NULL at their priorities); then this project's flows start. Other projects' commands are " +
    "gone from those supervisors until they are deployed again.";
  return (
    <Banner tone="error" data-testid="replace-offer">
      <div className="space-y-2">
        <p>{consequence}</p>
        <Button
          variant="outline"
          disabled={busy}
          data-testid="replace-deploy-button"
          onClick={() => {
            if (window.confirm(`${consequence}\n\nReplace the project on ${names}?`))
              onReplace(refused.map((o) => o.supervisor_id));
          }}
        >
          Replace the other project on {names}
        </Button>
      </div>
    </Banner>
  );
}
