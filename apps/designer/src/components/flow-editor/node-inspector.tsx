"use client";

import { IdentifierSchema } from "@bms/schemas";
import { Boxes, Library } from "lucide-react";
import { useCallback, useMemo, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { describeNode, portGroupsOf } from "../../lib/node-catalog";
import { configProblems, describeConfigFields } from "../../lib/zod-form";
import { useEditorStore, useEditorStoreApi } from "../../store/editor-store-provider";
import { makeSubflowFromSelection, saveSelectionAsLibrary } from "../../store/selection-actions";
import { Button } from "../ui/button";
import { Input } from "../ui/input";
import { FlowSettings } from "./flow-settings";
import { LibraryInstanceForm } from "./library-instance-form";
import { NodeIcon } from "./node-icon";
import { PortCountControl } from "./port-count-control";
import { PropertyField } from "./property-field";
import { fieldAppliesToPoint } from "./protocol-fields";
import { SCHEDULE_KEYS, ScheduleEditor } from "./schedule-editor";
import { SubflowField } from "./subflow-field";

interface ConfigEditorProps {
  nodeId: string;
  config: Record<string, unknown>;
  problems: Record<string, string>;
  onChange: (key: string, value: unknown) => void;
  /** Where this editor sits: the project, then any enclosing sub-flows (for a sub-flow's breadcrumb). */
  trail: readonly string[];
}

/**
 * Node types whose config has a purpose-built editor for some keys; the generated form shows the rest.
 * Keyed by type on purpose: a week grid is a schedule's form, not something a schema can infer.
 */
const CONFIG_EDITORS: Record<
  string,
  { keys: readonly string[]; Editor: (props: ConfigEditorProps) => React.ReactNode }
> = {
  weekly_schedule: { keys: SCHEDULE_KEYS, Editor: ScheduleEditor },
  subflow: { keys: ["flow"], Editor: SubflowField },
  loop: { keys: ["flow"], Editor: SubflowField },
};

function AliasField({ nodeId, alias }: { nodeId: string; alias: string | undefined }) {
  const updateNodeMeta = useEditorStore((s) => s.updateNodeMeta);
  const [text, setText] = useState(alias ?? "");
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="space-y-1">
      <label className="text-xs font-medium text-slate-700" htmlFor={`alias-${nodeId}`}>
        Alias <span className="font-normal text-slate-500">(name used in expressions)</span>
      </label>
      <Input
        id={`alias-${nodeId}`}
        data-testid="field-alias"
        value={text}
        aria-invalid={error ? true : undefined}
        onChange={(e) => {
          const next = e.target.value;
          setText(next);
          if (next === "") {
            setError(null);
            updateNodeMeta(nodeId, { alias: "" });
            return;
          }
          const parsed = IdentifierSchema.safeParse(next);
          if (!parsed.success) {
            setError(parsed.error.issues[0]?.message ?? "invalid alias");
            return;
          }
          setError(null);
          updateNodeMeta(nodeId, { alias: next });
        }}
      />
      {error ? (
        <p className="text-[11px] text-red-700" data-testid="field-error-alias">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** "Make sub-flow from selection" and "Save selection as library subflow", each one undo step. */
function useMakeSubflow() {
  const store = useEditorStoreApi();
  const [message, setMessage] = useState<string | null>(null);
  const run = useCallback(() => {
    const result = makeSubflowFromSelection(store.getState());
    setMessage(result.ok ? null : result.message);
  }, [store]);
  const toLibrary = useCallback(() => {
    const name = window.prompt("Name of the library subflow (instances share it):", "");
    if (name === null) return;
    const result = saveSelectionAsLibrary(store.getState(), name);
    setMessage(result.ok ? null : result.message);
  }, [store]);
  return { run, toLibrary, message };
}

export function NodeInspector({ trail }: { trail?: readonly string[] } = {}) {
  const projectName = useEditorStore((s) => s.projectName);
  const activeFlowId = useEditorStore((s) => s.activeFlowId);
  const makeSubflow = useMakeSubflow();
  const selectedIds = useEditorStore(useShallow((s) => s.nodes.filter((n) => n.selected).map((n) => n.id)));
  const node = useEditorStore((s) =>
    selectedIds.length === 1 ? s.nodes.find((n) => n.id === selectedIds[0]) : undefined,
  );
  const updateNodeConfig = useEditorStore((s) => s.updateNodeConfig);
  const updateNodeMeta = useEditorStore((s) => s.updateNodeMeta);
  const setPortCount = useEditorStore((s) => s.setPortCount);
  const wiredKey = useEditorStore((s) =>
    node
      ? s.edges
          .flatMap((e) =>
            e.target === node.id ? [e.targetHandle] : e.source === node.id ? [e.sourceHandle] : [],
          )
          .sort()
          .join("|")
      : "",
  );
  const descriptor = node ? describeNode(node.data.type) : undefined;
  const allFields = useMemo(() => (descriptor ? describeConfigFields(descriptor.config) : []), [descriptor]);
  const groups = useMemo(
    () => (descriptor ? portGroupsOf(descriptor.inputs, descriptor.outputs) : []),
    [descriptor],
  );
  const custom = descriptor ? CONFIG_EDITORS[descriptor.type] : undefined;
  const fields = allFields.filter(
    (f) =>
      !groups.some((g) => g.count === f.key) &&
      !custom?.keys.includes(f.key) &&
      (!descriptor || !node || fieldAppliesToPoint(descriptor.type, f.key, node.data.config.point)),
  );
  const problems = useMemo(
    () => (descriptor && node ? configProblems(descriptor.config, node.data.config) : {}),
    [descriptor, node],
  );

  if (selectedIds.length > 1) {
    return (
      <div className="p-3 text-sm text-slate-600" data-testid="inspector">
        <p>{selectedIds.length} nodes selected. Delete, copy (Ctrl+C) or drag them together.</p>
        <Button
          size="sm"
          variant="outline"
          className="mt-2 w-full"
          data-testid="make-subflow"
          onClick={makeSubflow.run}
        >
          <Boxes /> Make sub-flow from selection
        </Button>
        <Button
          size="sm"
          variant="outline"
          className="mt-2 w-full"
          data-testid="save-as-library"
          onClick={makeSubflow.toLibrary}
        >
          <Library /> Save selection as library subflow
        </Button>
        {makeSubflow.message ? (
          <p className="mt-1 text-[11px] text-red-700" role="alert" data-testid="make-subflow-error">
            {makeSubflow.message}
          </p>
        ) : null}
      </div>
    );
  }
  if (!node) {
    return (
      <div data-testid="inspector">
        {/* One form per flow: its fields keep local text, so another tab gets a fresh one. */}
        <FlowSettings key={activeFlowId} />
      </div>
    );
  }
  if (!descriptor) {
    return (
      <div className="p-3 text-sm text-red-700" data-testid="inspector">
        Unknown node type “{node.data.type}”: this Designer’s node library does not have it.
      </div>
    );
  }
  if (node.data.type === "subflow" && node.data.config.library !== undefined) {
    return (
      <div className="space-y-3 p-3" data-testid="inspector" data-node-id={node.id}>
        <div className="space-y-1">
          <label className="text-xs font-medium text-slate-700" htmlFor={`label-${node.id}`}>
            Label
          </label>
          <Input
            id={`label-${node.id}`}
            data-testid="field-label"
            value={node.data.label ?? ""}
            maxLength={100}
            onChange={(e) => updateNodeMeta(node.id, { label: e.target.value })}
          />
        </div>
        <LibraryInstanceForm
          key={node.id}
          nodeId={node.id}
          config={node.data.config}
          trail={trail ?? [projectName]}
        />
      </div>
    );
  }
  const stray = Object.entries(problems).filter(([key]) => !allFields.some((f) => f.key === key));
  const wired = new Set(wiredKey.split("|"));

  return (
    <div className="space-y-3 p-3" data-testid="inspector" data-node-id={node.id}>
      <div className="flex items-start gap-2">
        <NodeIcon name={descriptor.icon} className="mt-0.5 size-5 text-slate-600" />
        <div>
          <div className="text-sm font-semibold">{descriptor.label}</div>
          <div className="font-mono text-[11px] text-slate-500">
            {node.id} · {descriptor.type} v{descriptor.version}
          </div>
        </div>
      </div>
      <p className="text-[11px] leading-snug text-slate-600">{descriptor.description}</p>
      <div className="space-y-1">
        <label className="text-xs font-medium text-slate-700" htmlFor={`label-${node.id}`}>
          Label
        </label>
        <Input
          id={`label-${node.id}`}
          data-testid="field-label"
          value={node.data.label ?? ""}
          maxLength={100}
          placeholder={descriptor.label}
          onChange={(e) => updateNodeMeta(node.id, { label: e.target.value })}
        />
      </div>
      <AliasField key={node.id} nodeId={node.id} alias={node.data.alias} />
      <hr className="border-slate-200" />
      <div className="space-y-3" data-testid="property-form">
        {groups.map((group) => {
          const written = node.data.config[group.count];
          const count = typeof written === "number" ? written : group.default;
          const ports = group.side === "input" ? descriptor.inputs : descriptor.outputs;
          const beyond = ports.filter(
            (p) => p.repeat?.count === group.count && p.repeat.index >= count && wired.has(p.name),
          ).length;
          return (
            <PortCountControl
              key={`${node.id}:${group.count}`}
              group={group}
              field={allFields.find((f) => f.key === group.count)}
              count={count}
              wiredBeyond={beyond}
              onChange={(n) => setPortCount(node.id, group.count, n)}
            />
          );
        })}
        {custom ? (
          <custom.Editor
            key={node.id}
            nodeId={node.id}
            trail={trail ?? [projectName]}
            config={node.data.config}
            problems={problems}
            onChange={(key, value) => updateNodeConfig(node.id, key, value)}
          />
        ) : null}
        {fields.map((field) => (
          <PropertyField
            key={`${node.id}:${field.key}`}
            field={field}
            value={node.data.config[field.key]}
            {...(problems[field.key] ? { problem: problems[field.key] } : {})}
            onCommit={(value) => updateNodeConfig(node.id, field.key, value)}
          />
        ))}
      </div>
      {stray.length > 0 ? (
        <ul className="space-y-1 text-[11px] text-red-700">
          {stray.map(([key, message]) => (
            <li key={key}>
              {key || "config"}: {message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
