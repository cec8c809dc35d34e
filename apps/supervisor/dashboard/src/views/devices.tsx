import { routeText } from "@bms/schemas/bacnet-route";
import { useEffect, useState } from "preact/hooks";
import { apiGet, apiSend } from "../api/client";
import { canDo, sessionStore } from "../api/session";
import type { DeviceDiscoveryResponse } from "../api/types";
import { ActionButton } from "../components/action-button";
import { Pill, Stale, type Tone } from "../components/status";
import { ago } from "../format";
import { useStore } from "../store";
import { useNow, usePoll } from "../use-poll";
import { DeviceTools } from "./device-tools";
import { NetworkMap, type Routed } from "./network-map";
import { PluginsPanel } from "./plugins-panel";
import { WhoHasCard } from "./who-has";

const STATUS_TONE: Record<string, Tone> = { online: "ok", offline: "bad", unknown: "idle" };
const DISCOVERY_MS = 3000;

/** The protocol plugins' health, the BACnet devices the supervisor knows, and Who-Is discovery on demand. */
export function Devices() {
  const now = useNow();
  const session = useStore(sessionStore);
  const [searchingSince, setSearchingSince] = useState<number | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  // Poll fast while a discovery runs so devices appear as they answer.
  const devices = usePoll(
    () => apiGet<DeviceDiscoveryResponse>("/api/devices"),
    searchingSince ? 500 : 5000,
    [searchingSince !== null],
  );
  const d = devices.data;
  const inProgress = d?.scan_status === "in_progress";
  useEffect(() => {
    // Over when an answer that left after the click (one fast poll later) says so: back to calm polling.
    const answeredAfter = searchingSince !== null && (devices.updatedAt ?? 0) > searchingSince + 600;
    if (answeredAfter && !inProgress) setSearchingSince(null);
  }, [searchingSince, devices.updatedAt, inProgress]);

  return (
    <div class="stack" data-testid="view-devices">
      <PluginsPanel />
      <NetworkMap devices={(d?.devices ?? []) as Routed[]} />
      {/* Who-Has is admin only (and audited): other roles do not see the card at all. */}
      {canDo(session.identity, "admin") ? <WhoHasCard /> : null}
      <div class="toolbar">
        <ActionButton
          kind="primary"
          testId="discover"
          disabled={inProgress}
          run={() => apiSend("POST", "/api/devices/discover", { timeout_ms: DISCOVERY_MS })}
          onDone={() => setSearchingSince(Date.now())}
        >
          Discover devices
        </ActionButton>
        <span class="muted" data-testid="discovery-status">
          {inProgress && d?.progress
            ? `Searching… ${d.progress.found} found (${(d.progress.elapsed_ms / 1000).toFixed(1)} of ${d.progress.timeout_ms / 1000} s)`
            : d?.last_scan
              ? `Last discovery ${ago(d.last_scan, now)}${d.scan_status === "error" ? ` failed: ${d.error_message ?? ""}` : ""}`
              : "No discovery run yet"}
        </span>
      </div>
      <Stale error={devices.error} />
      <div class="table-wrap">
        <table class="table" data-testid="devices-table">
          <thead>
            <tr>
              <th>Device</th>
              <th>Name</th>
              <th>Status</th>
              <th>Last seen</th>
              <th>Address</th>
              <th>Vendor / model</th>
              <th class="num">Objects</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(d?.devices ?? []).flatMap((device) => [
              <tr key={device.device_id} data-testid="device-row" data-device={device.device_id}>
                <td class="mono">{device.device_id}</td>
                <td class="strong">{device.name ?? "(no name)"}</td>
                <td>
                  <Pill tone={STATUS_TONE[device.status] ?? "idle"} testId="device-status">
                    {device.status}
                  </Pill>
                  {device.reason ? <div class="small muted">{device.reason}</div> : null}
                </td>
                <td>{ago(device.last_seen, now)}</td>
                <td class="mono small" data-testid="device-route">
                  {routeText(device as Routed)}
                </td>
                <td class="small">
                  {[device.vendor_name, device.model_name].filter(Boolean).join(" / ") || "–"}
                </td>
                <td class="num">{device.object_count ?? "–"}</td>
                <td>
                  <button
                    type="button"
                    class="btn"
                    aria-expanded={open === device.device_id}
                    onClick={() => setOpen(open === device.device_id ? null : device.device_id)}
                    data-testid="device-tools-toggle"
                  >
                    Commission…
                  </button>
                </td>
              </tr>,
              open === device.device_id ? (
                <tr key={`${device.device_id}-tools`}>
                  <td colSpan={8}>
                    <DeviceTools
                      deviceId={device.device_id}
                      name={device.name ?? `Device ${device.device_id}`}
                    />
                  </td>
                </tr>
              ) : null,
            ])}
            {d && d.devices.length === 0 ? (
              <tr>
                <td colSpan={8} class="muted">
                  No devices known yet. Press “Discover devices” to send a Who-Is on the BACnet network.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </div>
  );
}
