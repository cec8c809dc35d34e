import { DeployResponseSchema } from "@bms/schemas";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Deployer } from "../../engine/deployer";
import { HttpError, route } from "../../http/route";
import type { StoredConfig } from "../../storage/configs-repo";

declare module "fastify" {
  interface FastifyInstance {
    deployer: Deployer;
  }
}

function deployed(stored: StoredConfig) {
  return {
    status: "deployed" as const,
    config_version: stored.version,
    flow_id: stored.flow_id,
    flow_name: stored.flow_name,
    checksum: stored.checksum,
    activated_at: stored.deployed_at,
  };
}

export async function configRoutes(app: FastifyInstance): Promise<void> {
  route(app, {
    method: "POST",
    url: "/deploy",
    summary: "Validate, store as a new version and activate a deployment package",
    tags: ["config"],
    auth: "admin",
    response: DeployResponseSchema,
    async handler(_input, request) {
      const result = await app.deployer.deploy(request.body);
      if (!result.ok)
        throw new HttpError(422, "the deployment package is invalid; nothing was changed", result.errors);
      return deployed(result.stored);
    },
  });

  route(app, {
    method: "POST",
    url: "/validate",
    summary: "Validate a deployment package without storing or running it",
    tags: ["config"],
    auth: "viewer",
    async handler(_input, request) {
      const result = app.deployer.validate(request.body);
      if (!result.ok) throw new HttpError(422, "the deployment package is invalid", result.errors);
      const plan = result.plan.ok ? result.plan.plan : undefined;
      return {
        valid: true,
        nodes: plan?.nodes.length ?? 0,
        reads: plan?.reads ?? [],
        writes: plan?.writes ?? [],
      };
    },
  });

  route(app, {
    method: "GET",
    url: "/current",
    summary: "The active config: version, metadata and the full package",
    tags: ["config"],
    auth: "viewer",
    handler() {
      const active = app.repos.configs.active();
      if (!active) throw new HttpError(404, "no config has been deployed yet");
      return {
        ...app.repos.configs.get(active.version),
        running: app.engine.status === "running",
        package: app.repos.configs.package(active.version),
      };
    },
  });

  route(app, {
    method: "GET",
    url: "/history",
    summary: "Deployed config versions, newest first",
    tags: ["config"],
    auth: "viewer",
    query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) }),
    handler({ query }) {
      const active = app.repos.configs.active();
      return {
        active_version: active?.version ?? null,
        versions: app.repos.configs.history(query.limit),
      };
    },
  });

  route(app, {
    method: "POST",
    url: "/rollback",
    summary: "Re-activate an earlier version (the previous one by default) as a new version",
    tags: ["config"],
    auth: "admin",
    body: z.object({ version: z.number().int().min(1).optional() }).default({}),
    async handler({ body }) {
      const result = await app.deployer.rollback(body.version);
      if (!result.ok) {
        const missing = result.errors.some((e) => e.message.includes("does not exist"));
        throw new HttpError(missing ? 404 : 422, "rollback refused", result.errors);
      }
      return deployed(result.stored);
    },
  });

  route(app, {
    method: "POST",
    url: "/reload",
    summary: "Reload the active config from runtime.db and restart it",
    tags: ["config"],
    auth: "admin",
    async handler() {
      const result = await app.deployer.reload();
      if (!result.ok) throw new HttpError(409, "nothing to reload", result.errors);
      return deployed(result.stored);
    },
  });
}
