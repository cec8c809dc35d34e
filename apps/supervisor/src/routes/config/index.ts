import { lookupNode, presentPorts } from "@bms/nodes";
import { type DeploymentPackage, DeploymentPackageSchema, DeployResponseSchema } from "@bms/schemas";
import type { FastifyInstance, FastifyRequest } from "fastify";
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
    project_version: stored.project_version,
    checksum: stored.checksum,
    activated_at: stored.deployed_at,
  };
}

/** Ports and labels of the node types a package uses, so a viewer can draw it as the Designer does. */
function nodeTypesOf(pkg: DeploymentPackage | undefined) {
  const types = new Set(pkg?.configuration.nodes.map((n) => n.type) ?? []);
  return Object.fromEntries(
    [...types].flatMap((type) => {
      const d = lookupNode(type);
      if (!d) return [];
      const port = (p: { name: string; type: string; label?: string }) => ({
        name: p.name,
        type: p.type,
        ...(p.label ? { label: p.label } : {}),
      });
      return [
        [
          type,
          {
            label: d.label,
            icon: d.icon,
            category: d.category,
            inputs: d.inputs.map(port),
            outputs: d.outputs.map(port),
          },
        ],
      ];
    }),
  );
}

/**
 * The ports each node has with its config and wires (a configurable input count: Select, Math, AND …),
 * so a viewer draws what the Designer draws rather than every port the type could have.
 */
function nodePortsOf(pkg: DeploymentPackage | undefined) {
  const flow = pkg?.configuration;
  if (!flow) return {};
  return Object.fromEntries(
    flow.nodes.flatMap((node) => {
      const d = lookupNode(node.type);
      if (!d) return [];
      const wiredIn = new Set(flow.connections.filter((c) => c.to_node === node.id).map((c) => c.to_input));
      const wiredOut = new Set(
        flow.connections.filter((c) => c.from_node === node.id).map((c) => c.from_output),
      );
      return [
        [
          node.id,
          {
            inputs: presentPorts(d.inputs, node.config, wiredIn).map((p) => p.name),
            outputs: presentPorts(d.outputs, node.config, wiredOut).map((p) => p.name),
          },
        ],
      ];
    }),
  );
}

/** The audit facts of an activated version: which flow, which version, which bytes. */
function describe(request: FastifyRequest, stored: StoredConfig): void {
  if (!request.auditNote) return;
  request.auditNote.target = `${stored.flow_name} v${stored.version}`;
  request.auditNote.details = {
    config_version: stored.version,
    flow_id: stored.flow_id,
    checksum: stored.checksum,
    ...(stored.deployed_by ? { deployed_by: stored.deployed_by } : {}),
  };
}

export async function configRoutes(app: FastifyInstance): Promise<void> {
  route(app, {
    method: "POST",
    url: "/deploy",
    summary: "Validate, store as a new version and activate a deployment package",
    tags: ["config"],
    auth: "operator",
    audit: { action: "config.deploy" },
    documentedBody: DeploymentPackageSchema,
    response: DeployResponseSchema,
    async handler(_input, request) {
      const result = await app.deployer.deploy(request.body);
      if (!result.ok)
        throw new HttpError(422, "the deployment package is invalid; nothing was changed", result.errors);
      describe(request, result.stored);
      return deployed(result.stored);
    },
  });

  route(app, {
    method: "POST",
    url: "/validate",
    summary: "Validate a deployment package without storing or running it",
    tags: ["config"],
    documentedBody: DeploymentPackageSchema,
    // Operator, though it changes nothing: it runs the whole validator on a caller's package.
    auth: "operator",
    audit: { none: "validation stores and changes nothing" },
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
      const pkg = app.repos.configs.package(active.version);
      const plan = app.engine.flow?.stored.version === active.version ? app.engine.flow.plan : undefined;
      return {
        ...app.repos.configs.get(active.version),
        running: app.engine.status === "running",
        package: pkg,
        node_types: nodeTypesOf(app.engine.flow?.pkg),
        node_ports: nodePortsOf(app.engine.flow?.pkg),
        // Every point the flow reads or commands, by node: the dashboard's points table starts here.
        points: (plan?.nodes ?? []).flatMap((n) => [
          ...n.reads.map((ref) => ({ ref, role: "read" as const, node_id: n.id })),
          ...n.writes.map((ref) => ({ ref, role: "write" as const, node_id: n.id })),
        ]),
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
    auth: "operator",
    audit: {
      action: "config.rollback",
      target: ({ body }) => (body.version ? `v${body.version}` : "previous"),
    },
    body: z.object({ version: z.number().int().min(1).optional() }).default({}),
    async handler({ body }, request) {
      const result = await app.deployer.rollback(body.version);
      if (!result.ok) {
        const missing = result.errors.some((e) => e.message.includes("does not exist"));
        throw new HttpError(missing ? 404 : 422, "rollback refused", result.errors);
      }
      describe(request, result.stored);
      return deployed(result.stored);
    },
  });

  route(app, {
    method: "POST",
    url: "/reload",
    summary: "Reload the active config from runtime.db and restart it",
    tags: ["config"],
    auth: "operator",
    audit: { action: "config.reload" },
    async handler(_input, request) {
      const result = await app.deployer.reload();
      if (!result.ok) throw new HttpError(409, "nothing to reload", result.errors);
      describe(request, result.stored);
      return deployed(result.stored);
    },
  });
}
