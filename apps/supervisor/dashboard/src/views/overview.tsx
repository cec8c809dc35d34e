import { useRef } from "preact/hooks";
import { apiGet, apiSend } from "../api/client";
import { loadCurrentConfig } from "../api/loaders";
import type { ExecutionStatusResponse, HealthResponse, MetricsResponse } from "../api/types";
import { ActionButton } from "../components/action-button";
import { Card, Facts, flowTone, flowWord, Pill, Stale } from "../components/status";
import { ago, bytes, dateTime, duration, triggerText } from "../format";
import { useNow, usePoll } from "../use-poll";

/**
 * How much `used` grew over how much `span` grew between two metric polls (counters since start):
 * the supervisor's CPU in cores, or the machine's busy share of all cores. A counter that went back
 * (a restart) starts a new measurement.
 */
function useShare(used: number | undefined, span: number | undefined): number | undefined {
  const last = useRef<{ used: number; span: number; share?: number } | undefined>(undefined);
  if (used === undefined || span === undefined) return last.current?.share;
  const previous = last.current;
  if (!previous || span < previous.span) {
    last.current = { used, span };
    return undefined;
  }
  if (span === previous.span) return previous.share;
  const share = Math.max(0, Math.min(1, (used - previous.used) / (span - previous.span)) || 0);
  last.current = { used, span, share };
  return share;
}

