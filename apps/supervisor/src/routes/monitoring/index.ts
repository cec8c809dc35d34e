import { statfsSync } from "node:fs";
import { arch, availableParallelism, cpus, freemem, loadavg, platform, totalmem, uptime } from "node:os";
import type { FastifyInstance } from "fastify";
import { route } from "../../http/route";
import { BacnetPointIO } from "../../protocols/bacnet/bacnet-plugin";
import { noWireEvents } from "../../protocols/bacnet/wire-checks";

/**
 * The machine the supervisor runs on, beside the process's own figures: another program eating the
 * CPU or the RAM of a Pi starves the scan too. CPU times are summed over every core since boot, so a
 * client takes the busy share between two polls; free memory is what new programs can still get
 * (MemAvailable on Linux), and `memory.rss_bytes` above is the supervisor's own part of the used.
 */
function systemMetrics() {
  const [load1 = 0, load5 = 0, load15 = 0] = loadavg();
  const cores = cpus();
  let idle = 0;
  let total = 0;
  for (const core of cores) {
    const t = core.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  const memoryTotal = totalmem();
  const memoryFree = freemem();
  return {
    platform: platform(),
    arch: arch(),
    uptime_s: uptime(),
    cpu: {
      count: cores.length || availableParallelism(),
      load_avg_1m: load1,
      load_avg_5m: load5,
      load_avg_15m: load15,
      idle_ms: idle,
      total_ms: total,
    },
    memory: {
      total_bytes: memoryTotal,
      free_bytes: memoryFree,
      used_bytes: memoryTotal - memoryFree,
    },
  };
}

export function collectMetrics(app: FastifyInstance, dataDir: string) {
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  let disk: { free_bytes: number; total_bytes: number } | null = null;
  try {
    const fs = statfsSync(dataDir);
    disk = { free_bytes: fs.bavail * fs.bsize, total_bytes: fs.blocks * fs.bsize };
  } catch {
    disk = null;
  }
  const devices = app.repos.devices.list();
  // Without the BACnet plugin (a supervisor running other protocols only) its counters read zero.
  const bacnet = app.points.find("bacnet", BacnetPointIO)?.service;
  const transport = bacnet?.transportStats;
  return {
    uptime_s: process.uptime(),
    memory: {
      rss_bytes: mem.rss,
      heap_used_bytes: mem.heapUsed,
      heap_total_bytes: mem.heapTotal,
      external_bytes: mem.external,
    },
    cpu: { user_us: cpu.user, system_us: cpu.system, load_avg_1m: loadavg()[0] ?? 0 },
    disk,
    engine: {
      status: app.engine.status,
      flows: app.engine.flows().length,
      scans: app.engine.flows().reduce((n, f) => n + f.tracker.scans, 0),
      // The slowest flow's average: the one closest to overrunning its period.
      avg_scan_ms: Math.max(0, ...app.engine.flows().map((f) => f.tracker.averageScanMs())),
      // Point reads one flow got from another's read in the same period, and reads that went out.
      reads_saved: app.engine.reads.saved,
      reads_sent: app.engine.reads.sent,
      errors_15m: app.repos.events.countSince("error", Date.now() - 15 * 60_000),
    },
    bacnet: {
      devices_total: devices.length,
      devices_online: devices.filter((d) => d.status === "online").length,
      devices_offline: devices.filter((d) => d.status === "offline").length,
      ...(bacnet?.counters ?? { requests: 0, timeouts: 0, errors: 0, retries: 0 }),
      packets_received: transport?.received ?? 0,
      packets_sent: transport?.sent ?? 0,
      packets_dropped: transport?.dropped ?? 0,
      devices_known: bacnet?.devices.size ?? 0,
      // What the wire checks refused: forged or misrouted replies, I-Ams, COV notifications, caps.
      wire: {
        ...(bacnet?.wire ?? noWireEvents()),
        replies_foreign: transport?.foreignReplies ?? 0,
        replies_unsolicited: transport?.unsolicitedReplies ?? 0,
      },
      // Device alarms: notifications taken and refused, malformed event values, joins and leaves.
      device_alarms: { ...app.deviceAlarms.stats },
    },
    history: {
      pending_samples: app.repos.timeseries.pending,
      // What the size budget (--history-max-mb) is checked against, and samples refused for a bad time.
      stored_bytes: app.repos.timeseries.storedBytes,
      rejected_samples: app.repos.timeseries.rejected,
    },
    system: systemMetrics(),
  };
}

export async function monitoringRoutes(app: FastifyInstance, options: { dataDir: string }): Promise<void> {
  route(app, {
    method: "GET",
    url: "/metrics",
    summary: "Performance and system metrics: the supervisor process and the whole machine",
    tags: ["monitoring"],
    auth: "viewer",
    handler: () => collectMetrics(app, options.dataDir),
  });
}

/** Prometheus text exposition of the same numbers. */
export async function prometheusRoute(app: FastifyInstance, options: { dataDir: string }): Promise<void> {
  route(app, {
    method: "GET",
    url: "/metrics",
    summary: "Prometheus text exposition of the monitoring metrics",
    tags: ["monitoring"],
    auth: "viewer",
    handler(_input, _request, reply) {
      const m = collectMetrics(app, options.dataDir);
      const lines = [
        ["bms_uptime_seconds", "gauge", m.uptime_s],
        ["bms_memory_rss_bytes", "gauge", m.memory.rss_bytes],
        ["bms_system_load1", "gauge", m.system.cpu.load_avg_1m],
        ["bms_system_memory_total_bytes", "gauge", m.system.memory.total_bytes],
        ["bms_system_memory_free_bytes", "gauge", m.system.memory.free_bytes],
        ["bms_engine_running", "gauge", m.engine.status === "running" ? 1 : 0],
        ["bms_engine_scans_total", "counter", m.engine.scans],
        ["bms_engine_scan_duration_ms", "gauge", m.engine.avg_scan_ms],
        ["bms_engine_reads_saved_total", "counter", m.engine.reads_saved],
        ["bms_engine_errors_15m", "gauge", m.engine.errors_15m],
        ["bms_bacnet_devices_online", "gauge", m.bacnet.devices_online],
        ["bms_bacnet_devices_offline", "gauge", m.bacnet.devices_offline],
        ["bms_bacnet_requests_total", "counter", m.bacnet.requests],
        ["bms_bacnet_timeouts_total", "counter", m.bacnet.timeouts],
        ["bms_bacnet_retries_total", "counter", m.bacnet.retries],
        ["bms_bacnet_packets_received_total", "counter", m.bacnet.packets_received],
        ["bms_bacnet_packets_dropped_total", "counter", m.bacnet.packets_dropped],
        ["bms_bacnet_devices_known", "gauge", m.bacnet.devices_known],
        ["bms_bacnet_replies_foreign_total", "counter", m.bacnet.wire.replies_foreign],
        ["bms_bacnet_iam_over_cap_total", "counter", m.bacnet.wire.iam_over_cap],
        ["bms_bacnet_iam_pinned_ignored_total", "counter", m.bacnet.wire.iam_pinned_ignored],
        ["bms_bacnet_address_changes_total", "counter", m.bacnet.wire.address_changes],
        ["bms_bacnet_address_claims_refused_total", "counter", m.bacnet.wire.address_claims_refused],
        ["bms_bacnet_cov_dropped_total", "counter", m.bacnet.wire.cov_dropped],
        ["bms_history_stored_bytes", "gauge", m.history.stored_bytes],
      ] as const;
      const text = lines.map(([name, type, value]) => `# TYPE ${name} ${type}\n${name} ${value}`).join("\n");
      return reply.type("text/plain; version=0.0.4").send(`${text}\n`);
    },
  });
}
