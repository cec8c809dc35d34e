"use client";

import { useEffect, useState } from "react";
import { runtimeCall } from "../../lib/designer-api";
import { activeConfig, type SupervisorConfigHistory, versionStory } from "../../lib/version-story";

/** How often the editor asks what the supervisor runs: someone else may deploy or stop meanwhile. */
const REFRESH_MS = 5_000;

/**
 * "project v2 → running as config v4 on Local supervisor" for the editor's header, kept current.
 * `refresh` changes after a deploy or a start/stop so the line changes at once.
 */
export function useRunningVersion(
  projectId: string,
  supervisorId: string,
  supervisorName: string,
  refresh: string,
): string | null {
  const [story, setStory] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: refresh is the reload signal
  useEffect(() => {
    let live = true;
    const controller = new AbortController();
    const load = async () => {
      const [history, status] = await Promise.all([
        runtimeCall<SupervisorConfigHistory>("config/history?limit=20", {
          supervisor: supervisorId,
          signal: controller.signal,
        }),
        runtimeCall<{ status?: string }>("execution/status", {
          supervisor: supervisorId,
          signal: controller.signal,
        }),
      ]);
      if (!live) return;
      // An unreachable supervisor has its own banner; the line just goes away rather than lie.
      if (!history.ok) return setStory(null);
      const running = status.ok ? status.body.status === "running" : true;
      setStory(versionStory(projectId, activeConfig(history.body), supervisorName, running));
    };
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => {
      live = false;
      controller.abort();
      clearInterval(timer);
    };
  }, [projectId, supervisorId, supervisorName, refresh]);
  return story;
}