/** A bar under a figure, amber then red as it fills. */
function Meter(props: { share: number; testId?: string }) {
  const percent = Math.max(0, Math.min(100, props.share * 100));
  const tone = props.share > 0.9 ? "bad" : props.share > 0.75 ? "warn" : "ok";
  return (
    <span class={`meter meter-${tone}`} data-testid={props.testId} data-share={props.share.toFixed(3)}>
      <span style={{ width: `${percent}%` }} />
    </span>
  );
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`;
}

export function Overview() {
  const now = useNow();
  const health = usePoll(() => apiGet<HealthResponse>("/api/health"), 5000);
  const metrics = usePoll(() => apiGet<MetricsResponse>("/api/monitoring/metrics"), 5000);
  const status = usePoll(() => apiGet<ExecutionStatusResponse>("/api/execution/status"), 2000);
  const config = usePoll(loadCurrentConfig, 15_000);
  // The supervisor's CPU time (µs) over its uptime: a share of one core.
  const cpu = useShare(
    metrics.data ? metrics.data.cpu.user_us + metrics.data.cpu.system_us : undefined,
    metrics.data ? metrics.data.uptime_s * 1e6 : undefined,
  );
  // Every core's busy time over all their time since boot: a share of the whole machine.
  const sys = metrics.data?.system;
  const systemBusy = useShare(
    sys && sys.cpu.total_ms > 0 ? sys.cpu.total_ms - sys.cpu.idle_ms : undefined,
    sys && sys.cpu.total_ms > 0 ? sys.cpu.total_ms : undefined,
  );

  const h = health.data;
  const m = metrics.data;
  const s = status.data;
  const c = config.data;
  const disk = m?.disk;
  const diskUsed = disk ? 1 - disk.free_bytes / disk.total_bytes : undefined;
  const siteFlows = s?.flows?.length ?? 0;
  const runningFlows = (s?.flows ?? []).filter((f) => f.status === "running").length;
  const afterChange = () => {
    status.refresh();
    config.refresh();
  };

  return (
    <div class="grid" data-testid="view-overview">
      <Card title={siteFlows > 1 ? "Site" : "Flow"} testId="overview-flow">
        {config.data === null ? (
          <p class="muted">No flow has been deployed to this supervisor yet. Deploy one from the Designer.</p>
        ) : (
          <Facts
            rows={[
              ["Name", c ? c.flow_name : "…", "flow-name"],
              ["Flow version", c ? `${c.flow_version} (config v${c.version})` : "…", "flow-version"],
              // One version story: the Designer's project version this config was built from.
              [
                "Project",
                c
                  ? c.project_version
                    ? `${c.project_name} v${c.project_version} → running as config v${c.version}`
                    : `${c.project_name} (project version not recorded)`
                  : "…",
                "flow-project-version",
              ],
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
            // A site of several flows: the first flow's period and scan time would read as the site's, so
            // this says how many flows run (each one's rate and time are on Execution).
            siteFlows > 1
              ? ["Flows", `${runningFlows} of ${siteFlows} running (each on Execution)`, "flow-count"]
              : ["Scan duration", s ? `${s.avg_scan_ms.toFixed(1)} ms average` : "…", "scan-duration"],
            [
              "Runs",
              s
                ? siteFlows > 1
                  ? `${s.execution_count.toLocaleString()} scans in all`
                  : `${triggerText(s.trigger)}, ${s.execution_count.toLocaleString()} scans`
                : "…",
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
                confirm={
                  siteFlows > 1
                    ? `Stop all ${siteFlows} flows? Every point they command is released (relinquished).`
                    : "Stop the flow? Every point it commands is released (relinquished)."
                }
                run={() => apiSend("POST", "/api/execution/stop")}
                onDone={afterChange}
              >
                {siteFlows > 1 ? "Stop all flows" : "Stop flow"}
              </ActionButton>
            ) : (
              <ActionButton
                kind="primary"
                testId="flow-start"
                run={() => apiSend("POST", "/api/execution/start")}
                onDone={afterChange}
              >
                {siteFlows > 1 ? "Start all flows" : "Start flow"}
              </ActionButton>
            )}
          </div>
        ) : null}
        <Stale error={status.error} />
      </Card>

      <Card title="BACnet network" testId="overview-network">
        <p class="headline">
          {h?.devices ? (
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
            ["Devices known", h?.devices ? String(h.devices.total) : "…"],
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
            ["Up for", h?.uptime_s !== undefined ? duration(h.uptime_s) : "…", "uptime"],
            [
              "CPU",
              m
                ? cpu === undefined
                  ? "measuring…"
                  : `${percent(cpu)} of a core${sys ? ` (${percent(cpu / sys.cpu.count)} of the machine)` : ""}`
                : "…",
              "cpu",
            ],
            [
              "Memory",
              m
                ? `${bytes(m.memory.rss_bytes)} in use${sys ? ` (${percent(m.memory.rss_bytes / sys.memory.total_bytes)} of RAM)` : ""}`
                : "…",
              "memory",
            ],
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

      <Card title="Machine" testId="overview-system">
        {sys ? <MachineFacts system={sys} busy={systemBusy} supervisorRss={m?.memory.rss_bytes ?? 0} /> : "…"}
        <Stale error={metrics.error} />
      </Card>
    </div>
  );
}

/**
 * The whole device: what every program on it uses, so support can tell a busy supervisor from a
 * busy machine. Load is per core: above 1 means work waits for a CPU.
 */
function MachineFacts(props: {
  system: MetricsResponse["system"];
  busy: number | undefined;
  supervisorRss: number;
}) {
  const { cpu, memory } = props.system;
  const perCore = cpu.load_avg_1m / Math.max(1, cpu.count);
  const used = memory.total_bytes > 0 ? memory.used_bytes / memory.total_bytes : 0;
  return (
    <Facts
      rows={[
        [
          "Device",
          `${props.system.platform} ${props.system.arch}, ${cpu.count} ${cpu.count === 1 ? "core" : "cores"}`,
          "system-device",
        ],
        [
          "CPU",
          props.busy === undefined ? (
            "measuring…"
          ) : (
            <span class="meter-row">
              <Meter share={props.busy} testId="system-cpu-meter" />
              {`${percent(props.busy)} busy`}
            </span>
          ),
          "system-cpu",
        ],
        [
          "Load",
          <span
            key="load"
            class={perCore > 2 ? "text-bad" : perCore > 1 ? "text-warn" : ""}
            title="Programs running or waiting for a CPU, averaged over 1, 5 and 15 min; more than 1 per core means they wait."
          >
            {[cpu.load_avg_1m, cpu.load_avg_5m, cpu.load_avg_15m].map((l) => l.toFixed(2)).join(" · ")}
            {` (${perCore.toFixed(2)} per core)`}
          </span>,
          "system-load",
        ],
        [
          "Memory",
          <span key="memory" class="meter-row">
            <Meter share={used} testId="system-memory-meter" />
            {`${bytes(memory.used_bytes)} used of ${bytes(memory.total_bytes)}, ${bytes(memory.free_bytes)} free`}
          </span>,
          "system-memory",
        ],
        [
          "Supervisor's part",
          `${bytes(props.supervisorRss)} (${percent(props.supervisorRss / Math.max(1, memory.total_bytes))} of RAM, ${percent(props.supervisorRss / Math.max(1, memory.used_bytes))} of the used)`,
          "system-supervisor-share",
        ],
        ["Up for", duration(props.system.uptime_s), "system-uptime"],
      ]}
    />
  );
}
