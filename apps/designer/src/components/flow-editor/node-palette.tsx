"use client";

import { Trash2 } from "lucide-react";
import { useMemo, useState } from "react";
import { paletteGroups } from "../../lib/node-catalog";
import { TEMPLATE_MIME } from "../../lib/project-template";
import { useEditorStoreApi } from "../../store/editor-store-provider";
import { Input } from "../ui/input";
import { NodeIcon } from "./node-icon";
import { templateClipboard, useProjectTemplates } from "./use-project-templates";

/** The drag payload type: a node type from the palette (the BACnet browser uses its own). */
export const PALETTE_MIME = "application/x-bms-node-type";

/** Generated from the node library; a node type added there shows up here with no edit. */
export function NodePalette({ onAdd }: { onAdd: (type: string) => void }) {
  const [search, setSearch] = useState("");
  const groups = useMemo(() => paletteGroups(search), [search]);
  const store = useEditorStoreApi();
  const { templates, remove } = useProjectTemplates();
  const term = search.trim().toLowerCase();
  const shownTemplates = templates.filter((t) => !term || t.name.toLowerCase().includes(term));
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
        {groups.length === 0 && shownTemplates.length === 0 ? (
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
