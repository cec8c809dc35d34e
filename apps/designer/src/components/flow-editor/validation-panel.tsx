"use client";

import { AlertTriangle, CheckCircle2, Info } from "lucide-react";
import type { FlowProblem } from "../../lib/flow-validation";
import { useEditorStore } from "../../store/editor-store-provider";

/** Every problem in the flow; a click centres the canvas on the node concerned. */
export function ValidationPanel({ problems }: { problems: readonly FlowProblem[] }) {
  const focusNode = useEditorStore((s) => s.focusNode);
  const focusNodeInFlow = useEditorStore((s) => s.focusNodeInFlow);
  const switchFlow = useEditorStore((s) => s.switchFlow);
  const errors = problems.filter((p) => p.severity !== "info").length;
  const go = (p: FlowProblem) => {
    if (p.flowId && p.nodeId) focusNodeInFlow(p.flowId, p.nodeId);
    else if (p.flowId) switchFlow(p.flowId);
    else if (p.nodeId) focusNode(p.nodeId);
  };
  if (problems.length === 0) {
    return (
      <div
        className="flex items-center gap-2 p-3 text-sm text-emerald-700"
        data-testid="validation-panel"
        data-count={0}
      >
        <CheckCircle2 className="size-4" /> No problems: the flow is ready to deploy.
      </div>
    );
  }
  return (
    <ul className="divide-y divide-slate-100 text-xs" data-testid="validation-panel" data-count={errors}>
      {problems.map((p) => (
        <li key={`${p.path}|${p.message}`}>
          <button
            type="button"
            data-testid="validation-problem"
            data-node-id={p.nodeId ?? ""}
            data-flow-id={p.flowId ?? ""}
            data-kind={p.kind}
            data-severity={p.severity ?? "error"}
            disabled={!p.nodeId && !p.flowId}
            onClick={() => go(p)}
            className="flex w-full items-start gap-2 px-3 py-1.5 text-left hover:bg-amber-50 disabled:cursor-default"
          >
            {p.severity === "info" ? (
              <Info className="mt-0.5 size-3.5 shrink-0 text-sky-600" />
            ) : (
              <AlertTriangle className="mt-0.5 size-3.5 shrink-0 text-amber-600" />
            )}
            <span className="min-w-0 flex-1">
              <span className="text-slate-900">{p.message}</span>
              <span className="ml-2 font-mono text-[10px] text-slate-500">{p.path}</span>
            </span>
            <span className="rounded bg-slate-100 px-1 text-[10px] text-slate-600">{p.kind}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
