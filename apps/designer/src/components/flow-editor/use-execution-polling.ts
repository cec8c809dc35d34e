"use client";

import {
  type ExecutionStateResponse,
  ExecutionStateResponseSchema,
  NodeExecutionStatusSchema,
} from "@bms/schemas";
import { useEffect, useRef, useState } from "react";
import { z } from "zod";
import { runtimeCall } from "../../lib/designer-api";
import { useEditorStore, useEditorStoreApi } from "../../store/editor-store-provider";

export interface ExecutionSnapshot {
  scan: number;
  last_scan_at: string | null;
  status: string;
  flow_id: string | null;
  node_count: number;
}

/** Lenient reading: an older or newer supervisor may add fields; node statuses are what matter. */
const LooseExecutionState = z.object({
  node_statuses: z.array(NodeExecutionStatusSchema.partial({ status: true }).passthrough()).default([]),
  scan: z.number().optional(),
  last_scan_at: z.string().nullable().optional(),
  execution_state: z
    .object({ status: z.string().optional(), flow_id: z.string().nullable().optional() })
    .partial()
    .optional(),
});

function read(body: unknown): ExecutionStateResponse["node_statuses"] | null {
  const strict = ExecutionStateResponseSchema.safeParse(body);
  if (strict.success) return strict.data.node_statuses;
  const loose = LooseExecutionState.safeParse(body);
  if (!loose.success) return null;
  return loose.data.node_statuses.map((s) => ({ ...s, status: s.status ?? "idle" }));
}

/**
 * Polls the supervisor's execution state through the proxy while `enabled`, feeding the canvas
 * overlay. One request at a time: a slow supervisor is not piled up on.
 */
export function useExecutionPolling(enabled: boolean, supervisorId: string, intervalMs = 1000) {
  const store = useEditorStoreApi();
  // The overlay shows the open flow: the supervisor narrows its site-wide state to it.
  const flowId = useEditorStore((s) => s.activeFlowId);
  const [snapshot, setSnapshot] = useState<ExecutionSnapshot | null>(null);
  const [error, setError] = useState<string | null>(null);
  const inFlight = useRef(false);

  useEffect(() => {
    if (!enabled) {
      store.getState().setRuntime(null);
      setSnapshot(null);
      setError(null);
      return;
    }
    let cancelled = false;
    const controller = new AbortController();
    const tick = async () => {
      if (inFlight.current) return;
      inFlight.current = true;
      const result = await runtimeCall<unknown>(`execution/state?flow_id=${encodeURIComponent(flowId)}`, {
        supervisor: supervisorId,
        background: true,
        signal: controller.signal,
      });
      inFlight.current = false;
      if (cancelled) return;
      if (!result.ok && result.status === 404) {
        // The supervisor runs a site without this flow (not deployed yet): nothing to overlay.
        store.getState().setRuntime(null);
        setSnapshot({ scan: 0, last_scan_at: null, status: "not deployed", flow_id: flowId, node_count: 0 });
        setError(null);
        return;
      }
      if (!result.ok) {
        setError(result.error);
        return;
      }
      const statuses = read(result.body);
      if (!statuses) {
        setError("The supervisor's execution state has an unexpected shape.");
        return;
      }
      setError(null);
      store.getState().setRuntime(statuses);
      const body = LooseExecutionState.safeParse(result.body);
      setSnapshot({
        scan: body.success ? (body.data.scan ?? 0) : 0,
        last_scan_at: body.success ? (body.data.last_scan_at ?? null) : null,
        status: body.success ? (body.data.execution_state?.status ?? "unknown") : "unknown",
        flow_id: body.success ? (body.data.execution_state?.flow_id ?? null) : null,
        node_count: statuses.length,
      });
    };
    void tick();
    const timer = setInterval(tick, intervalMs);
    return () => {
      cancelled = true;
      controller.abort();
      clearInterval(timer);
      inFlight.current = false;
    };
  }, [enabled, supervisorId, intervalMs, store, flowId]);

  return { snapshot, error, dismissError: () => setError(null) };
}
