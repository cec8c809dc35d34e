import { demoSitePackage } from "@bms/nodes/starters";
import { REDACT_PATHS, redactText } from "@bms/security";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { DEFAULT_FAILURE_LIMITS } from "./auth/failure-limiter";
import { loadOrCreateReportKey } from "./commissioning/signing-key";
import { dashboardPlugin } from "./dashboard/plugin";
import { Deployer } from "./engine/deployer";
import { DeviceAlarmManager } from "./engine/device-alarm-manager";
import { deployOnFirstStart } from "./engine/first-start";
import { OverrideManager } from "./engine/override-manager";
import { TrendBackfill } from "./engine/trend-backfill";
import { installErrorHandler } from "./http/error-handler";
import { installJsonBodyParser } from "./http/json-body";
import { trackRegisteredRoutes } from "./http/route";
import { sparkplugPlugin } from "./northbound/plugin";
import { openApiRoutes } from "./openapi/routes";
import type { SupervisorOptions } from "./options";
import { authPlugin } from "./plugins/auth";
import { enginePlugin } from "./plugins/engine";
import { protocolsPlugin } from "./plugins/protocols";
import { storagePlugin } from "./plugins/storage";
import type { PointIOPluginModule } from "./protocols/point-io";
import { alertRoutes } from "./routes/alerts";
import { auditRoutes } from "./routes/audit";
import { authRoutes } from "./routes/auth";
import { commissioningRoutes } from "./routes/commissioning";
import { configRoutes } from "./routes/config";
import { dataRoutes } from "./routes/data";
import { debugRoutes } from "./routes/debug";
import { deviceRoutes } from "./routes/devices";
import { executionRoutes } from "./routes/execution";
import { flowRoutes } from "./routes/flows";
import { healthRoutes } from "./routes/health";
import { monitoringRoutes, prometheusRoute } from "./routes/monitoring";
import { pluginRoutes } from "./routes/plugins";
import { pointRoutes } from "./routes/points";
import { systemRoutes } from "./routes/system";
import type { Db } from "./storage/database";

declare module "fastify" {
  interface FastifyInstance {
    overrides: OverrideManager;
    trendBackfill: TrendBackfill;
    deviceAlarms: DeviceAlarmManager;
    /** The report signing key's fingerprint (the private key stays with the commissioning routes). */
    reportKeyFingerprint: string;
  }
}

export type AppOptions = SupervisorOptions & {
  token: string;
  /** Host names to answer to besides loopback (resolved by the server from the bind address). */
  hostNames?: string[];
  /**
   * Point I/O plugins to run instead of the built-in ones (BACnet ...): a route test injects an
   * in-memory protocol and needs no socket.
   */
  plugins?: readonly PointIOPluginModule[];
  /** The clock plugins and the registry read (ms since epoch); Date.now when absent. */
  now?: () => number;
  /** An open runtime database to use instead of `<dataDir>/runtime.db` (migrated, not closed by the app). */
  storage?: Db;
};

/**
 * Log lines never carry a secret: pino redacts the header and body paths, and the request URL and
 * error texts go through redactText (a `?token=` someone still sends, a Bearer value in a message).
 */
const logSerializers = {
  req(request: FastifyRequest) {
    return {
      method: request.method,
      url: redactText(request.url),
      host: request.headers.host,
      remoteAddress: request.ip,
    };
  },
  err(error: Error) {
    return {
      type: error.name,
      message: redactText(error.message),
      stack: redactText(error.stack ?? ""),
    };
  },
};

