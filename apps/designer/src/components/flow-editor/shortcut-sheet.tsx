"use client";

import { X } from "lucide-react";
import { useEffect, useRef } from "react";
import { isShortcut, SHORTCUTS, type Shortcut, shortcutText } from "./editor-shortcuts";

const GROUPS: readonly Shortcut["group"][] = ["File", "Edit", "Selection", "View"];

/** The "?" sheet: every shortcut of the table the editor runs on, grouped, nothing written twice. */
export function ShortcutSheet({ onClose }: { onClose: () => void }) {
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => {
    dialog.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (isShortcut("close", event)) {
        event.preventDefault();
        onClose();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center">
      {/* The backdrop: a click beside the sheet closes it, as Esc does. */}
      <button
        type="button"
        aria-label="Close the shortcut list"
        tabIndex={-1}
        className="absolute inset-0 cursor-default bg-slate-900/30"
        onClick={onClose}
      />
      <div
        ref={dialog}
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        tabIndex={-1}
        data-testid="shortcut-sheet"
        className="relative max-h-[80vh] w-[min(560px,92vw)] overflow-y-auto rounded-lg border border-slate-200 bg-white p-4 shadow-xl outline-none"
      >
        <div className="mb-2 flex items-center">
          <h2 className="text-sm font-semibold">Keyboard shortcuts</h2>
          <span className="ml-2 text-xs text-slate-500">⌘ works wherever Ctrl does</span>
          <button
            type="button"
            aria-label="Close"
            className="ml-auto rounded p-0.5 hover:bg-slate-100"
            onClick={onClose}
            data-testid="shortcut-sheet-close"
          >
            <X className="size-4" />
          </button>
        </div>
        {GROUPS.map((group) => (
          <section key={group} className="mb-2">
            <h3 className="text-[11px] font-semibold uppercase tracking-wide text-slate-500">{group}</h3>
            <table className="w-full text-xs">
              <tbody>
                {SHORTCUTS.filter((s) => s.group === group).map((s) => (
                  <tr key={s.id} data-testid={`shortcut-${s.id}`} className="border-b border-slate-50">
                    <td className="py-1 pr-3 text-slate-700">{s.label}</td>
                    <td className="py-1 text-right">
                      <kbd className="rounded border border-slate-300 bg-slate-50 px-1.5 py-0.5 font-mono text-[11px]">
                        {shortcutText(s.id)}
                      </kbd>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ))}
      </div>
    </div>
  );
}
