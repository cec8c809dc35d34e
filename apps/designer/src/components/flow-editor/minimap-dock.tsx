"use client";

import { useCallback, useEffect, useState } from "react";
import { FlowMinimap } from "./flow-minimap";

/** Whether the minimap is shown, kept across reloads (an integrator who closed it wants it closed). */
const MINIMAP_STORAGE_KEY = "bms-designer-minimap";

export interface MinimapToggle {
  open: boolean;
  setOpen(open: boolean): void;
}

export function useMinimapOpen(): MinimapToggle {
  const [open, setOpenState] = useState(true);
  useEffect(() => {
    try {
      if (localStorage.getItem(MINIMAP_STORAGE_KEY) === "closed") setOpenState(false);
    } catch {
      // storage disabled: open by default
    }
  }, []);
  const setOpen = useCallback((next: boolean) => {
    setOpenState(next);
    try {
      localStorage.setItem(MINIMAP_STORAGE_KEY, next ? "open" : "closed");
    } catch {
      // storage disabled: the choice lasts until the page is left
    }
  }, []);
  return { open, setOpen };
}

/**
 * The minimap, docked at the end of the bottom panel rather than laid over the canvas: it never covers
 * a node or a control, and it takes no width from the canvas. Needs the editor's ReactFlowProvider. The map
 * itself is flow-minimap.tsx (one svg path for every node, not React Flow's component per node).
 */
export function MinimapDock() {
  return (
    <aside
      className="flex w-[216px] shrink-0 items-start justify-center border-l border-slate-200 bg-slate-50"
      data-testid="minimap-dock"
      aria-label="Minimap"
    >
      <FlowMinimap />
    </aside>
  );
}