/** Builds the supervisor without listening, so tests can `inject()` and the CLI can `listen()`. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  // An https server is still an http.Server for every route and hook; the cast keeps one app type.
  const app = Fastify({
    logger: {
      level: options.logLevel,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      serializers: logSerializers,
    },
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
    bodyLimit: 10 * 1024 * 1024,
    // Deploys and API calls are small; a slow client must not hold a socket forever.
    requestTimeout: 30_000,
  }) as unknown as FastifyInstance;
  trackRegisteredRoutes(app);
  installErrorHandler(app);
  installJsonBodyParser(app);

  await app.register(storagePlugin, {
    dataDir: options.dataDir,
    ...(options.storage ? { storage: options.storage } : {}),
  });
  await app.register(authPlugin, {
    adminToken: options.token,
    publicRead: options.publicRead ?? false,
    session: {
      idleMs: (options.sessionIdleMinutes ?? 30) * 60_000,
      absoluteMs: (options.sessionHours ?? 12) * 3_600_000,
    },
    tls: options.tls !== undefined,
    hostNames: options.hostNames ?? [],
    httpPort: options.httpPort,
    failureLimits: {
      ...DEFAULT_FAILURE_LIMITS,
      ...(options.authFailureLimit ? { maxFailures: options.authFailureLimit } : {}),
    },
    auditDays: Math.max(options.auditDays ?? 365, 90),
  });
  await app.register(protocolsPlugin, {
    options,
    now: options.now ?? Date.now,
    ...(options.plugins ? { plugins: options.plugins } : {}),
    ...(options.pluginsDir ? { pluginsDir: options.pluginsDir } : {}),
    ...(options.pluginsConfig ? { pluginsConfig: options.pluginsConfig } : {}),
  });
  await app.register(enginePlugin, {
    execute: options.execute,
    historyRetentionHours: options.historyRetentionHours,
    ...(options.historyMaxMb === undefined ? {} : { historyMaxMb: options.historyMaxMb }),
    historyMinIntervalMs: options.historyMinIntervalMs,
    ...(options.stateSaveIntervalS === undefined
      ? {}
      : { stateSaveIntervalMs: options.stateSaveIntervalS * 1000 }),
    watchIntervalMs: 5000,
    ...(options.scriptWorkers === undefined ? {} : { scriptWorkers: options.scriptWorkers }),
    webhookAllow: options.webhookAllow ?? [],
  });
  await app.register(sparkplugPlugin, { options: options.sparkplug, dataDir: options.dataDir });
  app.decorate(
    "deployer",
    new Deployer(app.repos.configs, app.repos.devices, app.repos.events, app.engine, options.execute),
  );
  if (options.firstStartDemo) {
    // After the engine's own onReady (which resumes an active config): registration order.
    app.addHook("onReady", async () => {
      const outcome = await deployOnFirstStart(
        app.repos.configs,
        app.deployer,
        app.repos.events,
        (result, target, reason) =>
          app.auth.audits.add({
            actor: { kind: "system", name: "first start", role: null },
            source: "supervisor",
            action: "config.deploy",
            target,
            result,
            ...(reason ? { reason } : {}),
          }),
        () => demoSitePackage(),
      );
      app.log.info({ first_start: outcome }, `first-start demo: ${outcome.action}`);
    });
  }

  const overrides = new OverrideManager(
    app.repos.overrides,
    app.repos.events,
    async (point, value, priority) => (await app.points.write([{ ref: point, value, priority }]))[0]!,
    (point, priority) => app.repos.commands.forPoint(point).some((c) => c.priority === priority),
    (o, ok, reason) =>
      app.auth.audits.add({
        actor: { kind: "system", name: "override timer", role: null },
        source: "supervisor",
        action: "point.override.expire",
        target: o.point,
        result: ok ? "ok" : "failed",
        reason,
        details: {
          id: o.id,
          priority: o.priority,
          value: o.value,
          expires_at: new Date(o.expiresAt).toISOString(),
        },
      }),
  );
  app.decorate("overrides", overrides);

  const trendBackfill = new TrendBackfill(
    {
      bacnet: () => {
        try {
          return app.bacnet;
        } catch {
          return undefined; // no BACnet plugin in this supervisor: nothing to backfill from
        }
      },
      repo: app.repos.backfills,
      timeseries: app.repos.timeseries,
      recordedRefs: () => [...app.history.points, ...app.repos.watchList.list()],
      report: (level, message, data) => app.repos.events.add(level, "bacnet", message, data),
    },
    {
      mappings: options.trendLogs ?? [],
      auto: options.trendBackfill !== "off",
      intervalMs: (options.trendBackfillIntervalS ?? 300) * 1000,
      retentionMs: options.historyRetentionHours * 3_600_000,
    },
  );
  app.decorate("trendBackfill", trendBackfill);

  const deviceAlarms = new DeviceAlarmManager(
    {
      bacnet: () => {
        try {
          return app.bacnet;
        } catch {
          return undefined;
        }
      },
      sink: app.alertSink,
      alerts: app.repos.alerts,
      report: (level, message, data) => {
        app.repos.events.add(level, "bacnet", message, data);
        // Also on the process log: leaving recipient lists happens on the way out, when only it is read.
        app.log[level](data, message);
      },
    },
    {
      devices: options.deviceAlarms ?? "off",
      confirmed: options.deviceAlarmsConfirmed ?? true,
      ...(options.deviceAlarmWebhook ? { webhookUrl: options.deviceAlarmWebhook } : {}),
      passMs: (options.deviceAlarmPassS ?? 60) * 1000,
    },
  );
  app.decorate("deviceAlarms", deviceAlarms);
  app.addHook("onReady", async () => deviceAlarms.start());
  // Before the protocol plugins close (onClose): leave the devices' recipient lists, within a budget.
  app.addHook("preClose", async () => deviceAlarms.leaveAll());
  app.addHook("onClose", async () => deviceAlarms.stop());
  app.addHook("onReady", async () => trendBackfill.start());
  app.addHook("onClose", async () => trendBackfill.stop());
  // Expired overrides are relinquished as soon as the point I/O side is up, then every second.
  app.addHook("onReady", async () => overrides.start());
  app.addHook("onClose", async () => overrides.stop());

  await app.register(configRoutes, { prefix: "/api/config" });
  await app.register(executionRoutes, { prefix: "/api/execution" });
  await app.register(flowRoutes, { prefix: "/api/flows" });
  await app.register(debugRoutes, { prefix: "/api/debug" });
  await app.register(deviceRoutes, { prefix: "/api/devices" });
  await app.register(pointRoutes, { prefix: "/api/points" });
  await app.register(pluginRoutes, { prefix: "/api/plugins" });
  await app.register(dataRoutes, { prefix: "/api/data" });
  await app.register(monitoringRoutes, { prefix: "/api/monitoring", dataDir: options.dataDir });
  await app.register(alertRoutes, { prefix: "/api/alerts" });
  const reportKey = loadOrCreateReportKey(options.dataDir);
  app.decorate("reportKeyFingerprint", reportKey.fingerprint);
  await app.register(commissioningRoutes, {
    prefix: "/api/commissioning",
    dataDir: options.dataDir,
    key: reportKey,
  });
  await app.register(healthRoutes, { prefix: "/api" });
  await app.register(authRoutes, { prefix: "/api/auth" });
  await app.register(auditRoutes, { prefix: "/api/audit" });
  await app.register(systemRoutes, { prefix: "/api/system", dataDir: options.dataDir });
  await app.register(prometheusRoute, { dataDir: options.dataDir });
  await app.register(openApiRoutes);
  await app.register(dashboardPlugin);
  return app;
}
