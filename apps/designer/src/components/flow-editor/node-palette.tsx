"use client";

import { useMemo, useState } from "react";
import { paletteGroups } from "../../lib/node-catalog";
import { Input } from "../ui/input";
import { NodeIcon } from "./node-icon";

/** The drag payload type: a node type from the palette (the BACnet browser uses its own). */
export const PALETTE_MIME = "application/x-bms-node-type";

/** Generated from the node library; a node type added there shows up here with no edit. */
export function NodePalette({ onAdd }: { onAdd: (type: string) => void }) {
  const [search, setSearch] = useState("");
  const groups = useMemo(() => paletteGroups(search), [search]);
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
        {groups.length === 0 ? (
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
