"use client";

import { useEffect, useState } from "react";
import { useEditorStoreApi } from "../../store/editor-store-provider";
import { keyShortcutFor, type ShortcutContext } from "./editor-shortcuts";

/** Survives a reload and reaches another project's tab: copy/paste between projects. */
export const CLIPBOARD_STORAGE_KEY = "bms-designer-clipboard";

/**
 * Editors open at once, outermost first: a sub-flow's canvas opens over its flow's. Edit keys act on
 * the innermost (the one in view); Save and the shortcut sheet belong to the outermost (the project's).
 */
const openEditors: symbol[] = [];

export function typingInField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/** Keeps a copy where the context menu's Paste and another project's tab can find it. */
export function rememberCopy(text: string): void {
  try {
    localStorage.setItem(CLIPBOARD_STORAGE_KEY, text);
  } catch {
    // storage full or disabled: the system clipboard still holds the copy
  }
}

export function rememberedCopy(): string {
  try {
    return localStorage.getItem(CLIPBOARD_STORAGE_KEY) ?? "";
  } catch {
    return "";
  }
}

/**
 * Runs the key shortcuts of the table in editor-shortcuts.ts, and copy/paste through the document's
 * copy/paste events (no clipboard permission prompt). Keys typed into a form field keep their usual
 * meaning, except the shortcuts marked for fields (Save).
 */
export function useEditorShortcuts(context: ShortcutContext) {
  const store = useEditorStoreApi();
  const { save, toggleShortcutSheet } = context;
  const [self] = useState(() => Symbol("editor"));
  // Registered once per editor, apart from the listeners (which re-bind when the context changes), so the
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
      const found = keyShortcutFor(event);
      if (!found) return;
      const projectWide = found.id === "save" || found.id === "shortcuts";
      if (projectWide ? openEditors[0] !== self : !innermost()) return;
      if (!found.inFields && typingInField(event.target)) return;
      event.preventDefault();
      found.run(store.getState(), { save, toggleShortcutSheet });
    };
    const onCopy = (event: ClipboardEvent) => {
      if (!innermost() || typingInField(event.target)) return;
      const text = store.getState().copySelection();
      if (!text) return;
      event.preventDefault();
      event.clipboardData?.setData("text/plain", text);
      rememberCopy(text);
    };
    const onPaste = (event: ClipboardEvent) => {
      if (!innermost() || typingInField(event.target)) return;
      const text = event.clipboardData?.getData("text/plain") || rememberedCopy();
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
  }, [store, save, toggleShortcutSheet, self]);
}
