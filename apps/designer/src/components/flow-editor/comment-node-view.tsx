"use client";

import { type NodeProps, NodeResizer } from "@xyflow/react";
import { memo } from "react";
import { useEditorStore } from "../../store/editor-store-provider";
import type { CommentNode } from "../../store/flow-graph";

/** A resizable note behind the nodes, for explaining or grouping part of a flow. */
function CommentNodeViewInner({ id, data, selected }: NodeProps<CommentNode>) {
  const updateComment = useEditorStore((s) => s.updateComment);
  return (
    <div
      className="h-full w-full rounded-md border border-amber-300 bg-amber-50/80 p-1.5 shadow-sm"
      data-testid={`comment-${id}`}
    >
      <NodeResizer isVisible={selected === true} minWidth={120} minHeight={60} color="#d97706" />
      <textarea
        className="nodrag nowheel h-full w-full resize-none bg-transparent text-xs text-amber-950 outline-none placeholder:text-amber-700/60"
        placeholder="Comment or group title…"
        value={data.text}
        maxLength={2000}
        onChange={(e) => updateComment(id, e.target.value)}
        data-testid={`comment-text-${id}`}
        aria-label="Comment"
      />
    </div>
  );
}

export const CommentNodeView = memo(CommentNodeViewInner);
