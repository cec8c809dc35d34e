"use client";

import { type DeviceReport, formatDeviceReport } from "@bms/bacnet/device-report";
import { Clock, FileDown, Power, ShieldOff } from "lucide-react";
import { useState } from "react";
import { runtimeCall } from "../../lib/designer-api";
import { downloadFile } from "../../lib/download-file";
import { Button } from "../ui/button";

/** The commissioning services, as the supervisor's routes name them (admin only there). */
type Action = { kind: "time-sync"; utc: boolean } | { kind: "communication" } | { kind: "reinitialize" };

const DCC_STATES = [
  ["enable", "Enable"],
  ["disable", "Disable"],
  ["disable_initiation", "Disable initiation"],
] as const;

function title(action: Action): string {
  if (action.kind === "time-sync") return action.utc ? "UTC time synchronization" : "Time synchronization";
  return action.kind === "communication" ? "Device communication control" : "Reinitialize device";
}

/**
 * Commissioning buttons and the device report for one device. Every service asks for confirmation
 * first, naming the device and what it will do; a password goes on this one request and is cleared
 * with the form, never kept or shown.
 */
export function DeviceTools({
  supervisorId,
  deviceId,
  name,
}: {
  supervisorId: string;
  deviceId: number;
  name: string;
}) {
  const [action, setAction] = useState<Action | null>(null);
  const [dccState, setDccState] = useState<string>("disable");
  const [minutes, setMinutes] = useState(15);
  const [reinit, setReinit] = useState<"warmstart" | "coldstart">("warmstart");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);

  const close = () => {
    setAction(null);
    setPassword("");
  };

  const confirm = async () => {
    if (!action) return;
    setBusy(true);
    const secret = password ? { password } : {};
    const request =
      action.kind === "time-sync"
        ? { path: "time-sync", body: { utc: action.utc } }
        : action.kind === "communication"
          ? { path: "communication", body: { state: dccState, minutes, ...secret } }
          : { path: "reinitialize", body: { state: reinit, ...secret } };
    const result = await runtimeCall<unknown>(`devices/${deviceId}/${request.path}`, {
      supervisor: supervisorId,
      method: "POST",
      body: request.body,
    });
    setBusy(false);
    setOutcome(
      result.ok
        ? { ok: true, text: `${title(action)} sent to device ${deviceId}.` }
        : { ok: false, text: result.error },
    );
    close();
  };

  const report = async (format: "text" | "json") => {
    setOutcome(null);
    const result = await runtimeCall<DeviceReport>(`devices/${deviceId}/report`, {
      supervisor: supervisorId,
    });
    if (!result.ok) {
      setOutcome({ ok: false, text: result.error });
      return;
    }
    if (format === "text")
      downloadFile(`device-${deviceId}-epics.txt`, formatDeviceReport(result.body), "text/plain");
    else
      downloadFile(
        `device-${deviceId}-epics.json`,
        `${JSON.stringify(result.body, null, 2)}\n`,
        "application/json",
      );
    setOutcome({ ok: true, text: `Device report of ${deviceId} saved.` });
  };

  return (
    <div className="space-y-1 border-t border-slate-100 px-2 py-1" data-testid={`device-tools-${deviceId}`}>
      <div className="flex flex-wrap gap-1">
        <Button
          size="sm"
          variant="outline"
          onClick={() => setAction({ kind: "time-sync", utc: false })}
          data-testid="device-time-sync"
        >
          <Clock /> Time sync
        </Button>
        <Button
          size="sm"
          variant="outline"
          onClick={() => setAction({ kind: "time-sync", utc: true })}
          data-testid="device-utc-time-sync"
        >
          <Clock /> UTC time sync
        </Button>
        <Button
          size="sm"
          variant="outline"
          onClick={() => setAction({ kind: "communication" })}
          data-testid="device-communication"
        >
          <ShieldOff /> Communication…
        </Button>
        <Button
          size="sm"
          variant="outline"
          onClick={() => setAction({ kind: "reinitialize" })}
          data-testid="device-reinitialize"
        >
          <Power /> Reinitialize…
        </Button>
        <Button
          size="sm"
          variant="outline"
          onClick={() => void report("text")}
          data-testid="device-report-text"
        >
          <FileDown /> Report (EPICS text)
        </Button>
        <Button
          size="sm"
          variant="outline"
          onClick={() => void report("json")}
          data-testid="device-report-json"
        >
          <FileDown /> Report (JSON)
        </Button>
      </div>
      {action ? (
        <div
          role="alertdialog"
          aria-label={title(action)}
          className="space-y-1 rounded border border-amber-300 bg-amber-50 p-2"
          data-testid="device-confirm"
        >
          <p className="font-semibold">
            {title(action)} on {name} (#{deviceId})?
          </p>
          {action.kind === "time-sync" ? (
            <p>Sets the device clock to the supervisor's {action.utc ? "UTC" : "local"} time.</p>
          ) : null}
          {action.kind === "communication" ? (
            <div className="flex flex-wrap items-center gap-2">
              <select
                value={dccState}
                onChange={(e) => setDccState(e.target.value)}
                data-testid="device-dcc-state"
                className="rounded border px-1"
              >
                {DCC_STATES.map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
              <label className="flex items-center gap-1">
                for
                <input
                  type="number"
                  min={0}
                  max={65535}
                  value={minutes}
                  onChange={(e) => setMinutes(Number(e.target.value))}
                  className="w-16 rounded border px-1"
                  data-testid="device-dcc-minutes"
                />
                minutes (0 = until enabled again)
              </label>
            </div>
          ) : null}
          {action.kind === "reinitialize" ? (
            <select
              value={reinit}
              onChange={(e) => setReinit(e.target.value as "warmstart" | "coldstart")}
              data-testid="device-reinit-state"
              className="rounded border px-1"
            >
              <option value="warmstart">Warm start</option>
              <option value="coldstart">Cold start</option>
            </select>
          ) : null}
          {action.kind !== "time-sync" ? (
            <label className="flex items-center gap-1">
              Device password
              <input
                type="password"
                autoComplete="off"
                maxLength={20}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                className="rounded border px-1"
                data-testid="device-password"
              />
            </label>
          ) : null}
          {action.kind === "communication" && dccState !== "enable" ? (
            <p className="text-amber-900">
              The device stops answering the supervisor too until it is enabled or the time runs out.
            </p>
          ) : null}
          <div className="flex gap-1">
            <Button
              size="sm"
              onClick={() => void confirm()}
              disabled={busy}
              data-testid="device-confirm-send"
            >
              {busy ? "Sending…" : `Confirm: ${title(action).toLowerCase()}`}
            </Button>
            <Button size="sm" variant="ghost" onClick={close} data-testid="device-confirm-cancel">
              Cancel
            </Button>
          </div>
        </div>
      ) : null}
      {outcome ? (
        <p
          role="status"
          className={outcome.ok ? "text-emerald-800" : "text-red-800"}
          data-testid="device-tools-outcome"
        >
          {outcome.text}
        </p>
      ) : null}
    </div>
  );
}
