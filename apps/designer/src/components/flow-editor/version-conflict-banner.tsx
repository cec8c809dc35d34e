"use client";

import { GitCompare, RefreshCw, Save } from "lucide-react";
import { useState } from "react";
import { useEditorStore, useEditorStoreApi } from "../../store/editor-store-provider";
import { compareWithLatest, reloadLatest, saveWorkingCopy } from "../../store/working-copy";
import { Button } from "../ui/button";
import { authorName } from "./author-name";

/**
 * Shown when a save or an autosave was refused because another version landed after the one this
 * canvas is based on. Nothing is overwritten until the user picks one of the three ways out; it
 * stays on screen (not a modal) so "Compare" can show the canvas underneath.
 */
export function VersionConflictBanner({ onSaved }: { onSaved: (version: number) => void }) {
  const store = useEditorStoreApi();
  const conflict = useEditorStore((s) => s.conflict);
  const baseVersion = useEditorStore((s) => s.baseVersion);
  const comparing = useEditorStore((s) => s.comparison !== null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!conflict) return null;
  const latest = conflict.latestVersion;

  const run = async (action: () => Promise<string | null>) => {
    setBusy(true);
    setError(null);
    setError(await action());
    setBusy(false);
  };

  return (
    <div
      role="alertdialog"
      aria-labelledby="version-conflict-title"
      className="flex flex-wrap items-center gap-2 border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950"
      data-testid="version-conflict"
      data-latest-version={latest}
    >
      <div className="min-w-0 flex-1">
        <div id="version-conflict-title" className="font-semibold">
          Version {latest} was saved after v{baseVersion}, the version you are editing.
        </div>
        <div className="text-xs">
          Your changes are not saved yet and nothing was overwritten. Choose how to go on.
          {error ? <span className="ml-1 text-red-700">{error}</span> : null}
        </div>
      </div>
      <Button
        size="sm"
        variant="outline"
        disabled={busy}
        title={`Drop the changes on this canvas and open v${latest}`}
        data-testid="conflict-reload"
        onClick={() => void run(() => reloadLatest(store, latest))}
      >
        <RefreshCw /> Reload v{latest}
      </Button>
      <Button
        size="sm"
        variant="outline"
        disabled={busy}
        title={`Save this canvas as v${latest + 1}; v${latest} stays in the history`}
        data-testid="conflict-save-on-top"
        onClick={() =>
          void run(async () => {
            store.getState().setComparison(null);
            const saved = await saveWorkingCopy(store, { createdBy: authorName(), onTopOf: latest });
            if (saved.ok) onSaved(saved.version.version);
            // A further conflict re-opens this banner with the newer number; that is not an error.
            return saved.ok || saved.conflict ? null : saved.error;
          })
        }
      >
        <Save /> Save as a new version on top
      </Button>
      <Button
        size="sm"
        variant={comparing ? "primary" : "outline"}
        disabled={busy}
        title={`Show what differs between v${latest} and this canvas`}
        data-testid="conflict-compare"
        onClick={() =>
          void run(async () => {
            if (store.getState().comparison) {
              store.getState().setComparison(null);
              return null;
            }
            return compareWithLatest(store, latest);
          })
        }
      >
        <GitCompare /> {comparing ? "Back to my copy" : "Compare"}
      </Button>
    </div>
  );
}
