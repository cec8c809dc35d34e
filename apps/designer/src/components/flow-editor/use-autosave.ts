"use client";

import { useEffect, useState } from "react";
import { designerFetch } from "../../lib/designer-api";
import { useEditorStoreApi } from "../../store/editor-store-provider";
import { conflictVersion } from "../../store/working-copy";

/**
 * Writes the canvas as the project's draft every 2 s while it has unsaved changes, and once more
 * with a keepalive fetch (it carries the CSRF header; sendBeacon cannot) when the tab is hidden or closed or the editor unmounts, so a crash, a closed tab
 * or a power cut loses at most a couple of seconds. The next open of the project resumes from the draft.
 * A draft names its base version; once another version has landed the server refuses it (409), the
 * store records the conflict, and autosave pauses until the user has chosen a way out.
 */
export function useAutosave(
  intervalMs = 2000,
  enabled = true,
): { lastDraftAt: string | null; error: string | null } {
  const store = useEditorStoreApi();
  const [lastDraftAt, setLastDraftAt] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!enabled) return;
    let written = store.getState().savedRevision;
    let busy = false;
    const body = () => {
      const s = store.getState();
      return JSON.stringify({
        base_version: s.baseVersion,
        document: s.toDocument(),
      });
    };
    const pending = () => {
      const s = store.getState();
      return s.conflict === null && s.revision !== s.savedRevision && s.revision !== written;
    };
    const url = () => `/api/projects/${store.getState().projectId}/draft`;

    const tick = async () => {
      if (busy || !pending()) return;
      busy = true;
      const revision = store.getState().revision;
      try {
        const response = await designerFetch(url(), {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: body(),
          signal: AbortSignal.timeout(10_000),
        });
        if (response.ok) {
          written = revision;
          setLastDraftAt(new Date().toISOString());
          setError(null);
        } else {
          const refusal = (await response.json().catch(() => null)) as { code?: unknown } | null;
          const latest = conflictVersion({
            status: response.status,
            code: typeof refusal?.code === "string" ? refusal.code : null,
            body: refusal,
          });
          if (latest !== null) store.getState().setConflict({ latestVersion: latest });
          else setError(`Autosave refused (HTTP ${response.status}).`);
        }
      } catch {
        setError("Autosave failed: the Designer server is unreachable. Keep this tab open.");
      } finally {
        busy = false;
      }
    };
    const flush = () => {
      // Arrow moves still waiting to land are changes too: the tab may not come back for them.
      store.getState().settleNudge();
      if (!pending()) return;
      // Not sendBeacon: it cannot carry the CSRF header. A keepalive fetch outlives the page the same way.
      void designerFetch(url(), {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: body(),
        keepalive: true,
      }).catch(() => undefined);
      written = store.getState().revision;
    };
    const onVisibility = () => {
      if (document.visibilityState === "hidden") flush();
    };
    const timer = setInterval(tick, intervalMs);
    window.addEventListener("pagehide", flush);
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      clearInterval(timer);
      window.removeEventListener("pagehide", flush);
      document.removeEventListener("visibilitychange", onVisibility);
      // Leaving the editor inside the app (a Link to the Deploy page) fires no pagehide: write the
      // last changes now, so the editor reopens on them.
      flush();
    };
  }, [store, intervalMs, enabled]);

  return { lastDraftAt, error };
}
