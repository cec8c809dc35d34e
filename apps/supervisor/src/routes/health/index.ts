import type { FastifyInstance } from "fastify";
import { route } from "../../http/route";
import { SUPERVISOR_VERSION } from "../../version";

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  route(app, {
    method: "GET",
    url: "/health",
    summary: "Liveness (public); with read access also a summary of what the supervisor is doing",
    tags: ["health"],
    // Public so a load balancer or monitor can probe it without a token; the summary below it is a read.
    auth: "public",
    handler(_input, request) {
      const devices = app.repos.devices.list();
      let dbOk = true;
      try {
        app.db.prepare("SELECT 1").get();
      } catch {
        dbOk = false;
      }
      const status = dbOk ? "ok" : "degraded";
      if (!request.identity && !app.auth.options.publicRead) return { status, version: SUPERVISOR_VERSION };
      return {
        status,
        version: SUPERVISOR_VERSION,
        uptime_s: Math.round(process.uptime()),
        database: dbOk ? "ok" : "error",
        flow: app.engine.status,
        config_version: app.engine.site?.stored.version ?? null,
        // What a staged rollout's health gate compares before and after a deploy: scans must go on, and
        // neither bad points nor open alarms may grow.
        scans: app.engine.flows().reduce((n, f) => n + f.tracker.scans, 0),
        bad_points: app.engine.reads.badPoints(),
        alarms_open: app.repos.alerts.list(true, 10_000).length,
        project: app.engine.site
          ? {
              id: app.engine.site.stored.project_id,
              name: app.engine.site.stored.project_name,
              version: app.engine.site.stored.project_version,
            }
          : null,
        devices: {
          total: devices.length,
          online: devices.filter((d) => d.status === "online").length,
          offline: devices.filter((d) => d.status === "offline").length,
        },
        // The site's points against the JS heap this process may use: a warning before it runs out.
        memory: app.heapBudget.current ?? app.heapBudget.check(0),
        // The Sparkplug northbound: connected, publishing, buffered/dropped counts (null when off).
        sparkplug: app.sparkplug?.status ?? null,
      };
    },
  });
}
