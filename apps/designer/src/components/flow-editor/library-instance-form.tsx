"use client";

import {
  parsePointRef,
  type SubflowDefinition,
  SubflowDefinitionSchema,
  type SubflowInstance,
  SubflowInstanceSchema,
} from "@bms/schemas";
import { ReactFlowProvider } from "@xyflow/react";
import { ChevronRight, Library } from "lucide-react";
import { useEffect, useState } from "react";
import { EMPTY_FLOW_DATA } from "../../lib/flow-document";
import type { EditorStoreApi } from "../../store/editor-store";
import { EditorStoreProvider, useEditorStore, useEditorStoreApi } from "../../store/editor-store-provider";
import { Button } from "../ui/button";
import { Input } from "../ui/input";
import { type DroppedPoint, POINT_MIME } from "./flow-canvas";
import { InnerLayout, InnerShortcuts, portCounts } from "./subflow-editor";

/** Why a parameter value is refused, or null: the definition's type and limits, as the deploy checks them. */
function parameterProblem(p: SubflowDefinition["parameters"][number], value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value !== p.type) return `must be a ${p.type}`;
  if (typeof value === "number") {
    if (p.min !== undefined && value < p.min) return `at least ${p.min}${p.units ? ` ${p.units}` : ""}`;
    if (p.max !== undefined && value > p.max) return `at most ${p.max}${p.units ? ` ${p.units}` : ""}`;
  }
  return null;
}

/**
 * The form of a library instance: one field per declared point (type a reference, or drag a point from
 * the BACnet browser onto it) and per parameter (within the definition's limits, empty = its default).
 * The inside is the definition's: "Edit definition" opens it, and an edit there changes every instance.
 */
