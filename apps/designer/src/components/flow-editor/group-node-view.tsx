"use client";

import { type NodeProps, NodeResizer } from "@xyflow/react";
import { memo } from "react";
import { cn } from "../../lib/cn";
import { useEditorStore } from "../../store/editor-store-provider";
import type { GroupNode } from "../../store/flow-graph";
import { useSaveGroupAsTemplate } from "./use-project-templates";

/**
 * A labelled frame behind its member nodes. Dragging the frame moves the members with it (the store
 * applies the same delta); the members keep absolute positions, so the deployed flow is unchanged.
 */
function GroupNodeViewInner({ id, data, selected }: NodeProps<GroupNode>) {
  const renameGroup = useEditorStore((s) => s.renameGroup);
  const ungroup = useEditorStore((s) => s.ungroup);
  const saveGroup = useSaveGroupAsTemplate();
  return (
    <div
      className={cn(
        "h-full w-full rounded-lg border-2 border-dashed bg-indigo-50/40",
        selected ? "border-indigo-500" : "border-indigo-300",
      )}
      data-testid={`group-${id}`}
      data-members={data.members.join(",")}
    >
      <NodeResizer isVisible={selected === true} minWidth={160} minHeight={80} color="#6366f1" />
      <div
        className="flex h-8 items-center gap-1 rounded-t-md bg-indigo-100/80 px-2"
        data-testid={`group-header-${id}`}
      >
        <input
          className="nodrag min-w-0 flex-1 bg-transparent text-xs font-semibold text-indigo-950 outline-none"
          value={data.label}
          maxLength={200}
          onChange={(e) => renameGroup(id, e.target.value)}
          data-testid={`group-label-${id}`}
          aria-label="Group name"
        />
        <span className="text-[10px] text-indigo-700" data-testid={`group-count-${id}`}>
          {data.members.length} nodes
        </span>
        <button
          type="button"
          className="nodrag rounded px-1 text-[10px] text-indigo-800 hover:bg-indigo-200"
          title="Keep a copy of these nodes in the palette under Project templates"
          data-testid={`save-template-${id}`}
          onClick={async () => {
            const name = window.prompt("Save this group as a project template named:", data.label)?.trim();
            if (!name) return;
            const failed = await saveGroup(id, name);
            if (failed) window.alert(`The template was not saved: ${failed}`);
          }}
        >
          Save as template
        </button>
        <button
          type="button"
          className="nodrag rounded px-1 text-[10px] text-indigo-800 hover:bg-indigo-200"
          onClick={() => ungroup(id)}
          title="Remove the frame; its nodes stay (Ctrl+Shift+G)"
          data-testid={`ungroup-${id}`}
        >
          Ungroup
        </button>
      </div>
    </div>
  );
}

export const GroupNodeView = memo(GroupNodeViewInner);
