"use client";

import { Copy, LayoutGrid, Plus, Search, Trash2 } from "lucide-react";
import { useMemo, useRef, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { searchFlows } from "../../lib/flow-search";
import { useEditorStore, useEditorStoreApi } from "../../store/editor-store-provider";

/**
 * The project's flows as tabs over the canvas: click opens one, double-click renames it, dragging
 * reorders, and each tab can be duplicated or deleted (after a confirmation). Every change is one undo
 * step. "Site" opens the overview of all flows; the search box finds nodes across every flow.
 */
export function FlowTabs({
  view,
  onView,
}: {
  view: "canvas" | "site";
  onView: (v: "canvas" | "site") => void;
}) {
  const store = useEditorStoreApi();
  const activeFlowId = useEditorStore((s) => s.activeFlowId);
  const tabs = useEditorStore(
    useShallow((s) =>
      s.flows.map((f) =>
        f.configuration.metadata.flow_id === s.activeFlowId
          ? `${s.activeFlowId}\u0000${s.metadata.flow_name}`
          : `${f.configuration.metadata.flow_id}\u0000${f.configuration.metadata.flow_name}`,
      ),
    ),
  );
  const [renaming, setRenaming] = useState<string | null>(null);
  const dragged = useRef<string | null>(null);

  const open = (flowId: string) => {
    store.getState().switchFlow(flowId);
    onView("canvas");
  };
  const remove = (flowId: string, name: string) => {
    if (tabs.length <= 1) return;
    if (
      !window.confirm(
        `Delete flow "${name}"? Its nodes leave the project; when deployed, the flow stops and relinquishes its points. Undo brings it back.`,
      )
    )
      return;
    store.getState().deleteFlow(flowId);
  };

  return (
    <div
      className="flex h-9 shrink-0 items-end gap-0.5 overflow-x-auto border-b border-slate-200 bg-slate-50 px-1"
      role="tablist"
      aria-label="Flows"
      data-testid="flow-tabs"
    >
      <button
        type="button"
        role="tab"
        aria-selected={view === "site"}
        onClick={() => onView("site")}
        data-testid="site-tab"
        className={`flex items-center gap-1 rounded-t px-2 py-1 text-xs ${view === "site" ? "bg-white font-semibold shadow-sm" : "text-slate-600"}`}
      >
        <LayoutGrid className="size-3.5" /> Site
      </button>
      {tabs.map((tab, index) => {
        const [flowId, name] = tab.split("\u0000") as [string, string];
        const active = view === "canvas" && flowId === activeFlowId;
        return (
          <div
            key={flowId}
            role="tab"
            tabIndex={0}
            aria-selected={active}
            draggable={renaming !== flowId}
            onDragStart={(e) => {
              dragged.current = flowId;
              e.dataTransfer.effectAllowed = "move";
              e.dataTransfer.setData("text/x-bms-flow-tab", flowId);
            }}
            onDragOver={(e) => {
              if (dragged.current) e.preventDefault();
            }}
            onDrop={(e) => {
              e.preventDefault();
              const from = dragged.current;
              dragged.current = null;
              if (from && from !== flowId) store.getState().moveFlow(from, index);
            }}
            onClick={() => open(flowId)}
            onKeyDown={(e) => {
              if (e.key === "Enter") open(flowId);
            }}
            onDoubleClick={() => setRenaming(flowId)}
            data-testid="flow-tab"
            data-flow-id={flowId}
            data-active={active}
            className={`group flex max-w-[220px] cursor-pointer items-center gap-1 rounded-t border border-b-0 px-2 py-1 text-xs ${active ? "border-slate-200 bg-white font-semibold" : "border-transparent text-slate-600 hover:bg-white/60"}`}
          >
            {renaming === flowId ? (
              <input
                // biome-ignore lint/a11y/noAutofocus: the user asked to rename this tab right now
                autoFocus
                defaultValue={name}
                maxLength={100}
                aria-label="Flow name"
                data-testid="flow-tab-name-input"
                className="h-5 w-36 rounded border border-sky-400 px-1 text-xs"
                onClick={(e) => e.stopPropagation()}
                onBlur={(e) => {
                  store.getState().renameFlow(flowId, e.currentTarget.value);
                  setRenaming(null);
                }}
                onKeyDown={(e) => {
                  e.stopPropagation();
                  if (e.key === "Enter") e.currentTarget.blur();
                  if (e.key === "Escape") setRenaming(null);
                }}
              />
            ) : (
              <span
                className="truncate"
                data-testid="flow-tab-name"
                title="Double-click to rename; drag to reorder"
              >
                {name}
              </span>
            )}
            <button
              type="button"
              title={`Duplicate "${name}"`}
              aria-label={`Duplicate ${name}`}
              data-testid="flow-tab-duplicate"
              className="hidden rounded p-0.5 text-slate-500 hover:bg-slate-100 group-hover:block group-aria-selected:block"
              onClick={(e) => {
                e.stopPropagation();
                store.getState().duplicateFlow(flowId);
                onView("canvas");
              }}
            >
              <Copy className="size-3" />
            </button>
            {tabs.length > 1 ? (
              <button
                type="button"
                title={`Delete "${name}"`}
                aria-label={`Delete ${name}`}
                data-testid="flow-tab-delete"
                className="hidden rounded p-0.5 text-slate-500 hover:bg-red-50 hover:text-red-700 group-hover:block group-aria-selected:block"
                onClick={(e) => {
                  e.stopPropagation();
                  remove(flowId, name);
                }}
              >
                <Trash2 className="size-3" />
              </button>
            ) : null}
          </div>
        );
      })}
      <button
        type="button"
        title="Add a flow"
        aria-label="Add a flow"
        data-testid="add-flow"
        className="mb-0.5 rounded p-1 text-slate-600 hover:bg-white"
        onClick={() => {
          store.getState().addFlow();
          onView("canvas");
        }}
      >
        <Plus className="size-3.5" />
      </button>
      <div className="ml-auto pb-0.5">
        <FlowSearch onOpen={() => onView("canvas")} />
      </div>
    </div>
  );
}

/** Finds nodes by label, type, alias or point in every flow; choosing one opens its tab and centres on it. */
function FlowSearch({ onOpen }: { onOpen: () => void }) {
  const store = useEditorStoreApi();
  const [query, setQuery] = useState("");
  const [open, setOpen] = useState(false);
  const revision = useEditorStore((s) => s.revision);
  // biome-ignore lint/correctness/useExhaustiveDependencies: revision is the document's change signal
  const hits = useMemo(
    () => (query.trim().length < 2 ? [] : searchFlows(store.getState().toDocument(), query, 30)),
    [query, revision, store],
  );
  return (
    <div className="relative">
      <label className="flex items-center gap-1 rounded border border-slate-300 bg-white px-1">
        <Search className="size-3 text-slate-400" />
        <input
          type="search"
          value={query}
          placeholder="Search all flows"
          aria-label="Search all flows"
          data-testid="flow-search"
          className="h-6 w-44 text-xs outline-none"
          onChange={(e) => {
            setQuery(e.target.value);
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
          onKeyDown={(e) => {
            e.stopPropagation();
            if (e.key === "Escape") setOpen(false);
          }}
        />
      </label>
      {open && query.trim().length >= 2 ? (
        <ul
          className="absolute top-full right-0 z-30 mt-1 max-h-80 w-80 overflow-auto rounded border border-slate-200 bg-white text-xs shadow-lg"
          data-testid="flow-search-results"
        >
          {hits.length === 0 ? <li className="px-2 py-1.5 text-slate-500">No node matches.</li> : null}
          {hits.map((hit) => (
            <li key={`${hit.flowId}/${hit.nodeId}`}>
              <button
                type="button"
                data-testid="flow-search-hit"
                data-flow-id={hit.flowId}
                data-node-id={hit.nodeId}
                className="block w-full px-2 py-1.5 text-left hover:bg-sky-50"
                onClick={() => {
                  store.getState().focusNodeInFlow(hit.flowId, hit.nodeId);
                  setOpen(false);
                  onOpen();
                }}
              >
                <span className="font-semibold">{hit.nodeLabel}</span>{" "}
                <span className="text-slate-500">in {hit.flowName}</span>
                <span className="block truncate text-[10px] text-slate-500">
                  {hit.field}: {hit.text}
                </span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
