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
        config_version: app.engine.site?.stored.version ?? null,
        devices: {
          total: devices.length,
          online: devices.filter((d) => d.status === "online").length,
          offline: devices.filter((d) => d.status === "offline").length,
        },
      };
    },
  });

  route(app, {
    method: "GET",
    url: "/auth/whoami",
    summary: "What the presented token allows (admin, viewer or anonymous) and whether reads need one",
    tags: ["health"],
    auth: "public",
    handler(_input, request) {
      const { role, readsNeedToken } = app.roleOf(request);
      return {
        role,
        can_read: role !== "anonymous" || !readsNeedToken,
        can_write: role === "admin",
        reads_need_token: readsNeedToken,
      };
    },
  });
}
