"use client";

import { useReactFlow, type XYPosition } from "@xyflow/react";
import { useEffect, useRef } from "react";
import { useEditorStoreApi } from "../../store/editor-store-provider";
import { makeSubflowFromSelection, saveSelectionAsLibrary } from "../../store/selection-actions";
import { duplicateSelection, isShortcut, shortcutText } from "./editor-shortcuts";
import { rememberCopy, rememberedCopy } from "./use-editor-shortcuts";

/** Where the menu was asked for: one node, a selection of several, or the empty canvas. */
export interface ContextMenuRequest {
  kind: "node" | "selection" | "pane";
  /** Screen position of the click (the menu's corner). */
  x: number;
  y: number;
  /** The same point on the canvas: where "Paste here" and "Add comment here" put things. */
  at: XYPosition;
}

interface Item {
  id: string;
  label: string;
  /** A shortcut of the table, printed as the hint beside the item. */
  shortcut?: string;
  disabled?: boolean;
  run(): void;
}

/** Nodes of a clipboard payload placed so their top-left corner lands on `at`. */
function offsetTo(text: string, at: XYPosition): XYPosition | undefined {
  try {
    const nodes = (JSON.parse(text) as { nodes?: { position?: XYPosition }[] }).nodes ?? [];
    const xs = nodes.flatMap((n) => (n.position ? [n.position.x] : []));
    const ys = nodes.flatMap((n) => (n.position ? [n.position.y] : []));
    if (xs.length === 0) return undefined;
    return { x: at.x - Math.min(...xs), y: at.y - Math.min(...ys) };
  } catch {
    return undefined;
  }
}

const MENU_WIDTH = 220;

/** The right-click menu of the canvas: the same actions as the shortcuts, found where the mouse is. */
export function CanvasContextMenu({
  request,
  onClose,
}: {
  request: ContextMenuRequest;
  onClose: () => void;
}) {
  const store = useEditorStoreApi();
  const { fitView } = useReactFlow();
  const menu = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const onPointerDown = (event: PointerEvent) => {
      if (menu.current && event.target instanceof Node && menu.current.contains(event.target)) return;
      onClose();
    };
    const onKey = (event: KeyboardEvent) => {
      if (isShortcut("close", event)) onClose();
    };
    window.addEventListener("pointerdown", onPointerDown, true);
    window.addEventListener("keydown", onKey);
    window.addEventListener("blur", onClose);
    return () => {
      window.removeEventListener("pointerdown", onPointerDown, true);
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("blur", onClose);
    };
  }, [onClose]);

  const s = () => store.getState();
  const selectedNodes = s().nodes.filter((n) => n.selected).length;
  const items: Item[] =
    request.kind === "pane"
      ? [
          {
            id: "paste",
            label: "Paste here",
            shortcut: "paste",
            disabled: rememberedCopy() === "",
            run: () => {
              const text = rememberedCopy();
              s().paste(text, offsetTo(text, request.at));
            },
          },
          { id: "add-comment", label: "Add a comment here", run: () => void s().addComment(request.at) },
          { id: "select-all", label: "Select all", shortcut: "select-all", run: () => s().selectAll() },
          {
            id: "fit",
            label: "Fit the flow in view",
            run: () => void fitView({ padding: 0.2, maxZoom: 1.2 }),
          },
        ]
      : [
          {
            id: "duplicate",
            label: "Duplicate",
            shortcut: "duplicate",
            disabled: selectedNodes === 0,
            run: () => void duplicateSelection(s()),
          },
          {
            id: "copy",
            label: "Copy",
            shortcut: "copy",
            disabled: selectedNodes === 0,
            run: () => {
              const text = s().copySelection();
              if (!text) return;
              rememberCopy(text);
              // Best effort: the system clipboard may need a permission the page does not have.
              void navigator.clipboard?.writeText(text).catch(() => undefined);
            },
          },
          { id: "group", label: "Group", shortcut: "group", run: () => void s().groupSelection() },
          {
            id: "make-subflow",
            label: "Make sub-flow",
            disabled: selectedNodes === 0,
            run: () => {
              const result = makeSubflowFromSelection(s());
              if (!result.ok) window.alert(result.message);
            },
          },
          {
            id: "save-as-library",
            label: "Save as library subflow…",
            disabled: selectedNodes === 0,
            run: () => {
              const name = window.prompt("Name of the library subflow (instances share it):", "");
              if (name === null) return;
              const result = saveSelectionAsLibrary(s(), name);
              if (!result.ok) window.alert(result.message);
            },
          },
          ...(request.kind === "node"
            ? [{ id: "properties", label: "Properties", run: () => s().showSidePanel("properties") }]
            : []),
          { id: "delete", label: "Delete", shortcut: "delete", run: () => s().deleteSelection() },
        ];

  // Kept inside the window: a click near the right or bottom edge opens the menu up or to the left.
  const left = Math.min(request.x, window.innerWidth - MENU_WIDTH - 8);
  const top = Math.min(request.y, window.innerHeight - (items.length * 30 + 12));
  return (
    <div
      ref={menu}
      role="menu"
      aria-label={request.kind === "pane" ? "Canvas" : "Selection"}
      data-testid="canvas-context-menu"
      data-kind={request.kind}
      className="fixed z-50 rounded-md border border-slate-200 bg-white py-1 text-xs shadow-lg"
      style={{ left, top, width: MENU_WIDTH }}
    >
      {items.map((item) => (
        <button
          key={item.id}
          type="button"
          role="menuitem"
          disabled={item.disabled}
          data-testid={`context-${item.id}`}
          className="flex w-full items-center px-3 py-1.5 text-left hover:bg-slate-100 disabled:text-slate-400 disabled:hover:bg-transparent"
          onClick={() => {
            item.run();
            onClose();
          }}
        >
          <span>{item.label}</span>
          {item.shortcut ? (
            <span className="ml-auto font-mono text-[10px] text-slate-400">
              {shortcutText(item.shortcut)}
            </span>
          ) : null}
        </button>
      ))}
    </div>
  );
}
