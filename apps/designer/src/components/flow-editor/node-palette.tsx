"use client";

import { Library, Trash2 } from "lucide-react";
import { useMemo, useState } from "react";
import { paletteGroups } from "../../lib/node-catalog";
import { TEMPLATE_MIME } from "../../lib/project-template";
import { useEditorStore, useEditorStoreApi } from "../../store/editor-store-provider";
import { Input } from "../ui/input";
import { NodeIcon } from "./node-icon";
import { templateClipboard, useProjectTemplates } from "./use-project-templates";

/** The drag payload type: a node type from the palette (the BACnet browser uses its own). */
export const PALETTE_MIME = "application/x-bms-node-type";
/** The drag payload type of a project library definition (its id): dropped, it becomes an instance. */
export const LIBRARY_MIME = "application/x-bms-library-subflow";

/**
 * Generated from the node library; a node type added there shows up here with no edit. `library`: also
 * list the project's subflow library (the project's own canvas, not a sub-flow's inside: instances are
 * expanded on the flows' top level).
 */
export function NodePalette({
  onAdd,
  onAddLibrary,
}: {
  onAdd: (type: string) => void;
  onAddLibrary?: (definitionId: string) => void;
}) {
  const [search, setSearch] = useState("");
  const groups = useMemo(() => paletteGroups(search), [search]);
  const store = useEditorStoreApi();
  const { templates, remove } = useProjectTemplates();
  const term = search.trim().toLowerCase();
  const shownTemplates = templates.filter((t) => !term || t.name.toLowerCase().includes(term));
  const library = useEditorStore((s) => s.library);
  const shownLibrary = onAddLibrary
    ? library.filter((d) => !term || `${d.name} ${d.category}`.toLowerCase().includes(term))
    : [];
  return (
    <div className="flex h-full flex-col" data-testid="node-palette">
      <div className="border-b border-slate-200 p-2">
        <Input
          placeholder="Search nodes…"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          data-testid="palette-search"
          aria-label="Search nodes"
        />
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto p-2">
        {shownLibrary.length > 0 ? (
          <section className="mb-3" data-testid="palette-group-library">
            <h3 className="mb-1 px-1 text-[11px] font-semibold uppercase tracking-wide text-slate-500">
              Project library
            </h3>
            <ul className="space-y-1">
              {shownLibrary.map((d) => (
                <li key={d.id}>
                  <button
                    type="button"
                    draggable
                    data-testid={`palette-library-${d.id}`}
                    title={`${d.description}\n\n${d.points.length} points, ${d.parameters.length} parameters. Drag onto the canvas, or press Enter to add an instance.`}
                    onDragStart={(event) => {
                      event.dataTransfer.setData(LIBRARY_MIME, d.id);
                      event.dataTransfer.effectAllowed = "copy";
                    }}
                    onDoubleClick={() => onAddLibrary?.(d.id)}
                    onKeyDown={(event) => {
                      if (event.key === "Enter" || event.key === " ") {
                        event.preventDefault();
                        onAddLibrary?.(d.id);
                      }
                    }}
                    className="flex w-full cursor-grab items-center gap-2 rounded-md border border-indigo-200 bg-white px-2 py-1.5 text-xs hover:border-indigo-400 hover:bg-indigo-50 active:cursor-grabbing"
                  >
                    <Library className="size-4 shrink-0 text-indigo-700" />
                    <span className="truncate font-medium text-slate-800">{d.name}</span>
                    <span className="ml-auto text-[10px] text-slate-500">v{d.version}</span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        {shownTemplates.length > 0 ? (
          <section className="mb-3" data-testid="palette-group-templates">
            <h3 className="mb-1 px-1 text-[11px] font-semibold uppercase tracking-wide text-slate-500">
              Project templates
            </h3>
            <ul className="space-y-1">
              {shownTemplates.map((t) => (
                <li key={t.id} className="flex items-center gap-1">
                  <button
                    type="button"
                    draggable
                    data-testid={`palette-template-${t.name}`}
                    title={`${t.nodes.length} nodes. Drag onto the canvas, or press Enter to add a copy.`}
                    onDragStart={(event) => {
                      event.dataTransfer.setData(TEMPLATE_MIME, templateClipboard(t));
                      event.dataTransfer.effectAllowed = "copy";
                    }}
                    onDoubleClick={() => store.getState().paste(templateClipboard(t))}
                    onKeyDown={(event) => {
                      if (event.key === "Enter" || event.key === " ") {
                        event.preventDefault();
                        store.getState().paste(templateClipboard(t));
                      }
                    }}
                    className="flex min-w-0 flex-1 cursor-grab items-center gap-2 rounded-md border border-indigo-200 bg-indigo-50 px-2 py-1.5 text-xs hover:border-indigo-400 active:cursor-grabbing"
                  >
                    <NodeIcon name="boxes" className="size-4 shrink-0 text-indigo-700" />
                    <span className="truncate font-medium text-slate-800">{t.name}</span>
                    <span className="ml-auto text-[10px] text-slate-500">{t.nodes.length}</span>
                  </button>
                  <button
                    type="button"
                    className="rounded p-1 text-slate-400 hover:bg-red-50 hover:text-red-700"
                    title={`Delete the template ${t.name} (nodes already placed stay)`}
                    data-testid={`palette-template-delete-${t.name}`}
                    onClick={() => {
                      if (window.confirm(`Delete the template “${t.name}”? Nodes already placed stay.`))
                        void remove(t.id);
                    }}
                  >
                    <Trash2 className="size-3.5" />
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        {groups.length === 0 && shownTemplates.length === 0 && shownLibrary.length === 0 ? (
          <p className="p-2 text-xs text-slate-500">No node matches “{search}”.</p>
        ) : null}
        {groups.map((group) => (
          <section key={group.id} className="mb-3" data-testid={`palette-group-${group.id}`}>
            <h3 className="mb-1 px-1 text-[11px] font-semibold uppercase tracking-wide text-slate-500">
              {group.label}
            </h3>
            <ul className="space-y-1">
              {group.items.map((item) => (
                <li key={item.type}>
                  <button
                    type="button"
                    draggable
                    data-testid={`palette-item-${item.type}`}
                    title={`${item.description}\n\nDrag onto the canvas, or press Enter to add.`}
                    onDragStart={(event) => {
                      event.dataTransfer.setData(PALETTE_MIME, item.type);
                      event.dataTransfer.effectAllowed = "copy";
                    }}
                    onDoubleClick={() => onAdd(item.type)}
                    onKeyDown={(event) => {
                      if (event.key === "Enter" || event.key === " ") {
                        event.preventDefault();
                        onAdd(item.type);
                      }
                    }}
                    className="flex w-full cursor-grab items-center gap-2 rounded-md border border-slate-200 bg-white px-2 py-1.5 text-xs hover:border-sky-400 hover:bg-sky-50 active:cursor-grabbing"
                  >
                    <NodeIcon name={item.icon} className="size-4 shrink-0 text-slate-600" />
                    <span className="truncate font-medium text-slate-800">{item.label}</span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </div>
  );
}
