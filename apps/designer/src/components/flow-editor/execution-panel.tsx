"use client";

import { Activity, Play, Square } from "lucide-react";
import { useState } from "react";
import { runtimeCall } from "../../lib/designer-api";
import { showValue } from "../../lib/format-value";
import { useEditorStore } from "../../store/editor-store-provider";
import { Button } from "../ui/button";
import { STATUS_STYLES } from "./port-style";
import type { ExecutionSnapshot } from "./use-execution-polling";

function values(record: Record<string, unknown> | undefined): string {
  if (!record) return "";
  return Object.entries(record)
    .map(([k, v]) => `${k}=${showValue(v).text}`)
    .join(" ");
}

/** Same words as the supervisor dashboard's Stop: stopping releases every point the flow commands. */
export const STOP_CONFIRMATION = "Stop the flow? Every point it commands is released (relinquished).";

/** The last scan as a table, plus the flow start/stop control. */
export function ExecutionPanel({
  monitoring,
  onToggle,
  snapshot,
  supervisorId,
}: {
  monitoring: boolean;
  onToggle: (on: boolean) => void;
  snapshot: ExecutionSnapshot | null;
  supervisorId: string;
}) {
  const runtime = useEditorStore((s) => s.runtime);
  const focusNode = useEditorStore((s) => s.focusNode);
  const [message, setMessage] = useState<string | null>(null);
  const control = async (action: "start" | "stop") => {
    if (action === "stop" && !window.confirm(STOP_CONFIRMATION)) return;
    const result = await runtimeCall(`execution/${action}`, {
      supervisor: supervisorId,
      method: "POST",
      body: {},
    });
    setMessage(result.ok ? `Flow ${action === "start" ? "started" : "stopped"}.` : result.error);
  };
  const rows = Object.values(runtime);
  return (
    <div className="flex h-full flex-col text-xs" data-testid="execution-panel">
      <div className="flex items-center gap-2 border-b border-slate-100 px-3 py-1.5">
        <Button
          size="sm"
          variant={monitoring ? "primary" : "outline"}
          onClick={() => onToggle(!monitoring)}
          data-testid="monitor-toggle"
          aria-pressed={monitoring}
        >
          <Activity /> {monitoring ? "Live: on" : "Live: off"}
        </Button>
        <Button size="sm" variant="outline" onClick={() => control("start")} data-testid="flow-start">
          <Play /> Start
        </Button>
        <Button size="sm" variant="outline" onClick={() => control("stop")} data-testid="flow-stop">
          <Square /> Stop
        </Button>
        <span className="text-slate-600" data-testid="execution-scan" data-scan={snapshot?.scan ?? ""}>
          {snapshot
            ? `${snapshot.status} · scan ${snapshot.scan}${snapshot.last_scan_at ? ` at ${new Date(snapshot.last_scan_at).toLocaleTimeString()}` : ""}`
            : monitoring
              ? "waiting for the supervisor…"
              : "Turn live on to see the last scan of the deployed flow."}
        </span>
        {message ? <span className="text-slate-500">{message}</span> : null}
      </div>
      <div className="min-h-0 flex-1 overflow-auto">
        <table className="w-full">
          <tbody>
            {rows.map((row) => (
              <tr
                key={row.node_id}
                className="cursor-pointer border-b border-slate-50 hover:bg-slate-50"
                data-testid={`execution-row-${row.node_id}`}
                onClick={() => focusNode(row.node_id)}
              >
                <td className="px-3 py-1 font-mono">{row.node_id}</td>
                <td className="px-2 py-1">
                  <span className={`rounded px-1 ${STATUS_STYLES[row.status]?.label ?? ""}`}>
                    {row.status}
                  </span>
                </td>
                <td className="px-2 py-1 font-mono text-slate-600">in: {values(row.input_values)}</td>
                <td className="px-2 py-1 font-mono text-slate-900">out: {values(row.output_values)}</td>
                <td className="px-2 py-1 text-red-700">{row.error_message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
