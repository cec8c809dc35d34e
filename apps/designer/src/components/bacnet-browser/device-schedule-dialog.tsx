"use client";

import type { DeviceSchedule } from "@bms/bacnet/schedule";
import type { DeviceScheduleResponse } from "@bms/schemas";
import { Save } from "lucide-react";
import { useEffect, useState } from "react";
import { runtimeCall } from "../../lib/designer-api";
import { type DeviceGrid, deviceToGrid, gridToDevice } from "../../lib/device-schedule-grid";
import { WeekEditor } from "../flow-editor/schedule-editor";
import { Button } from "../ui/button";

function describeValue(value: number | null, type: DeviceSchedule["valueType"]): string {
  if (value === null) return "relinquished";
  if (type === "enumerated") return value === 1 ? "on (1)" : value === 0 ? "off (0)" : String(value);
  return String(value);
}

/**
 * A device's Schedule object in the week grid the schedule node uses: read from the device through
 * the supervisor, edited as periods and exceptions, written back whole (operator), and what the device
 * will do next, as the supervisor computes it from what the device holds.
 */
export function DeviceScheduleDialog({
  supervisorId,
  device,
  instance,
  onClose,
}: {
  supervisorId: string;
  device: number;
  instance: number;
  onClose: () => void;
}) {
  const path = `devices/${device}/schedules/${instance}`;
  const [loaded, setLoaded] = useState<DeviceScheduleResponse | null>(null);
  const [grid, setGrid] = useState<DeviceGrid | null>(null);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void runtimeCall<DeviceScheduleResponse>(path, { supervisor: supervisorId }).then((result) => {
      if (!live) return;
      if (!result.ok) {
        setError(result.error);
        return;
      }
      setLoaded(result.body);
      setGrid(deviceToGrid(result.body.schedule));
    });
    return () => {
      live = false;
    };
  }, [path, supervisorId]);

  const save = async () => {
    if (!loaded || !grid) return;
    setBusy(true);
    setError(null);
    const result = await runtimeCall<DeviceScheduleResponse>(path, {
      supervisor: supervisorId,
      method: "PUT",
      body: gridToDevice(grid, loaded.schedule),
    });
    setBusy(false);
    if (!result.ok) {
      const details = result.errors.map((e) => `${e.path}: ${e.message}`).join("; ");
      setError(details ? `${result.error} (${details})` : result.error);
      return;
    }
    setLoaded(result.body);
    setGrid(deviceToGrid(result.body.schedule));
    setDirty(false);
  };

  const close = () => {
    if (dirty && !window.confirm("Discard the changes not written to the device?")) return;
    onClose();
  };

  if (!loaded || !grid) {
    return (
      <div
        className="fixed inset-0 z-50 flex items-center justify-center bg-slate-900/40"
        data-testid="device-schedule-loading"
      >
        <div className="rounded bg-white p-4 text-xs shadow-xl">
          {error ? <p className="text-red-700">{error}</p> : <p>Reading the schedule from the device…</p>}
          <Button size="sm" variant="ghost" onClick={onClose}>
            Close
          </Button>
        </div>
      </div>
    );
  }
  const type = loaded.schedule.valueType;
  return (
    <>
      <WeekEditor
        config={grid as unknown as Record<string, unknown>}
        onChange={(key, value) => {
          setGrid({ ...grid, [key]: value } as DeviceGrid);
          setDirty(true);
        }}
        onClose={close}
      />
      <div
        className="fixed inset-x-0 bottom-0 z-[60] border-t bg-white p-3 text-xs shadow-2xl"
        data-testid="device-schedule-panel"
      >
        <div className="mx-auto flex w-[860px] items-start gap-4">
          <div className="min-w-0 flex-1 space-y-1">
            <div className="font-semibold">
              {loaded.name} · device {device} · schedule {instance} ({type}, default{" "}
              {describeValue(loaded.schedule.scheduleDefault, type)})
            </div>
            <div data-testid="device-schedule-now">
              Now: <b>{describeValue(loaded.present_value, type)}</b> ({loaded.now.source})
            </div>
            <ol className="text-slate-700" data-testid="device-schedule-next">
              {loaded.next.slice(0, 4).map((change) => (
                <li key={change.at}>
                  {new Date(change.at).toLocaleString()} → {describeValue(change.value, type)} (
                  {change.source})
                </li>
              ))}
            </ol>
            {grid.kept.length > 0 ? (
              <div className="text-slate-600">
                {grid.kept.length} exception(s) the grid cannot draw (WeekNDay or open ranges) are kept as
                they are.
              </div>
            ) : null}
            {error ? (
              <p className="text-red-700" data-testid="device-schedule-error">
                {error}
              </p>
            ) : null}
          </div>
          <Button size="sm" disabled={!dirty || busy} onClick={save} data-testid="device-schedule-save">
            <Save /> {busy ? "Writing…" : dirty ? "Write to device" : "Written"}
          </Button>
        </div>
      </div>
    </>
  );
}
