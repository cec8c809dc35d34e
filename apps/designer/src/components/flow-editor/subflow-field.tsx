"use client";

import { Boxes } from "lucide-react";
import { useState } from "react";
import { Button } from "../ui/button";
import { SubflowEditor } from "./subflow-editor";

/** In the inspector of a sub-flow or loop node: what is inside, and the button that opens it. */
export function SubflowField({
  nodeId,
  config,
  problems,
  trail,
}: {
  nodeId: string;
  config: Record<string, unknown>;
  problems: Record<string, string>;
  trail: readonly string[];
}) {
  const [open, setOpen] = useState(false);
  const flow = (config.flow ?? {}) as { nodes?: unknown[]; connections?: unknown[] };
  const nodes = Array.isArray(flow.nodes) ? flow.nodes.length : 0;
  return (
    <div className="space-y-1" data-testid="subflow-field">
      <div className="text-xs font-medium text-slate-700">Inside</div>
      <p className="text-[11px] text-slate-600" data-testid="subflow-summary">
        {nodes} node{nodes === 1 ? "" : "s"}, {Array.isArray(flow.connections) ? flow.connections.length : 0}{" "}
        wire{flow.connections?.length === 1 ? "" : "s"}
      </p>
      <Button
        size="sm"
        variant="outline"
        className="w-full"
        data-testid="subflow-open"
        onClick={() => setOpen(true)}
      >
        <Boxes /> Open sub-flow
      </Button>
      {problems.flow ? (
        <p className="text-[11px] text-red-700" data-testid="field-error-flow">
          {problems.flow}
        </p>
      ) : null}
      {open ? <SubflowEditor nodeId={nodeId} trail={trail} onClose={() => setOpen(false)} /> : null}
    </div>
  );
}
