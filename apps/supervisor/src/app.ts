import Fastify, { type FastifyInstance } from "fastify";
import { dashboardPlugin } from "./dashboard/plugin";
import { Deployer } from "./engine/deployer";
import { installErrorHandler } from "./http/error-handler";
import { openApiRoutes } from "./openapi/routes";
import type { SupervisorOptions } from "./options";
import { authPlugin } from "./plugins/auth";
import { bacnetPlugin } from "./plugins/bacnet";
import { enginePlugin } from "./plugins/engine";
import { storagePlugin } from "./plugins/storage";
import { alertRoutes } from "./routes/alerts";
import { configRoutes } from "./routes/config";
import { dataRoutes } from "./routes/data";
import { deviceRoutes } from "./routes/devices";
import { executionRoutes } from "./routes/execution";
import { flowRoutes } from "./routes/flows";
import { healthRoutes } from "./routes/health";
import { monitoringRoutes, prometheusRoute } from "./routes/monitoring";
import { pointRoutes } from "./routes/points";

export type AppOptions = SupervisorOptions & { token: string };

/** Builds the supervisor without listening, so tests can `inject()` and the CLI can `listen()`. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: options.logLevel },
    bodyLimit: 10 * 1024 * 1024,
    // Deploys and API calls are small; a slow client must not hold a socket forever.
    requestTimeout: 30_000,
  });
  installErrorHandler(app);

  await app.register(storagePlugin, { dataDir: options.dataDir });
  await app.register(authPlugin, {
    adminToken: options.token,
    ...(options.viewerToken ? { viewerToken: options.viewerToken } : {}),
  });
  await app.register(bacnetPlugin, {
    bindAddress: options.bacnetBind,
    port: options.bacnetPort,
    broadcast: options.broadcast,
    requestTimeoutMs: options.requestTimeoutMs,
    retries: options.retries,
    perDeviceConcurrency: options.perDeviceConcurrency,
    maxInFlight: 200,
    offlineAfterFailures: 2,
    ...(options.bacnetPins ? { pins: options.bacnetPins } : {}),
    ...(options.bacnetLimits ? { limits: options.bacnetLimits } : {}),
    discoverOnStart: options.discoverOnStart ?? true,
  });
  await app.register(enginePlugin, {
    execute: options.execute,
    historyRetentionHours: options.historyRetentionHours,
    historyMinIntervalMs: options.historyMinIntervalMs,
    watchIntervalMs: 5000,
    ...(options.scriptWorkers === undefined ? {} : { scriptWorkers: options.scriptWorkers }),
  });
  app.decorate(
    "deployer",
    new Deployer(app.repos.configs, app.repos.devices, app.repos.events, app.engine, options.execute),
  );

  await app.register(configRoutes, { prefix: "/api/config" });
  await app.register(executionRoutes, { prefix: "/api/execution" });
  await app.register(flowRoutes, { prefix: "/api/flows" });
  await app.register(deviceRoutes, { prefix: "/api/devices" });
  await app.register(pointRoutes, { prefix: "/api/points" });
  await app.register(dataRoutes, { prefix: "/api/data" });
  await app.register(monitoringRoutes, { prefix: "/api/monitoring", dataDir: options.dataDir });
  await app.register(alertRoutes, { prefix: "/api/alerts" });
  await app.register(healthRoutes, { prefix: "/api" });
  await app.register(prometheusRoute, { dataDir: options.dataDir });
  await app.register(openApiRoutes);
  await app.register(dashboardPlugin);
  return app;
}
