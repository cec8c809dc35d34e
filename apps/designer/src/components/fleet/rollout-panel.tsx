"use client";

import { useState } from "react";
import type { ProjectSummary } from "../../lib/api-types";
import type { Rollout, RolloutStatus } from "../../lib/fleet/rollout-model";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { Input } from "../ui/input";
import { Select } from "../ui/select";
import { FormField, RolloutFormFrame, type RolloutGroups, useRolloutForm } from "./rollout-fields";

const STATUS_VARIANT: Record<RolloutStatus, "success" | "danger" | "warning" | "info" | "default"> = {
  running: "info",
  succeeded: "success",
  rolled_back: "warning",
  failed: "danger",
  stopped: "default",
  interrupted: "warning",
};

export function RolloutStatusBadge({ status }: { status: RolloutStatus }) {
  return (
    <Badge variant={STATUS_VARIANT[status]} data-testid="rollout-status">
      {status.replace("_", " ")}
    </Badge>
  );
}

/** The form that starts a staged rollout: a project version to one group, canary first. */
export function RolloutForm({
  projects,
  onStarted,
  ...targets
}: RolloutGroups & { projects: ProjectSummary[]; onStarted: (rollout: Rollout) => void }) {
  const [projectId, setProjectId] = useState("");
  const [version, setVersion] = useState("");
  const form = useRolloutForm(onStarted);

  const submit = async () => {
    await form.start("/api/rollouts", {
      project_id: projectId,
      ...(version ? { version: Number(version) } : {}),
    });
  };

  return (
    <RolloutFormFrame
      idPrefix="rollout"
      targets={targets}
      form={form}
      onSubmit={submit}
      startLabel="Start staged rollout"
    >
      <FormField id="rollout-project" label="Project">
        <Select
          id="rollout-project"
          value={projectId}
          onChange={(e) => setProjectId(e.target.value)}
          required
        >
          <option value="">choose…</option>
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name} (latest v{p.latest_version})
            </option>
          ))}
        </Select>
      </FormField>
      <FormField id="rollout-version" label="Version (empty: latest)">
        <Input
          id="rollout-version"
          type="number"
          min={1}
          value={version}
          onChange={(e) => setVersion(e.target.value)}
        />
      </FormField>
    </RolloutFormFrame>
  );
}

/** A rollout's report: who went in which batch, what happened to each, and every step with its time. */
export function RolloutReportView({
  rollout,
  canStop,
  onStop,
}: {
  rollout: Rollout;
  canStop: boolean;
  onStop: () => void;
}) {
  return (
    <div className="flex flex-col gap-2 text-sm" data-testid="rollout-report">
      <div className="flex items-center gap-2">
        <RolloutStatusBadge status={rollout.status} />
        <span data-testid="rollout-summary">{rollout.report.summary}</span>
        {canStop && rollout.status === "running" ? (
          <Button size="sm" variant="outline" onClick={onStop} data-testid="rollout-stop">
            Stop
          </Button>
        ) : null}
      </div>
      <div className="text-xs text-slate-500">
        started by {rollout.started_by} at {new Date(rollout.started_at).toLocaleString()}
        {rollout.finished_at ? `, finished ${new Date(rollout.finished_at).toLocaleString()}` : ""}; watch{" "}
        {rollout.options.watch_seconds} s, batches of {rollout.options.batch_size}
      </div>
      <table className="w-full text-xs">
        <thead className="text-left text-slate-500">
          <tr>
            <th className="pr-3">Batch</th>
            <th className="pr-3">Supervisor</th>
            <th className="pr-3">Outcome</th>
            <th className="pr-3">Config</th>
            {rollout.kind === "release" ? <th className="pr-3">Release</th> : null}
            <th>Why</th>
          </tr>
        </thead>
        <tbody>
          {rollout.report.members.map((m) => (
            <tr key={m.supervisor_id} className="border-t border-slate-100" data-testid="rollout-member">
              <td className="pr-3">{m.batch === 0 ? "canary" : m.batch}</td>
              <td className="pr-3">{m.name}</td>
              <td className="pr-3" data-testid="rollout-member-outcome">
                {m.outcome.replace("_", " ")}
              </td>
              <td className="pr-3">
                {m.config_before ?? "—"} → {m.config_after ?? "—"}
              </td>
              {rollout.kind === "release" ? (
                <td className="pr-3" data-testid="rollout-member-release">
                  {m.release_before ?? "—"} → {m.release_after ?? "—"}
                </td>
              ) : null}
              <td>{m.failure ? `${m.failure.code}: ${m.failure.message}` : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ol className="max-h-48 overflow-auto rounded border border-slate-200 bg-slate-50 p-2 font-mono text-[11px]">
        {rollout.report.events.map((e, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the log is append-only, so an index names one line
          <li key={i}>
            {new Date(e.at).toLocaleTimeString()} {e.message}
          </li>
        ))}
      </ol>
    </div>
  );
}
