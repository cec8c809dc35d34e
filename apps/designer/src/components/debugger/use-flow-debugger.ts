"use client";

import { normalizePointRef } from "@bms/schemas";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { runtimeCall } from "../../lib/designer-api";
import { useEditorStore, useEditorStoreApi } from "../../store/editor-store-provider";
import { type DebugStateView, overlayOf } from "./debug-state";

function canonical(ref: string): string | null {
  try {
    return normalizePointRef(ref);
  } catch {
    return null;
  }
}

/**
 * The open flow's live debugger on the chosen supervisor, polled through the Designer's proxy while
 * `enabled` (the signed-in person's role decides what the proxy lets through). Every change answers
 * with the new state, which is shown at once; the canvas overlay follows.
 */
export function useFlowDebugger(enabled: boolean, supervisorId: string, intervalMs = 1000) {
  const store = useEditorStoreApi();
  const flowId = useEditorStore((s) => s.activeFlowId);
  const nodes = useEditorStore((s) => s.nodes);
  const [state, setState] = useState<DebugStateView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const inFlight = useRef(false);

  const readers = useMemo(() => {
    const map = new Map<string, string[]>();
    for (const n of nodes) {
      const ref = typeof n.data.config.point === "string" ? canonical(n.data.config.point) : null;
      if (ref) map.set(ref, [...(map.get(ref) ?? []), n.id]);
    }
    return map;
  }, [nodes]);
  const readersRef = useRef(readers);
  readersRef.current = readers;

  const show = useCallback(
    (next: DebugStateView | null) => {
      setState(next);
      store.getState().setDebugOverlay(next ? overlayOf(next, readersRef.current) : null);
    },
    [store],
  );

  useEffect(() => {
    if (!enabled) {
      show(null);
      return;
    }
    let cancelled = false;
    const tick = async () => {
      if (inFlight.current) return;
      inFlight.current = true;
      const result = await runtimeCall<DebugStateView>(`debug/flows/${encodeURIComponent(flowId)}`, {
        supervisor: supervisorId,
        background: true,
      });
      inFlight.current = false;
      if (cancelled) return;
      if (result.ok) {
        setError(null);
        show(result.body);
      } else {
        show(null);
        setError(
          result.status === 404
            ? "This flow is not running on the supervisor: deploy it to debug it."
            : result.error,
        );
      }
    };
    void tick();
    const timer = setInterval(tick, intervalMs);
    return () => {
      cancelled = true;
      clearInterval(timer);
      inFlight.current = false;
    };
  }, [enabled, supervisorId, flowId, intervalMs, show]);

  /** One debugger change; answers the error text, or null when it went through. */
  const change = useCallback(
    async (method: "PUT" | "POST" | "DELETE", path: string, body?: unknown): Promise<string | null> => {
      const result = await runtimeCall<DebugStateView | { id: string }>(
        `debug/flows/${encodeURIComponent(flowId)}${path}`,
        { supervisor: supervisorId, method, ...(body === undefined ? {} : { body }) },
      );
      if (!result.ok) {
        const detail = result.errors.map((e) => `${e.path ? `${e.path}: ` : ""}${e.message}`).join("; ");
        return detail || result.error;
      }
      if ("breakpoints" in result.body) show(result.body);
      else {
        const fresh = await runtimeCall<DebugStateView>(`debug/flows/${encodeURIComponent(flowId)}`, {
          supervisor: supervisorId,
        });
        if (fresh.ok) show(fresh.body);
      }
      return null;
    },
    [flowId, supervisorId, show],
  );

  return { state, error, change, flowId };
}
