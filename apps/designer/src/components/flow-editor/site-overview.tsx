"use client";

import type { Trigger } from "@bms/schemas";
import { useEffect, useMemo, useState } from "react";
import { runtimeCall } from "../../lib/designer-api";
import { problemsOfFlow, type SiteCheck } from "../../lib/site-check";
import { useEditorStoreApi } from "../../store/editor-store-provider";

/** One flow as the supervisor's `GET /api/flows` lists it (only the fields shown here). */
interface RunningFlow {
  flow_id: string;
  name: string;
  status: string;
  scan_count: number;
  last_scan_at: string | null;
  last_error?: string | null;
  overruns?: number;
}

interface FlowsAnswer {
  project: { id: string; name: string } | null;
  flows: RunningFlow[];
}

export function triggerText(trigger: Trigger): string {
  if (trigger.type === "interval") {
    const ms = trigger.interval_ms;
    return ms % 60_000 === 0
      ? `every ${ms / 60_000} min`
      : ms % 1000 === 0
        ? `every ${ms / 1000} s`
        : `every ${ms} ms`;
  }
  if (trigger.type === "cron") return `cron ${trigger.expression}`;
  return "on change";
}

/**
 * The site at a glance: every flow's trigger, node count and validation state, and, when the chosen
 * supervisor runs this project, each flow's live status (polled from its `/api/flows` through the
 * runtime proxy while the overview is open). A row opens its flow's tab.
 */
export function SiteOverview({
  check,
  supervisorId,
  onOpen,
}: {
  check: SiteCheck;
  supervisorId: string;
  onOpen: (flowId: string) => void;
}) {
  const store = useEditorStoreApi();
  const projectId = store.getState().projectId;
  const [running, setRunning] = useState<FlowsAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    const controller = new AbortController();
    const tick = async () => {
      const result = await runtimeCall<FlowsAnswer>("flows", {
        supervisor: supervisorId,
        background: true,
        signal: controller.signal,
      });
      if (cancelled) return;
      if (result.ok) {
        setRunning(result.body);
        setError(null);
      } else setError(result.error);
    };
    void tick();
    const timer = setInterval(tick, 2000);
    return () => {
      cancelled = true;
      controller.abort();
      clearInterval(timer);
    };
  }, [supervisorId]);

  const ours = running?.project?.id === projectId;
  const live = useMemo(
    () => new Map((ours ? (running?.flows ?? []) : []).map((f) => [f.flow_id, f])),
    [running, ours],
  );

  return (
    <div className="h-full overflow-auto p-4" data-testid="site-overview">
      <h2 className="mb-1 text-sm font-semibold">
        Site: {check.flows.length} flow{check.flows.length === 1 ? "" : "s"}
      </h2>
      <p className="mb-3 text-xs text-slate-600" data-testid="site-supervisor-state">
        {error
          ? `Live status unavailable: ${error}`
          : !running
            ? "Reading the supervisor…"
            : running.project === null
              ? "The supervisor runs nothing yet: deploy to start these flows."
              : ours
                ? "Deployed on the chosen supervisor: live status below."
                : `The chosen supervisor runs another project ("${running.project.name}"); deploying this one needs "replace".`}
      </p>
      <table className="w-full text-left text-xs">
        <thead className="text-slate-500">
          <tr>
            <th className="py-1 pr-3">Flow</th>
            <th className="py-1 pr-3">Trigger</th>
            <th className="py-1 pr-3">Nodes</th>
            <th className="py-1 pr-3">Validation</th>
            <th className="py-1 pr-3">Live status</th>
            <th className="py-1 pr-3">Scans</th>
            <th className="py-1">Last scan</th>
          </tr>
        </thead>
        <tbody>
          {check.flows.map((flow, i) => {
            const problems = problemsOfFlow(check.problems, i);
            const run = live.get(flow.metadata.flow_id);
            return (
              <tr
                key={flow.metadata.flow_id}
                className="cursor-pointer border-t border-slate-100 hover:bg-sky-50"
                data-testid="site-flow-row"
                data-flow-id={flow.metadata.flow_id}
                onClick={() => onOpen(flow.metadata.flow_id)}
              >
                <td className="py-1.5 pr-3 font-semibold">{flow.metadata.flow_name}</td>
                <td className="py-1.5 pr-3">{triggerText(flow.execution.trigger)}</td>
                <td className="py-1.5 pr-3" data-testid="site-flow-nodes">
                  {flow.nodes.length}
                </td>
                <td className="py-1.5 pr-3" data-testid="site-flow-validation" data-count={problems.length}>
                  {problems.length === 0 ? (
                    <span className="text-emerald-700">valid</span>
                  ) : (
                    <span className="text-amber-700" title={problems.map((p) => p.message).join("\n")}>
                      {problems.length} problem{problems.length === 1 ? "" : "s"}
                    </span>
                  )}
                </td>
                <td className="py-1.5 pr-3" data-testid="site-flow-status">
                  {run ? (
                    <span title={run.last_error ?? ""}>
                      {run.status}
                      {run.last_error ? " ⚠" : ""}
                    </span>
                  ) : (
                    <span className="text-slate-400">not deployed</span>
                  )}
                </td>
                <td className="py-1.5 pr-3" data-testid="site-flow-scans">
                  {run ? run.scan_count : "—"}
                </td>
                <td className="py-1.5">
                  {run?.last_scan_at ? new Date(run.last_scan_at).toLocaleTimeString() : "—"}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {check.shared.length > 0 ? (
        <div className="mt-4" data-testid="site-shared-writes">
          <h3 className="mb-1 text-xs font-semibold">
            Points commanded by several flows (the priority array arbitrates)
          </h3>
          <ul className="space-y-1 text-xs">
            {check.shared.map((s) => (
              <li key={s.ref}>
                <span className="font-mono">{s.ref}</span>:{" "}
                {s.writers.map((w) => `${w.nodeLabel} in ${w.flowName} at priority ${w.priority}`).join("; ")}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
