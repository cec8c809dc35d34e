"use client";

import { formatValue } from "@bms/bacnet/display";
import { normalizePointRef, PointValueSchema, routeText } from "@bms/schemas";
import { CalendarClock, ChevronDown, ChevronRight, ListOrdered, Radar, RefreshCw } from "lucide-react";
import { useCallback, useEffect, useRef, useState } from "react";
import { z } from "zod";
import { cn } from "../../lib/cn";
import { runtimeCall } from "../../lib/designer-api";
import { useEditorStore } from "../../store/editor-store-provider";
import { POINT_MIME } from "../flow-editor/flow-canvas";
import { Button } from "../ui/button";
import {
  type BrowsedObject,
  type DeviceListing,
  DeviceListingSchema,
  ObjectListingSchema,
  pointRefOf,
} from "./bacnet-types";
import { DeviceScheduleDialog } from "./device-schedule-dialog";
import { DeviceTools } from "./device-tools";
import { NetworkMapPanel } from "./network-map";
import { PriorityPanel } from "./priority-panel";
import { WhoHasPanel } from "./who-has-panel";

const DISCOVERY_TIMEOUT_MS = 3000;

function canonical(ref: string): string {
  try {
    return normalizePointRef(ref);
  } catch {
    return ref;
  }
}

function ObjectRow({ object, supervisorId }: { object: BrowsedObject; supervisorId: string }) {
  const ref = pointRefOf(object);
  const live = useEditorStore((s) => s.pointValues[ref]);
  const [showPriorities, setShowPriorities] = useState(false);
  const [showSchedule, setShowSchedule] = useState(false);
  const value = live ? live.value : object.present_value;
  // The device's own words for the value: State_Text, Active_Text/Inactive_Text, or the unit symbol.
  const text =
    value === undefined
      ? ""
      : live?.text
        ? live.text
        : Array.isArray(value)
          ? `[${value.length}]`
          : formatValue(value, object);
  const commandable = object.commandable === true;
  const drag = (asWrite: boolean) => (event: React.DragEvent) => {
    event.dataTransfer.setData(
      POINT_MIME,
      JSON.stringify({
        point: ref,
        name: object.object_name || `${object.object_type} ${object.object_instance}`,
        commandable: asWrite,
      }),
    );
    event.dataTransfer.effectAllowed = "copy";
  };
  return (
    <li data-testid={`bacnet-object-${object.device_id}-${object.object_type}-${object.object_instance}`}>
      <div
        draggable
        onDragStart={drag(commandable)}
        data-commandable={commandable}
        title={`${ref}\nDrag onto the canvas: ${commandable ? "Actuator Write (commandable)" : "Sensor Read"}`}
        className="flex cursor-grab items-center gap-2 rounded px-2 py-1 hover:bg-sky-50"
      >
        <div className="min-w-0 flex-1">
          <div className="truncate font-medium text-slate-800">{object.object_name || "(no name)"}</div>
          <div className="truncate font-mono text-[10px] text-slate-500">
            {object.object_type}:{object.object_instance}
            {object.description ? ` · ${object.description}` : ""}
          </div>
        </div>
        <span
          className="font-mono text-[11px] text-slate-900"
          data-testid="bacnet-object-value"
          title={live?.reason}
        >
          {text}
        </span>
        {commandable ? (
          <span
            draggable
            onDragStart={(e) => {
              e.stopPropagation();
              drag(false)(e);
            }}
            className="rounded border border-slate-300 px-1 text-[10px] text-slate-600"
            title="Drag this to read the point instead of commanding it"
            data-testid="bacnet-object-read-handle"
          >
            read
          </span>
        ) : null}
        {commandable ? (
          <button
            type="button"
            onClick={() => setShowPriorities((v) => !v)}
            aria-expanded={showPriorities}
            className={cn(
              "rounded p-0.5 text-slate-600 hover:bg-slate-200",
              showPriorities && "bg-slate-200",
            )}
            title="Priority array: the 16 command slots, who holds them and which one is in control"
            data-testid="bacnet-object-priority"
          >
            <ListOrdered className="size-3.5" />
          </button>
        ) : null}
      </div>
      {object.object_type === "schedule" ? (
        <button
          type="button"
          onClick={() => setShowSchedule(true)}
          className="ml-2 flex items-center gap-1 rounded px-1 text-[11px] text-sky-700 hover:bg-sky-50"
          data-testid="bacnet-object-schedule"
        >
          <CalendarClock className="size-3.5" /> Week and exceptions…
        </button>
      ) : null}
      {showSchedule ? (
        <DeviceScheduleDialog
          supervisorId={supervisorId}
          device={object.device_id}
          instance={object.object_instance}
          onClose={() => setShowSchedule(false)}
        />
      ) : null}
      {showPriorities ? <PriorityPanel supervisorId={supervisorId} point={ref} /> : null}
    </li>
  );
}

