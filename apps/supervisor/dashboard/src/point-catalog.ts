import type { ValueLabels } from "@bms/bacnet/display";
import { useEffect, useState } from "preact/hooks";
import { apiGet } from "./api/client";
import { loadCurrentConfig } from "./api/loaders";
import type { CurrentConfigResponse, DeviceObject } from "./api/types";
import { nodeLabel } from "./site-flows";
import { usePoll } from "./use-poll";

export type PointSource = "read" | "write" | "watch";

export interface PointInfo {
  ref: string;
  /** The BACnet object name when known, else the flow node that uses the point. */
  name: string;
  units: string | undefined;
  /** Units and state texts of the object, when the point is its presentValue. */
  labels: ValueLabels | undefined;
  sources: PointSource[];
}

const BACNET_REF = /^bacnet:(\d+)\/([A-Za-z]+):(\d+)(?:\.([A-Za-z]+))?$/;

export function parseBacnetRef(ref: string) {
  const m = BACNET_REF.exec(ref);
  if (!m) return undefined;
  return { device: Number(m[1]), type: m[2]!, instance: Number(m[3]), property: m[4] ?? "presentValue" };
}

/**
 * Object names and units per device, fetched once per page. /api/devices/:id/objects answers from the
 * supervisor's cache and browses the device only the first time, so this costs the BACnet network at
 * most one object-list read per device, not one per refresh.
 */
const objectsByDevice = new Map<number, Promise<DeviceObject[]>>();

function deviceObjects(device: number): Promise<DeviceObject[]> {
  let pending = objectsByDevice.get(device);
  if (!pending) {
    pending = apiGet<{ objects: DeviceObject[] }>(`/api/devices/${device}/objects`)
      .then((r) => r.objects)
      .catch(() => {
        // Try again on a later render: the device may come online.
        objectsByDevice.delete(device);
        return [];
      });
    objectsByDevice.set(device, pending);
  }
  return pending;
}

function useObjectIndex(refs: readonly string[]): Map<string, DeviceObject> {
  const [index, setIndex] = useState(new Map<string, DeviceObject>());
  const devices = [...new Set(refs.flatMap((r) => parseBacnetRef(r)?.device ?? []))].sort((a, b) => a - b);
  const key = devices.join(",");
  useEffect(() => {
    let cancelled = false;
    void Promise.all(devices.map(deviceObjects)).then((lists) => {
      if (cancelled) return;
      const next = new Map<string, DeviceObject>();
      for (const o of lists.flat()) next.set(`${o.device_id}/${o.object_type}:${o.object_instance}`, o);
      setIndex(next);
    });
    return () => {
      cancelled = true;
    };
  }, [key]);
  return index;
}

/** Every point the deployed flow reads or commands, plus the watch list, with names and units. */
export function usePointCatalog(): {
  points: PointInfo[];
  watch: string[];
  config: CurrentConfigResponse | null | undefined;
  reloadWatch(): void;
} {
  const config = usePoll(loadCurrentConfig, 15_000);
  const watch = usePoll(() => apiGet<{ points: string[] }>("/api/data/watch"), 15_000);
  const uses = config.data?.points ?? [];
  const watched = watch.data?.points ?? [];
  const refs = [...new Set([...uses.map((u) => u.ref), ...watched])];
  const objects = useObjectIndex(refs);

  const points = refs.map((ref): PointInfo => {
    const sources: PointSource[] = [];
    if (uses.some((u) => u.ref === ref && u.role === "read")) sources.push("read");
    if (uses.some((u) => u.ref === ref && u.role === "write")) sources.push("write");
    if (watched.includes(ref)) sources.push("watch");
    const parsed = parseBacnetRef(ref);
    const object = parsed ? objects.get(`${parsed.device}/${parsed.type}:${parsed.instance}`) : undefined;
    const user = uses.find((u) => u.ref === ref);
    const name =
      object?.object_name ?? (user ? nodeLabel(config.data, user.flow_id, user.node_id) : undefined) ?? ref;
    // Units belong to presentValue; another property (a priority array, a status flag) has its own.
    const labels = parsed?.property === "presentValue" ? object : undefined;
    return { ref, name, units: labels?.units, labels, sources };
  });
  return { points, watch: watched, config: config.data, reloadWatch: watch.refresh };
}
