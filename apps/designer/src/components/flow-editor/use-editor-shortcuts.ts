"use client";

import { useEffect, useState } from "react";
import { useEditorStoreApi } from "../../store/editor-store-provider";

/** Survives a reload and reaches another project's tab: copy/paste between projects. */
export const CLIPBOARD_STORAGE_KEY = "bms-designer-clipboard";

/**
 * Editors open at once, outermost first: a sub-flow's canvas opens over its flow's. Edit keys act on
 * the innermost (the one in view); Ctrl+S saves the project, which the outermost editor does.
 */
const openEditors: symbol[] = [];

function typingInField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/**
 * Ctrl/⌘+Z undo, Ctrl/⌘+Shift+Z or Ctrl+Y redo, Ctrl/⌘+S save, Ctrl/⌘+A select all, Ctrl/⌘+G group
 * (Ctrl/⌘+Shift+G ungroup), and copy/paste
 * through the document's copy/paste events (no clipboard permission prompt). Keys typed into a form
 * field keep their usual meaning.
 */
export function useEditorShortcuts(onSave: () => void) {
  const store = useEditorStoreApi();
  const [self] = useState(() => Symbol("editor"));
  // Registered once per editor, apart from the listeners (which re-bind when onSave changes), so the
  // order stays the order the editors opened in.
  useEffect(() => {
    openEditors.push(self);
    return () => {
      openEditors.splice(openEditors.indexOf(self), 1);
    };
  }, [self]);
  useEffect(() => {
    const innermost = () => openEditors[openEditors.length - 1] === self;
    const onKeyDown = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      if (!mod) return;
      const key = event.key.toLowerCase();
      if (key === "s") {
        if (openEditors[0] !== self) return;
        event.preventDefault();
        onSave();
        return;
      }
      if (!innermost() || typingInField(event.target)) return;
      if (key === "z" && !event.shiftKey) {
        event.preventDefault();
        store.getState().undo();
      } else if ((key === "z" && event.shiftKey) || key === "y") {
        event.preventDefault();
        store.getState().redo();
      } else if (key === "a") {
        event.preventDefault();
        store.getState().selectAll();
      } else if (key === "g" && event.shiftKey) {
        event.preventDefault();
        store.getState().ungroupSelection();
      } else if (key === "g") {
        event.preventDefault();
        store.getState().groupSelection();
      }
    };
    const onCopy = (event: ClipboardEvent) => {
      if (!innermost() || typingInField(event.target)) return;
      const text = store.getState().copySelection();
      if (!text) return;
      event.preventDefault();
      event.clipboardData?.setData("text/plain", text);
      try {
        localStorage.setItem(CLIPBOARD_STORAGE_KEY, text);
      } catch {
        // storage full or disabled: the system clipboard still holds the copy
      }
    };
    const onPaste = (event: ClipboardEvent) => {
      if (!innermost() || typingInField(event.target)) return;
      const text =
        event.clipboardData?.getData("text/plain") || localStorage.getItem(CLIPBOARD_STORAGE_KEY) || "";
      if (store.getState().paste(text) > 0) event.preventDefault();
    };
    window.addEventListener("keydown", onKeyDown);
    document.addEventListener("copy", onCopy);
    document.addEventListener("paste", onPaste);
    return () => {
      window.removeEventListener("keydown", onKeyDown);
      document.removeEventListener("copy", onCopy);
      document.removeEventListener("paste", onPaste);
    };
  }, [store, onSave, self]);
}