export function LibraryInstanceForm({
  nodeId,
  config,
  trail,
}: {
  nodeId: string;
  config: Record<string, unknown>;
  trail: readonly string[];
}) {
  const library = useEditorStore((s) => s.library);
  const updateNodeConfig = useEditorStore((s) => s.updateNodeConfig);
  const instanceCount = useEditorStore((s) => {
    const id = (config.library as { id?: unknown } | undefined)?.id;
    const count = (nodes: { type: string; config: Record<string, unknown> }[]) =>
      nodes.filter(
        (n) => n.type === "subflow" && (n.config.library as { id?: unknown } | undefined)?.id === id,
      ).length;
    return (
      count(s.nodes.map((n) => ({ type: n.data.type, config: n.data.config }))) +
      s.flows
        .filter((f) => f.configuration.metadata.flow_id !== s.activeFlowId)
        .reduce((n, f) => n + count(f.configuration.nodes), 0)
    );
  });
  const [editing, setEditing] = useState(false);
  const parsed = SubflowInstanceSchema.safeParse(config.library);
  if (!parsed.success)
    return <p className="text-xs text-red-700">This node's library binding is not readable.</p>;
  const instance = parsed.data;
  const def = library.find((d) => d.id === instance.id);
  if (!def) {
    return (
      <p className="text-xs text-red-700" data-testid="library-missing">
        The project library has no subflow “{instance.id}”: it was deleted or renamed.
      </p>
    );
  }
  const update = (patch: Partial<SubflowInstance>) =>
    updateNodeConfig(nodeId, "library", { ...instance, ...patch, version: def.version });

  return (
    <div className="space-y-3" data-testid="library-instance-form" data-definition={def.id}>
      <div className="rounded border border-indigo-200 bg-indigo-50 p-2 text-[11px] text-indigo-900">
        <div className="flex items-center gap-1 font-semibold">
          <Library className="size-3.5" /> {def.name} · v{def.version}
        </div>
        <p className="mt-1 leading-snug">{def.description}</p>
        <p className="mt-1 text-indigo-700" data-testid="library-instance-count">
          {instanceCount} instance{instanceCount === 1 ? "" : "s"} in this project; editing the definition
          changes all of them.
        </p>
        <Button
          size="sm"
          variant="outline"
          className="mt-2 w-full"
          data-testid="library-edit-definition"
          onClick={() => setEditing(true)}
        >
          Edit definition
        </Button>
      </div>
      {def.points.length > 0 ? (
        <fieldset className="space-y-2">
          <legend className="text-xs font-semibold text-slate-700">Points</legend>
          {def.points.map((p) => {
            const value = instance.points[p.key] ?? "";
            const check = value ? parsePointRef(value) : null;
            const problem =
              value === ""
                ? p.optional
                  ? null
                  : "not bound yet"
                : check && !check.ok
                  ? check.message
                  : null;
            return (
              <label key={p.key} className="block space-y-0.5" data-testid={`library-point-${p.key}`}>
                <span className="text-xs text-slate-700">
                  {p.label}{" "}
                  <span className="text-[10px] text-slate-500">
                    {p.direction === "read"
                      ? "reads"
                      : p.direction === "write"
                        ? "commands"
                        : "reads and commands"}
                    {p.units ? ` · ${p.units}` : ""}
                    {p.optional ? " · optional" : ""}
                  </span>
                </span>
                <Input
                  className="font-mono text-xs"
                  value={value}
                  placeholder="bacnet:1001/analogInput:1, or drop a point here"
                  data-testid={`library-point-input-${p.key}`}
                  onChange={(e) => {
                    const points = { ...instance.points };
                    if (e.target.value.trim()) points[p.key] = e.target.value.trim();
                    else delete points[p.key];
                    update({ points });
                  }}
                  onDragOver={(e) => {
                    if (e.dataTransfer.types.includes(POINT_MIME)) e.preventDefault();
                  }}
                  onDrop={(e) => {
                    const text = e.dataTransfer.getData(POINT_MIME);
                    if (!text) return;
                    e.preventDefault();
                    const dropped = JSON.parse(text) as DroppedPoint;
                    update({ points: { ...instance.points, [p.key]: dropped.point } });
                  }}
                />
                {problem ? <span className="text-[11px] text-red-700">{problem}</span> : null}
              </label>
            );
          })}
        </fieldset>
      ) : null}
      {def.parameters.length > 0 ? (
        <fieldset className="space-y-2">
          <legend className="text-xs font-semibold text-slate-700">Parameters</legend>
          {def.parameters.map((p) => {
            const value = instance.parameters[p.key];
            const problem = parameterProblem(p, value);
            const set = (next: string | number | boolean | undefined) => {
              const parameters = { ...instance.parameters };
              if (next === undefined) delete parameters[p.key];
              else parameters[p.key] = next;
              update({ parameters });
            };
            return (
              <label key={p.key} className="block space-y-0.5" data-testid={`library-param-${p.key}`}>
                <span className="text-xs text-slate-700" title={p.description}>
                  {p.label}{" "}
                  <span className="text-[10px] text-slate-500">
                    {p.units ?? ""}
                    {p.min !== undefined || p.max !== undefined
                      ? ` (${p.min ?? "…"} to ${p.max ?? "…"})`
                      : ""}
                  </span>
                </span>
                {p.type === "boolean" ? (
                  <input
                    type="checkbox"
                    checked={(value ?? p.default) === true}
                    onChange={(e) => set(e.target.checked === p.default ? undefined : e.target.checked)}
                  />
                ) : (
                  <Input
                    type={p.type === "number" ? "number" : "text"}
                    value={value === undefined ? "" : String(value)}
                    placeholder={`default ${String(p.default)}`}
                    min={p.min}
                    max={p.max}
                    data-testid={`library-param-input-${p.key}`}
                    onChange={(e) => {
                      const text = e.target.value;
                      if (text === "") return set(undefined);
                      if (p.type === "number") {
                        const n = Number(text);
                        if (Number.isFinite(n)) set(n);
                      } else set(text);
                    }}
                  />
                )}
                {problem ? <span className="text-[11px] text-red-700">{problem}</span> : null}
              </label>
            );
          })}
        </fieldset>
      ) : null}
      {editing ? (
        <LibraryDefinitionEditor definitionId={def.id} trail={trail} onClose={() => setEditing(false)} />
      ) : null}
    </div>
  );
}

