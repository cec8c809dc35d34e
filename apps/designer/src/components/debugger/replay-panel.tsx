"use client";

import { expandProjectFlows } from "@bms/schemas";
import { History } from "lucide-react";
import { useState } from "react";
import { runtimeCall } from "../../lib/designer-api";
import { useEditorStoreApi } from "../../store/editor-store-provider";
import { Button } from "../ui/button";
import { type ChartPoint, ReplayChart } from "./replay-chart";

/** The supervisor's answer to POST /api/debug/replay. */
interface ReplayAnswer {
  source: "traces" | "history";
  from: string;
  to: string;
  scans: number;
  scan_ms: number;
  elapsed_ms: number;
  points_replayed: number;
  running_stopped?: string;
  candidate_stopped?: string;
  outputs: {
    point: string;
    priority: number | null;
    changed: boolean;
    maxDelta?: number;
    summary: string;
    chart: ChartPoint[];
  }[];
}

const SOURCES = [
  { key: "traces", label: "the last 15 minutes of scans (traces)", body: { source: "traces" } },
  { key: "history-1", label: "the last hour of history", body: { source: "history", hours: 1 } },
  { key: "history-24", label: "the last 24 hours of history", body: { source: "history", hours: 24 } },
] as const;

/**
 * Replay (issue 16): the flow as it is on the canvas, run on the supervisor over what the running
 * version read, and compared with what the running version commands: a sentence and a chart per
 * changed output. Nothing is deployed and nothing is written to a device.
 */
export function ReplayPanel({ supervisorId }: { supervisorId: string }) {
  const store = useEditorStoreApi();
  const [source, setSource] = useState<(typeof SOURCES)[number]["key"]>("traces");
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<ReplayAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);

  const replay = async () => {
    setBusy(true);
    setError(null);
    try {
      const state = store.getState();
      const { flows, problems } = expandProjectFlows(state.toDocument());
      const candidate = flows.find((f) => f.metadata.flow_id === state.activeFlowId);
      if (problems.length > 0 || !candidate) {
        setError(`The flow does not expand: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
        return;
      }
      const result = await runtimeCall<ReplayAnswer>("debug/replay", {
        supervisor: supervisorId,
        method: "POST",
        timeoutMs: 50_000,
        body: {
          flow_id: state.activeFlowId,
          candidate,
          ...SOURCES.find((s) => s.key === source)!.body,
          time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
        },
      });
      if (!result.ok) {
        setAnswer(null);
        const detail = result.errors.map((e) => `${e.path ? `${e.path}: ` : ""}${e.message}`).join("; ");
        setError(detail || result.error);
        return;
      }
      setAnswer(result.body);
    } finally {
      setBusy(false);
    }
  };

  const changed = answer?.outputs.filter((o) => o.changed) ?? [];
  const same = answer?.outputs.filter((o) => !o.changed) ?? [];
  return (
    <div className="flex h-full flex-col text-xs" data-testid="replay-panel">
      <div className="flex flex-wrap items-center gap-2 border-b border-slate-100 px-3 py-1.5">
        <History className="size-4 text-slate-600" />
        <span>Replay this version of the flow over</span>
        <select
          className="h-7 rounded border border-slate-300 px-1"
          value={source}
          onChange={(e) => setSource(e.target.value as typeof source)}
          data-testid="replay-source"
          aria-label="Recorded data to replay"
        >
          {SOURCES.map((s) => (
            <option key={s.key} value={s.key}>
              {s.label}
            </option>
          ))}
        </select>
        <Button size="sm" variant="primary" onClick={replay} disabled={busy} data-testid="replay-run">
          {busy ? "Replaying…" : "Replay"}
        </Button>
        <span className="text-slate-500">
          Runs on the supervisor against the running version; nothing is deployed or written.
        </span>
      </div>
      <div className="min-h-0 flex-1 overflow-auto px-3 py-1.5">
        {error ? (
          <div className="text-red-700" data-testid="replay-error">
            {error}
          </div>
        ) : null}
        {answer ? (
          <div data-testid="replay-result" data-changed={changed.length}>
            <div className="mb-1 text-slate-600" data-testid="replay-facts">
              {answer.scans} scans from {new Date(answer.from).toLocaleTimeString()} to{" "}
              {new Date(answer.to).toLocaleTimeString()} (every {Math.round(answer.scan_ms) / 1000} s),{" "}
              {answer.points_replayed} recorded point{answer.points_replayed === 1 ? "" : "s"}, computed in{" "}
              {answer.elapsed_ms} ms.
              {answer.candidate_stopped ? ` The changed version stopped: ${answer.candidate_stopped}.` : ""}
              {answer.running_stopped ? ` The running version stopped: ${answer.running_stopped}.` : ""}
            </div>
            {changed.length === 0 ? (
              <div data-testid="replay-no-change">
                This change commands every point as the running version does.
              </div>
            ) : null}
            {changed.map((o, i) => (
              <div key={o.point} className="mb-2" data-testid={`replay-output-${i}`}>
                <div className="font-medium text-slate-900" data-testid={`replay-summary-${i}`}>
                  {o.summary}
                  {o.priority !== null ? ` (priority ${o.priority})` : ""}
                </div>
                <div className="flex items-center gap-3 text-[10px] text-slate-500">
                  <span>
                    <span className="inline-block h-0.5 w-4 bg-slate-400 align-middle" /> running version
                  </span>
                  <span>
                    <span className="inline-block h-0.5 w-4 bg-sky-600 align-middle" /> this version
                  </span>
                </div>
                <div data-testid={`replay-chart-${i}`}>
                  <ReplayChart points={o.chart} label={`${o.point}: running and changed version`} />
                </div>
              </div>
            ))}
            {same.length > 0 ? (
              <div className="text-slate-500">Unchanged: {same.map((o) => o.point).join(", ")}</div>
            ) : null}
          </div>
        ) : null}
      </div>
    </div>
  );
}