/** Devices → objects through the supervisor: discover, browse, drag a point onto the canvas. */
export function BacnetBrowser({ supervisorId }: { supervisorId: string }) {
  const [listing, setListing] = useState<DeviceListing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [scanning, setScanning] = useState(false);
  const [expanded, setExpanded] = useState<number | null>(null);
  const [objects, setObjects] = useState<Record<number, BrowsedObject[]>>({});
  const [loadingDevice, setLoadingDevice] = useState<number | null>(null);
  const setPointValues = useEditorStore((s) => s.setPointValues);
  const pollTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const loadDevices = useCallback(
    async (path: "devices" | "devices/discovery" = "devices") => {
      const result = await runtimeCall<unknown>(path, { supervisor: supervisorId });
      if (!result.ok) {
        setError(result.error);
        return null;
      }
      const parsed = DeviceListingSchema.safeParse(result.body);
      if (!parsed.success) {
        setError("The supervisor's device list has an unexpected shape.");
        return null;
      }
      setError(null);
      setListing(parsed.data);
      return parsed.data;
    },
    [supervisorId],
  );

  useEffect(() => {
    void loadDevices();
    return () => {
      if (pollTimer.current) clearTimeout(pollTimer.current);
    };
  }, [loadDevices]);

  const discover = async () => {
    setScanning(true);
    const started = await runtimeCall<unknown>("devices/discover", {
      supervisor: supervisorId,
      method: "POST",
      body: { timeout_ms: DISCOVERY_TIMEOUT_MS },
    });
    if (!started.ok) {
      setScanning(false);
      setError(started.error);
      return;
    }
    const parsed = DeviceListingSchema.safeParse(started.body);
    if (parsed.success) setListing(parsed.data);
    // Poll progress until the scan reports done (or a generous ceiling passes).
    const deadline = Date.now() + DISCOVERY_TIMEOUT_MS + 5000;
    const poll = async () => {
      const now = await loadDevices("devices/discovery");
      if (now && now.scan_status === "in_progress" && Date.now() < deadline) {
        pollTimer.current = setTimeout(poll, 400);
      } else {
        setScanning(false);
      }
    };
    pollTimer.current = setTimeout(poll, 300);
  };

  const loadObjects = async (deviceId: number, refresh = false) => {
    setLoadingDevice(deviceId);
    const result = await runtimeCall<unknown>(
      `devices/${deviceId}/objects${refresh ? "?refresh=true" : ""}`,
      {
        supervisor: supervisorId,
      },
    );
    setLoadingDevice(null);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    const parsed = ObjectListingSchema.safeParse(result.body);
    if (parsed.success) setObjects((o) => ({ ...o, [deviceId]: parsed.data.objects }));
  };

  const toggle = (deviceId: number) => {
    if (expanded === deviceId) {
      setExpanded(null);
      return;
    }
    setExpanded(deviceId);
    if (!objects[deviceId]) void loadObjects(deviceId);
  };

  // Live values for the open device, every 2 s, merged with the canvas' own point values.
  const openObjects = expanded === null ? undefined : objects[expanded];
  useEffect(() => {
    if (!openObjects || openObjects.length === 0) return;
    const points = openObjects.slice(0, 500).map(pointRefOf);
    const controller = new AbortController();
    const tick = async () => {
      const result = await runtimeCall<{ values?: unknown }>("points/read", {
        supervisor: supervisorId,
        method: "POST",
        body: { points },
        signal: controller.signal,
      });
      if (!result.ok || !Array.isArray(result.body.values) || controller.signal.aborted) return;
      const parsed = z.array(PointValueSchema).safeParse(result.body.values);
      if (parsed.success) setPointValues(parsed.data.map((v) => ({ ...v, point: canonical(v.point) })));
    };
    void tick();
    const timer = setInterval(tick, 2000);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [openObjects, supervisorId, setPointValues]);

  const progress = listing?.progress;
  const percent =
    progress?.elapsed_ms !== undefined && progress.timeout_ms
      ? Math.min(100, Math.round((progress.elapsed_ms / progress.timeout_ms) * 100))
      : scanning
        ? 10
        : 0;

  return (
    <div className="space-y-2 p-3 text-xs" data-testid="bacnet-browser">
      <div className="flex items-center gap-2">
        <Button
          size="sm"
          variant="outline"
          onClick={() => void discover()}
          disabled={scanning}
          data-testid="bacnet-discover"
        >
          <Radar /> {scanning ? "Discovering…" : "Discover devices"}
        </Button>
        <Button size="icon" variant="ghost" title="Reload list" onClick={() => void loadDevices()}>
          <RefreshCw />
        </Button>
      </div>
      {scanning ? (
        <div data-testid="bacnet-progress">
          <div className="h-1.5 overflow-hidden rounded bg-slate-200">
            <div className="h-full bg-sky-500 transition-all" style={{ width: `${percent}%` }} />
          </div>
          <div className="mt-0.5 text-slate-600">
            Who-Is sent · {progress?.found ?? listing?.devices.length ?? 0} found so far
          </div>
        </div>
      ) : null}
      {error ? (
        <p className="rounded bg-red-50 p-2 text-red-800" data-testid="bacnet-error">
          {error}
        </p>
      ) : null}
      <NetworkMapPanel supervisorId={supervisorId} listing={listing} />
      <WhoHasPanel supervisorId={supervisorId} />
      {listing && listing.devices.length === 0 && !scanning ? (
        <p className="text-slate-500">No devices known yet. Discover to send a Who-Is.</p>
      ) : null}
      <ul className="space-y-1" data-testid="bacnet-devices">
        {listing?.devices.map((device) => (
          <li
            key={device.device_id}
            className="rounded border border-slate-200"
            data-testid={`bacnet-device-${device.device_id}`}
          >
            <button
              type="button"
              onClick={() => toggle(device.device_id)}
              className="flex w-full items-center gap-1.5 px-2 py-1.5 text-left hover:bg-slate-50"
              data-testid={`bacnet-device-toggle-${device.device_id}`}
            >
              {expanded === device.device_id ? (
                <ChevronDown className="size-3.5" />
              ) : (
                <ChevronRight className="size-3.5" />
              )}
              <span className="min-w-0 flex-1">
                <span className="font-semibold">{device.name ?? `Device ${device.device_id}`}</span>
                <span
                  className="ml-1 font-mono text-[10px] text-slate-500"
                  data-testid={`bacnet-device-route-${device.device_id}`}
                >
                  #{device.device_id} {routeText(device)}
                </span>
              </span>
              <span
                className={`size-2 rounded-full ${device.status === "online" ? "bg-emerald-500" : device.status === "offline" ? "bg-red-500" : "bg-slate-300"}`}
                title={device.status ?? "unknown"}
              />
            </button>
            {expanded === device.device_id ? (
              <div className="border-t border-slate-100 py-1">
                <DeviceTools
                  supervisorId={supervisorId}
                  deviceId={device.device_id}
                  name={device.name ?? `Device ${device.device_id}`}
                />
                {loadingDevice === device.device_id ? (
                  <p className="px-2 text-slate-500">Reading the object list…</p>
                ) : null}
                <ul data-testid={`bacnet-objects-${device.device_id}`}>
                  {objects[device.device_id]?.map((o) => (
                    <ObjectRow
                      key={`${o.object_type}:${o.object_instance}`}
                      object={o}
                      supervisorId={supervisorId}
                    />
                  ))}
                </ul>
                <button
                  type="button"
                  className="px-2 text-[10px] text-sky-700 hover:underline"
                  onClick={() => void loadObjects(device.device_id, true)}
                >
                  Re-read objects from the device
                </button>
              </div>
            ) : null}
          </li>
        ))}
      </ul>
      <p className="text-[10px] text-slate-500">
        Drag an object onto the canvas: commandable objects become an Actuator Write, others a Sensor Read.
      </p>
    </div>
  );
}
