import { useRef } from "preact/hooks";
import { apiGet, apiSend } from "../api/client";
import { loadCurrentConfig } from "../api/loaders";
import type { ExecutionStatusResponse, HealthResponse, MetricsResponse } from "../api/types";
import { ActionButton } from "../components/action-button";
import { Card, Facts, flowTone, flowWord, Pill, Stale } from "../components/status";
import { ago, bytes, dateTime, duration } from "../format";
import { useNow, usePoll } from "../use-poll";

function triggerText(trigger: ExecutionStatusResponse["trigger"]): string {
  if (!trigger) return "–";
  if (trigger.type === "interval") return `every ${trigger.interval_ms / 1000} s`;
  if (trigger.type === "cron") return `schedule ${trigger.expression} (${trigger.timezone})`;
  return "on change";
}

/** CPU use of the supervisor process between two metric samples, in % of one core. */
function useCpuPercent(metrics: MetricsResponse | undefined): number | undefined {
  const last = useRef<{ at: number; used: number; percent?: number } | undefined>(undefined);
  if (!metrics) return last.current?.percent;
  const used = metrics.cpu.user_us + metrics.cpu.system_us;
  const at = metrics.uptime_s * 1e6;
  const previous = last.current;
  if (!previous || at <= previous.at) {
    if (!previous) last.current = { at, used };
    return previous?.percent;
  }
  const percent = Math.max(0, ((used - previous.used) / (at - previous.at)) * 100);
  last.current = { at, used, percent };
  return percent;
}

export function Overview() {
  const now = useNow();
  const health = usePoll(() => apiGet<HealthResponse>("/api/health"), 5000);
  const metrics = usePoll(() => apiGet<MetricsResponse>("/api/monitoring/metrics"), 5000);
  const status = usePoll(() => apiGet<ExecutionStatusResponse>("/api/execution/status"), 2000);
  const config = usePoll(loadCurrentConfig, 15_000);
  const cpu = useCpuPercent(metrics.data);

  const h = health.data;
  const m = metrics.data;
  const s = status.data;
  const c = config.data;
  const disk = m?.disk;
  const diskUsed = disk ? 1 - disk.free_bytes / disk.total_bytes : undefined;
  const afterChange = () => {
    status.refresh();
    config.refresh();
  };

  return (
    <div class="grid" data-testid="view-overview">
      <Card title="Flow" testId="overview-flow">
        {config.data === null ? (
          <p class="muted">No flow has been deployed to this supervisor yet. Deploy one from the Designer.</p>
        ) : (
          <Facts
            rows={[
              ["Name", c ? c.flow_name : "…", "flow-name"],
              ["Flow version", c ? `${c.flow_version} (config v${c.version})` : "…", "flow-version"],
              ["Project", c?.project_name ?? "…"],
              ["Deployed", c ? `${dateTime(c.deployed_at)} (${ago(c.deployed_at, now)})` : "…"],
              ["Deployed by", c ? (c.deployed_by ?? "not recorded") : "…", "flow-deployed-by"],
            ]}
          />
        )}
        <Stale error={config.error} />
      </Card>

      <Card title="Execution" testId="overview-execution">
        <p class="headline">
          <Pill tone={flowTone(s?.status)} testId="flow-status">
            {s ? flowWord(s.flow_id ? s.status : "idle") : "…"}
          </Pill>
        </p>
        {s?.error_message ? <p class="note note-bad">{s.error_message}</p> : null}
        <Facts
          rows={[
            ["Last scan", s ? ago(s.last_execution, now) : "…", "last-scan"],
            ["Scan duration", s ? `${s.avg_scan_ms.toFixed(1)} ms average` : "…", "scan-duration"],
            [
              "Runs",
              s ? `${triggerText(s.trigger)}, ${s.execution_count.toLocaleString()} scans` : "…",
              "scan-count",
            ],
            [
              "Errors (15 min)",
              m ? (
                <Pill tone={m.engine.errors_15m > 0 ? "bad" : "ok"}>{String(m.engine.errors_15m)}</Pill>
              ) : (
                "…"
              ),
              "errors-15m",
            ],
          ]}
        />
        {s?.flow_id ? (
          <div class="actions">
            {s.status === "running" ? (
              <ActionButton
                kind="danger"
                testId="flow-stop"
                confirm="Stop the flow? Every point it commands is released (relinquished)."
                run={() => apiSend("POST", "/api/execution/stop")}
                onDone={afterChange}
              >
                Stop flow
              </ActionButton>
            ) : (
              <ActionButton
                kind="primary"
                testId="flow-start"
                run={() => apiSend("POST", "/api/execution/start")}
                onDone={afterChange}
              >
                Start flow
              </ActionButton>
            )}
          </div>
        ) : null}
        <Stale error={status.error} />
      </Card>

      <Card title="BACnet network" testId="overview-network">
        <p class="headline">
          {h ? (
            <>
              <Pill tone={h.devices.online > 0 ? "ok" : "idle"} testId="devices-online">
                {h.devices.online} online
              </Pill>{" "}
              <Pill tone={h.devices.offline > 0 ? "bad" : "idle"} testId="devices-offline">
                {h.devices.offline} offline
              </Pill>
            </>
          ) : (
            "…"
          )}
        </p>
        <Facts
          rows={[
            ["Devices known", h ? String(h.devices.total) : "…"],
            ["Requests", m ? m.bacnet.requests.toLocaleString() : "…"],
            ["Timeouts", m ? m.bacnet.timeouts.toLocaleString() : "…"],
          ]}
        />
      </Card>

      <Card title="Supervisor" testId="overview-health">
        <p class="headline">
          <Pill tone={h ? (h.status === "ok" ? "ok" : "warn") : "idle"} testId="health-status">
            {h ? (h.status === "ok" ? "Healthy" : "Degraded") : "…"}
          </Pill>
        </p>
        <Facts
          rows={[
            ["Version", h?.version ?? "…", "supervisor-version"],
            ["Up for", h ? duration(h.uptime_s) : "…", "uptime"],
            [
              "CPU",
              m
                ? `${cpu === undefined ? "measuring…" : `${cpu.toFixed(0)} % of a core`} · load ${m.cpu.load_avg_1m.toFixed(2)}`
                : "…",
              "cpu",
            ],
            ["Memory", m ? `${bytes(m.memory.rss_bytes)} in use` : "…", "memory"],
            [
              "Disk",
              disk && diskUsed !== undefined ? (
                <span class={diskUsed > 0.9 ? "text-bad" : ""}>
                  {bytes(disk.free_bytes)} free of {bytes(disk.total_bytes)}
                </span>
              ) : m ? (
                "unknown"
              ) : (
                "…"
              ),
              "disk",
            ],
            ["Database", h ? (h.database === "ok" ? "OK" : "Error") : "…"],
          ]}
        />
        <Stale error={health.error ?? metrics.error} />
      </Card>
    </div>
  );
}
