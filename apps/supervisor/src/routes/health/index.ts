import type { FastifyInstance } from "fastify";
import { route } from "../../http/route";
import { SUPERVISOR_VERSION } from "../../version";

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  route(app, {
    method: "GET",
    url: "/health",
    summary: "Liveness and a summary of what the supervisor is doing",
    tags: ["health"],
    auth: "viewer",
    handler() {
      const devices = app.repos.devices.list();
      let dbOk = true;
      try {
        app.db.prepare("SELECT 1").get();
      } catch {
        dbOk = false;
      }
      return {
        status: dbOk ? "ok" : "degraded",
        version: SUPERVISOR_VERSION,
        uptime_s: Math.round(process.uptime()),
        database: dbOk ? "ok" : "error",
        flow: app.engine.status,
        config_version: app.engine.flow?.stored.version ?? null,
        devices: {
          total: devices.length,
          online: devices.filter((d) => d.status === "online").length,
          offline: devices.filter((d) => d.status === "offline").length,
        },
      };
    },
  });
}
