"use client";

import { AlertTriangle, CheckCircle2 } from "lucide-react";
import type { FlowProblem } from "../../lib/flow-validation";
import { useEditorStore } from "../../store/editor-store-provider";

/** Every problem in the flow; a click centres the canvas on the node concerned. */
export function ValidationPanel({ problems }: { problems: readonly FlowProblem[] }) {
  const focusNode = useEditorStore((s) => s.focusNode);
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
    <ul
      className="divide-y divide-slate-100 text-xs"
      data-testid="validation-panel"
      data-count={problems.length}
    >
      {problems.map((p) => (
        <li key={`${p.path}|${p.message}`}>
          <button
            type="button"
            data-testid="validation-problem"
            data-node-id={p.nodeId ?? ""}
            data-kind={p.kind}
            disabled={!p.nodeId}
            onClick={() => p.nodeId && focusNode(p.nodeId)}
            className="flex w-full items-start gap-2 px-3 py-1.5 text-left hover:bg-amber-50 disabled:cursor-default"
          >
            <AlertTriangle className="mt-0.5 size-3.5 shrink-0 text-amber-600" />
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
