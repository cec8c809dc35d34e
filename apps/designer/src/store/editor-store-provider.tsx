"use client";

import { createContext, type ReactNode, useContext, useState } from "react";
import { useStore } from "zustand";
import { createEditorStore, type EditorInit, type EditorStore, type EditorStoreApi } from "./editor-store";

const EditorStoreContext = createContext<EditorStoreApi | null>(null);

/**
 * One store per open editor (STYLE.md, strudel-flow): two editors, or a test rendering the same
 * page twice, never share undo history or selection through a module singleton.
 */
export function EditorStoreProvider({ init, children }: { init: EditorInit; children: ReactNode }) {
  const [store] = useState(() => createEditorStore(init));
  return <EditorStoreContext.Provider value={store}>{children}</EditorStoreContext.Provider>;
}

export function useEditorStoreApi(): EditorStoreApi {
  const store = useContext(EditorStoreContext);
  if (!store) throw new Error("useEditorStore must be used inside <EditorStoreProvider>");
  return store;
}

export function useEditorStore<T>(selector: (state: EditorStore) => T): T {
  return useStore(useEditorStoreApi(), selector);
}
