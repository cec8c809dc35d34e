"use client";

import { useCallback, useEffect, useState } from "react";
import type { ProjectSummary } from "../../lib/api-types";
import { apiCall, problemText } from "../../lib/designer-api";
import type { FleetView } from "../../lib/fleet/fleet-status";
import type { Rollout } from "../../lib/fleet/rollout-model";
import { Banner } from "../ui/banner";
import { Card, CardContent, CardHeader, CardTitle } from "../ui/card";
import { FleetGrid } from "./fleet-grid";
import { ReleaseRolloutForm } from "./release-rollout-form";
import { RolloutForm, RolloutReportView, RolloutStatusBadge } from "./rollout-panel";

type FleetAnswer = FleetView & { groups: { tag: string; members: number }[] };

/** Polled this often: fresh enough to watch a rollout, light on 200 supervisors. */
const POLL_MS = 5_000;

export function FleetConsole({
  canTag,
  canRollOut,
  canUpdate,
}: {
  canTag: boolean;
  canRollOut: boolean;
  /** Admins: a release rollout updates supervisors with the Designer's admin tokens. */
  canUpdate: boolean;
}) {
  const [fleet, setFleet] = useState<FleetAnswer | null>(null);
  const [rollouts, setRollouts] = useState<Rollout[]>([]);
  const [projects, setProjects] = useState<ProjectSummary[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async (background = false) => {
    const [f, r] = await Promise.all([
      apiCall<FleetAnswer>("/api/fleet", { background }),
      apiCall<{ rollouts: Rollout[] }>("/api/rollouts", { background }),
    ]);
    if (f.ok) setFleet(f.body);
    if (r.ok) setRollouts(r.body.rollouts);
    setError(f.ok ? (r.ok ? null : r.error) : f.error);
  }, []);

  useEffect(() => {
    void load();
    if (canRollOut)
      void apiCall<{ projects: ProjectSummary[] }>("/api/projects").then(
        (p) => p.ok && setProjects(p.body.projects),
      );
    const timer = setInterval(() => void load(true), POLL_MS);
    return () => clearInterval(timer);
  }, [load, canRollOut]);

  // While a rollout runs, follow it more closely than the grid.
  const running = rollouts.some((r) => r.status === "running");
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(async () => {
      const r = await apiCall<{ rollouts: Rollout[] }>("/api/rollouts", { background: true });
      if (r.ok) setRollouts(r.body.rollouts);
    }, 1_000);
    return () => clearInterval(timer);
  }, [running]);

  const onTags = async (id: string, tags: string[]) => {
    const result = await apiCall(`/api/supervisors/${id}/tags`, { method: "PUT", body: { tags } });
    if (!result.ok) return problemText(result);
    await load();
    return null;
  };

  const members = (tag: string) =>
    (fleet?.rows ?? [])
      .filter((r) => r.id && r.tags.some((t) => t.toLowerCase() === tag.toLowerCase()))
      .map((r) => ({ id: r.id!, name: r.name }))
      .sort((a, b) => a.name.localeCompare(b.name));

  const stop = async (id: string) => {
    const result = await apiCall(`/api/rollouts/${id}/stop`, { body: {} });
    if (!result.ok) setError(result.error);
    await load();
  };

  const shown = rollouts.find((r) => r.id === selected) ?? rollouts[0] ?? null;

  return (
    <div className="mx-auto flex max-w-6xl flex-col gap-4 p-6">
      {error ? (
        <Banner tone="error" onDismiss={() => setError(null)}>
          {error}
        </Banner>
      ) : null}
      <Card>
        <CardHeader>
          <CardTitle>Fleet</CardTitle>
          <p className="text-xs text-slate-500" data-testid="fleet-source">
            {fleet?.source === "fleet-service"
              ? "From the fleet service (Sparkplug B)"
              : "Polled directly from each registered supervisor"}
            {fleet?.source_error ? ` — the fleet service did not answer: ${fleet.source_error}` : ""}
          </p>
        </CardHeader>
        <CardContent>
          {fleet ? (
            <FleetGrid rows={fleet.rows} canTag={canTag} onTags={onTags} />
          ) : (
            <p className="text-sm">Loading…</p>
          )}
        </CardContent>
      </Card>
      {canRollOut ? (
        <Card>
          <CardHeader>
            <CardTitle>Staged rollout</CardTitle>
            <p className="text-xs text-slate-500">
              The canary is deployed first and must stay healthy (scans running, no new bad points, no new
              alarms) for the whole watch; then the rest follow in batches, each watched the same way. A
              failure rolls its batch back to the config it ran before and stops the rollout.
            </p>
          </CardHeader>
          <CardContent>
            <RolloutForm
              projects={projects}
              groups={fleet?.groups ?? []}
              members={members}
              onStarted={(r) => {
                setSelected(r.id);
                setRollouts((all) => [r, ...all]);
              }}
            />
          </CardContent>
        </Card>
      ) : null}
      {canUpdate ? (
        <Card>
          <CardHeader>
            <CardTitle>Release rollout</CardTitle>
            <p className="text-xs text-slate-500">
              A new supervisor version, staged the same way: each member gets the signed bundle, must come
              back healthy on it, then passes the same watch. A failure sends its batch back to the release it
              ran before and stops the rollout.
            </p>
          </CardHeader>
          <CardContent>
            <ReleaseRolloutForm
              groups={fleet?.groups ?? []}
              members={members}
              onStarted={(r) => {
                setSelected(r.id);
                setRollouts((all) => [r, ...all]);
              }}
            />
          </CardContent>
        </Card>
      ) : null}
      <Card>
        <CardHeader>
          <CardTitle>Rollouts</CardTitle>
        </CardHeader>
        <CardContent className="flex flex-col gap-3">
          {rollouts.length === 0 ? <p className="text-sm text-slate-500">No rollout yet.</p> : null}
          <ul className="flex flex-col gap-1 text-sm" data-testid="rollout-list">
            {rollouts.map((r) => (
              <li key={r.id}>
                <button
                  type="button"
                  className="flex items-center gap-2 hover:underline"
                  onClick={() => setSelected(r.id)}
                >
                  <RolloutStatusBadge status={r.status} />
                  <span>
                    {r.kind === "release" ? `release ${r.release_version}` : `v${r.project_version}`} → “
                    {r.tag}”, {new Date(r.started_at).toLocaleString()} by {r.started_by}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          {shown ? (
            <RolloutReportView rollout={shown} canStop={canRollOut} onStop={() => void stop(shown.id)} />
          ) : null}
        </CardContent>
      </Card>
    </div>
  );
}