/**
 * A library definition's inside on its own canvas, with a breadcrumb back. Every valid change is written
 * to the definition at once (one version up for the whole editing session), so every instance in every
 * flow follows; `{{point:key}}` and `{{param:key}}` stand for each instance's bindings.
 */
export function LibraryDefinitionEditor({
  definitionId,
  trail,
  onClose,
}: {
  definitionId: string;
  trail: readonly string[];
  onClose: () => void;
}) {
  const host = useEditorStoreApi();
  const [init] = useState(() => {
    const s = host.getState();
    const def = s.library.find((d) => d.id === definitionId)!;
    return {
      def,
      editor: {
        projectId: s.projectId,
        projectName: s.projectName,
        version: 0,
        document: {
          flows: [
            {
              configuration: {
                metadata: s.metadata,
                execution: s.execution,
                nodes: def.flow.nodes,
                connections: def.flow.connections,
              },
              flow_data: EMPTY_FLOW_DATA,
            },
          ],
          library: s.library,
        },
      },
    };
  });
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <div
      className="fixed inset-0 z-50 flex flex-col bg-white"
      data-testid="library-definition-editor"
      data-definition={definitionId}
    >
      <nav
        className="flex h-10 shrink-0 items-center gap-1 border-b border-slate-200 bg-slate-50 px-3 text-sm"
        aria-label="Breadcrumb"
      >
        {trail
          .map((name, i) => ({ name, key: `level-${i}` }))
          .map(({ name, key }) => (
            <span key={key} className="flex items-center gap-1 text-slate-600">
              {name}
              <ChevronRight className="size-3.5 text-slate-400" />
            </span>
          ))}
        <span className="flex items-center gap-1 text-slate-600">
          Project library <ChevronRight className="size-3.5 text-slate-400" />
        </span>
        <span className="flex items-center gap-1 font-semibold" data-testid="library-breadcrumb-current">
          <Library className="size-4" /> {init.def.name}
        </span>
        <span className="ml-2 text-xs text-slate-500">
          {"{{point:key}} and {{param:key}} stand for each instance's points and parameters."}
        </span>
        {problem ? (
          <span className="ml-2 text-xs text-red-700" role="alert" data-testid="library-definition-problem">
            Not applied: {problem}
          </span>
        ) : null}
        <Button
          size="sm"
          variant="outline"
          className="ml-auto"
          data-testid="library-definition-back"
          onClick={onClose}
        >
          Back to {trail[trail.length - 1]}
        </Button>
      </nav>
      <EditorStoreProvider init={init.editor}>
        <ReactFlowProvider>
          <DefinitionWriteBack host={host} base={init.def} onProblem={setProblem} />
          <InnerShortcuts />
          <InnerLayout trail={[...trail, init.def.name]} />
        </ReactFlowProvider>
      </EditorStoreProvider>
    </div>
  );
}

function DefinitionWriteBack({
  host,
  base,
  onProblem,
}: {
  host: EditorStoreApi;
  base: SubflowDefinition;
  onProblem: (message: string | null) => void;
}) {
  const inner = useEditorStoreApi();
  const revision = useEditorStore((s) => s.revision);
  useEffect(() => {
    if (revision === 0) return;
    const configuration = inner.getState().toConfiguration();
    const flow = { nodes: configuration.nodes, connections: configuration.connections };
    const ports = portCounts(flow);
    const candidate = SubflowDefinitionSchema.safeParse({
      ...base,
      version: base.version + 1,
      input_count: Math.max(base.input_count, ports.inputs),
      output_count: Math.max(base.output_count, ports.outputs),
      flow,
    });
    if (!candidate.success) {
      // A placeholder naming an undeclared point would make the whole project unsavable: keep the last good one.
      onProblem(candidate.error.issues[0]?.message ?? "invalid definition");
      return;
    }
    onProblem(null);
    host.getState().saveLibraryDefinition(candidate.data, `library:${base.id}`);
  }, [revision, inner, host, base, onProblem]);
  return null;
}
