"use client";

import type { Connection, NodeConfiguration } from "@bms/schemas";
import { ReactFlowProvider } from "@xyflow/react";
import { Boxes, ChevronRight } from "lucide-react";
import { useEffect, useState } from "react";
import { EMPTY_FLOW_DATA } from "../../lib/flow-document";
import type { EditorStoreApi } from "../../store/editor-store";
import { EditorStoreProvider, useEditorStore, useEditorStoreApi } from "../../store/editor-store-provider";
import { Button } from "../ui/button";
import { FlowCanvas } from "./flow-canvas";
import { NodeInspector } from "./node-inspector";
import { NodePalette } from "./node-palette";
import { useEditorShortcuts } from "./use-editor-shortcuts";

interface EmbeddedFlow {
  nodes: NodeConfiguration[];
  connections: Connection[];
}

function embeddedOf(value: unknown): EmbeddedFlow {
  const flow = (value ?? {}) as Partial<EmbeddedFlow>;
  return {
    nodes: Array.isArray(flow.nodes) ? flow.nodes : [],
    connections: Array.isArray(flow.connections) ? flow.connections : [],
  };
}

/** The highest `inN` / `outN` a sub-flow's port nodes use: the host node draws that many ports. */
export function portCounts(flow: EmbeddedFlow): { inputs: number; outputs: number } {
  let inputs = 0;
  let outputs = 0;
  for (const n of flow.nodes) {
    const name = String((n.config as { name?: unknown }).name ?? "");
    const match = /^(in|out)([1-8])$/.exec(name);
    if (!match) continue;
    if (n.type === "subflow_input" && match[1] === "in") inputs = Math.max(inputs, Number(match[2]));
    if (n.type === "subflow_output" && match[1] === "out") outputs = Math.max(outputs, Number(match[2]));
  }
  return { inputs, outputs };
}

/**
 * Every change on the inner canvas is written back into the host node's `flow` config at once, so save,
 * autosave, undo on the outer canvas and validation all see it; there is no separate "apply".
 */
function WriteBack({ host, nodeId, hostType }: { host: EditorStoreApi; nodeId: string; hostType: string }) {
  const inner = useEditorStoreApi();
  const revision = useEditorStore((s) => s.revision);
  useEffect(() => {
    if (revision === 0) return;
    const configuration = inner.getState().toConfiguration();
    const flow = { nodes: configuration.nodes, connections: configuration.connections };
    const state = host.getState();
    state.updateNodeConfig(nodeId, "flow", flow);
    if (hostType !== "subflow") return;
    const node = state.nodes.find((n) => n.id === nodeId);
    const { inputs, outputs } = portCounts(flow);
    const config = node?.data.config ?? {};
    if (typeof config.input_count !== "number" || config.input_count < inputs) {
      state.updateNodeConfig(nodeId, "input_count", inputs);
    }
    if (typeof config.output_count !== "number" || config.output_count < outputs) {
      state.updateNodeConfig(nodeId, "output_count", outputs);
    }
  }, [revision, inner, host, nodeId, hostType]);
  return null;
}

export function InnerShortcuts() {
  // Save and the shortcut sheet belong to the project's editor (it saves everything, this sub-flow
  // included); this canvas takes the edit keys while it is in view.
  useEditorShortcuts(PROJECT_EDITOR_KEYS);
  return null;
}
const PROJECT_EDITOR_KEYS = { save() {}, toggleShortcutSheet() {} };

/**
 * A sub-flow's (or a loop's) inside on its own canvas, over the flow that holds it, with a breadcrumb
 * back. It is a full editor of its own (palette, canvas, inspector, undo) on a store made from the host
 * node's `flow`; a sub-flow node inside opens one more level.
 */
export function SubflowEditor({
  nodeId,
  trail,
  onClose,
}: {
  nodeId: string;
  /** The names of the levels above, outermost first (the project, then enclosing sub-flows). */
  trail: readonly string[];
  onClose: () => void;
}) {
  const host = useEditorStoreApi();
  const [init] = useState(() => {
    const s = host.getState();
    const node = s.nodes.find((n) => n.id === nodeId);
    const flow = embeddedOf(node?.data.config.flow);
    return {
      hostType: node?.data.type ?? "subflow",
      name: node?.data.label || String(node?.data.config.name ?? "") || nodeId,
      editor: {
        projectId: s.projectId,
        projectName: s.projectName,
        version: 0,
        // The inside as a one-flow document under the host flow's identity (never saved as such).
        document: {
          flows: [
            {
              configuration: { metadata: s.metadata, execution: s.execution, ...flow },
              flow_data: EMPTY_FLOW_DATA,
            },
          ],
          library: s.library,
        },
      },
    };
  });
  const depth = trail.length;

  return (
    <div
      className="fixed inset-0 flex flex-col bg-white"
      style={{ zIndex: 40 + depth }}
      data-testid="subflow-editor"
      data-subflow-editor={nodeId}
      data-depth={depth}
    >
      <nav
        className="flex h-10 shrink-0 items-center gap-1 border-b border-slate-200 bg-slate-50 px-3 text-sm"
        aria-label="Breadcrumb"
        data-testid="subflow-breadcrumb"
      >
        {trail
          .map((name, i) => ({ name, i, key: `level-${i}` }))
          .map(({ name, i, key }) => (
            <span key={key} className="flex items-center gap-1">
              <button
                type="button"
                className="text-sky-700 hover:underline"
                data-testid={`breadcrumb-${i}`}
                // Every level above this one is its own overlay: closing this one shows the one below.
                onClick={i === trail.length - 1 ? onClose : undefined}
                disabled={i !== trail.length - 1}
                title={i === trail.length - 1 ? "Back" : undefined}
              >
                {name}
              </button>
              <ChevronRight className="size-3.5 text-slate-400" />
            </span>
          ))}
        <span className="flex items-center gap-1 font-semibold" data-testid="breadcrumb-current">
          <Boxes className="size-4" /> {init.name}
        </span>
        <span className="ml-2 text-xs text-slate-500">
          {init.hostType === "loop"
            ? "Runs once per item: subflow_input item/index/count/in1…in4 in, subflow_output result out."
            : "subflow_input nodes named in1… are this node's inputs; subflow_output out1… its outputs."}
        </span>
        <Button size="sm" variant="outline" className="ml-auto" data-testid="subflow-back" onClick={onClose}>
          Back to {trail[trail.length - 1]}
        </Button>
      </nav>
      <EditorStoreProvider init={init.editor}>
        <ReactFlowProvider>
          <WriteBack host={host} nodeId={nodeId} hostType={init.hostType} />
          <InnerShortcuts />
          <InnerLayout trail={[...trail, init.name]} />
        </ReactFlowProvider>
      </EditorStoreProvider>
    </div>
  );
}

export function InnerLayout({ trail }: { trail: readonly string[] }) {
  const store = useEditorStoreApi();
  return (
    <div className="grid min-h-0 flex-1 grid-cols-[220px_minmax(0,1fr)_300px]">
      <aside className="min-h-0 border-r border-slate-200 bg-slate-50">
        <NodePalette onAdd={(type) => store.getState().addNode(type, { x: 120, y: 120 })} />
      </aside>
      <main className="min-h-0">
        <FlowCanvas />
      </main>
      <aside className="min-h-0 overflow-y-auto border-l border-slate-200 bg-white">
        <NodeInspector trail={trail} />
      </aside>
    </div>
  );
}
