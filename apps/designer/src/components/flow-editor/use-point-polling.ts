"use client";

import { normalizePointRef, type PointValue, PointValueSchema } from "@bms/schemas";
import { useEffect } from "react";
import { z } from "zod";
import { runtimeCall } from "../../lib/designer-api";
import type { EditorStoreApi } from "../../store/editor-store";
import { useEditorStoreApi } from "../../store/editor-store-provider";
import { DeviceListingSchema, ObjectListingSchema, objectKey } from "../bacnet-browser/bacnet-types";

const ReadAnswerSchema = z.object({
  values: z.array(PointValueSchema.partial().extend({ point: z.string() })),
});

function canonical(ref: string): string | null {
  try {
    return normalizePointRef(ref);
  } catch {
    return null;
  }
}

/** Every point the flow's nodes reference, canonical and de-duplicated. */
export function referencedPoints(store: EditorStoreApi): string[] {
  const points = new Set<string>();
  for (const node of store.getState().nodes) {
    for (const [key, value] of Object.entries(node.data.config)) {
      if (typeof value === "string" && /(^|_)point$/.test(key)) {
        const ref = canonical(value);
        if (ref) points.add(ref);
      }
    }
  }
  return [...points];
}

/**
 * Live values on point nodes while editing: one batched read of every referenced point every 2 s
 * (the supervisor groups them per device into ReadPropertyMultiple).
 */
export function useLivePointValues(supervisorId: string, enabled: boolean, intervalMs = 2000) {
  const store = useEditorStoreApi();
  useEffect(() => {
    if (!enabled) return;
    let busy = false;
    const controller = new AbortController();
    const tick = async () => {
      const points = referencedPoints(store);
      if (busy || points.length === 0) return;
      busy = true;
      const result = await runtimeCall<unknown>("points/read", {
        supervisor: supervisorId,
        background: true,
        method: "POST",
        body: { points: points.slice(0, 5000) },
        signal: controller.signal,
      });
      busy = false;
      if (controller.signal.aborted) return;
      if (!result.ok) {
        if (result.status === null || result.status >= 500) store.getState().reportSupervisor(result.error);
        return;
      }
      store.getState().reportSupervisor(null);
      const parsed = ReadAnswerSchema.safeParse(result.body);
      if (!parsed.success) return;
      const values: PointValue[] = parsed.data.values.map((v) => ({
        point: canonical(v.point) ?? v.point,
        value: v.value ?? null,
        quality: v.quality ?? "uncertain",
        timestamp: v.timestamp ?? new Date().toISOString(),
        ...(v.units ? { units: v.units } : {}),
        ...(v.text ? { text: v.text } : {}),
        ...(v.reason ? { reason: v.reason } : {}),
      }));
      store.getState().setPointValues(values);
    };
    void tick();
    const timer = setInterval(tick, intervalMs);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [store, supervisorId, enabled, intervalMs]);
}

/**
 * Loads what the supervisor knows about the devices the flow references, for the unknown-point
 * check. Before any discovery (no devices at all) nothing is checked: "unknown" would be a guess.
 */
export function usePointCatalog(supervisorId: string, intervalMs = 30_000) {
  const store = useEditorStoreApi();
  useEffect(() => {
    const controller = new AbortController();
    const objectsCache = new Map<number, string[] | null>();
    const load = async () => {
      const listing = await runtimeCall<unknown>("devices", {
        supervisor: supervisorId,
        background: true,
        signal: controller.signal,
      });
      if (controller.signal.aborted) return;
      if (!listing.ok) {
        if (listing.status === null || listing.status >= 500)
          store.getState().reportSupervisor(listing.error);
        return;
      }
      store.getState().reportSupervisor(null);
      const devices = DeviceListingSchema.safeParse(listing.body);
      if (!devices.success || devices.data.devices.length === 0) {
        store.getState().setKnownObjects(null);
        return;
      }
      const referenced = new Set(
        referencedPoints(store)
          .map((p) => /^bacnet:(\d+)\//.exec(p)?.[1])
          .filter((d): d is string => d !== undefined)
          .map(Number),
      );
      const known: Record<number, string[] | null> = {};
      for (const device of devices.data.devices) {
        const id = device.device_id;
        if (!referenced.has(id)) {
          known[id] = null;
          continue;
        }
        if (!objectsCache.has(id) || objectsCache.get(id) === null) {
          const objects = await runtimeCall<unknown>(`devices/${id}/objects`, {
            supervisor: supervisorId,
            background: true,
            signal: controller.signal,
          });
          const parsed = objects.ok ? ObjectListingSchema.safeParse(objects.body) : null;
          objectsCache.set(
            id,
            parsed?.success && parsed.data.objects.length > 0 ? parsed.data.objects.map(objectKey) : null,
          );
        }
        known[id] = objectsCache.get(id) ?? null;
      }
      if (!controller.signal.aborted) store.getState().setKnownObjects(known);
    };
    void load();
    const timer = setInterval(load, intervalMs);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [store, supervisorId, intervalMs]);
}
