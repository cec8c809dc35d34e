import { type FlowPlan, lookupNode, presentPorts } from "@bms/nodes";
import { AnyDeploymentPackageSchema, DeployResponseSchema, type FlowConfiguration } from "@bms/schemas";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { Deployer, DeployMode } from "../../engine/deployer";
import type { FlowChange } from "../../engine/site-engine";
import { HttpError, route } from "../../http/route";
import type { StoredConfig } from "../../storage/configs-repo";

declare module "fastify" {
  interface FastifyInstance {
    deployer: Deployer;
  }
}

function deployed(stored: StoredConfig, changes: FlowChange[]) {
  return {
    status: "deployed" as const,
    config_version: stored.version,
    flow_id: stored.flow_id,
    flow_name: stored.flow_name,
    project_version: stored.project_version,
    checksum: stored.checksum,
    activated_at: stored.deployed_at,
    project_id: stored.project_id,
    flows: changes,
  };
}

/**
 * How the deploy treats a supervisor that runs another project: `?mode=replace`, or `mode` beside the
 * package fields (taken out before the checksum check: it says how to deploy, not what).
 */
function deployRequest(request: { body: unknown; query: unknown }): { body: unknown; mode: DeployMode } {
  const query = (request.query ?? {}) as { mode?: unknown };
  let body = request.body;
  let mode: unknown = query.mode;
  if (body && typeof body === "object" && !Array.isArray(body) && "mode" in body) {
    const { mode: inBody, ...rest } = body as Record<string, unknown>;
    mode ??= inBody;
    body = rest;
  }
  if (mode !== undefined && mode !== "update" && mode !== "replace") {
    throw new HttpError(422, "invalid deploy mode", [
      { path: "mode", message: 'must be "update" (the default) or "replace"' },
    ]);
  }
  return { body, mode: (mode as DeployMode | undefined) ?? "update" };
}

/** Ports and labels of the node types the flows use, so a viewer can draw them as the Designer does. */
function nodeTypesOf(flows: readonly FlowConfiguration[]) {
  const types = new Set(flows.flatMap((f) => f.nodes.map((n) => n.type)));
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
function nodePortsOf(flows: readonly FlowConfiguration[]) {
  // Keyed by node id as the dashboard draws one flow; in a site, the first flow to use an id wins.
  const ports: Record<string, { inputs: string[]; outputs: string[] }> = {};
  for (const flow of flows) {
    for (const node of flow.nodes) {
      const d = lookupNode(node.type);
      if (!d || ports[node.id]) continue;
      const wiredIn = new Set(flow.connections.filter((c) => c.to_node === node.id).map((c) => c.to_input));
      const wiredOut = new Set(
        flow.connections.filter((c) => c.from_node === node.id).map((c) => c.from_output),
      );
      ports[node.id] = {
        inputs: presentPorts(d.inputs, node.config, wiredIn).map((p) => p.name),
        outputs: presentPorts(d.outputs, node.config, wiredOut).map((p) => p.name),
      };
    }
  }
  return ports;
}

/**
 * The audit facts of an activated version: which project and flow, which version, which bytes, and
 * for a `mode=replace` deploy that took over another project's supervisor, which project it replaced.
 */
function describe(
  request: FastifyRequest,
  stored: StoredConfig,
  deploy?: { mode: DeployMode; replaced: { project_id: string; project_name: string } | undefined },
): void {
  if (!request.auditNote) return;
  request.auditNote.target = `${stored.flow_name} v${stored.version}`;
  request.auditNote.details = {
    config_version: stored.version,
    project_id: stored.project_id,
    flow_id: stored.flow_id,
    checksum: stored.checksum,
    ...(stored.deployed_by ? { deployed_by: stored.deployed_by } : {}),
    ...(deploy?.mode === "replace"
      ? { mode: "replace", ...(deploy.replaced ? { replaced_project: deploy.replaced } : {}) }
      : {}),
  };
}

export async function configRoutes(app: FastifyInstance): Promise<void> {
  /** Points of these flows that no loaded plugin serves (or that do not parse), with the registry's code. */
  function unserved(plans: readonly FlowPlan[]): { point: string; code: string; message: string }[] {
    const refs = new Set(plans.flatMap((p) => [...p.reads, ...p.writes]));
    return [...refs].flatMap((point) => {
      const route = app.points.route(point);
      return route.ok ? [] : [{ point, code: route.code, message: route.message }];
    });
  }

  route(app, {
    method: "POST",
    url: "/deploy",
    summary:
      "Validate, store as a new version and activate a deployment package (a site of flows, or one flow). Unchanged flows keep running; a package of another project than the running one needs mode=replace",
    tags: ["config"],
    auth: "operator",
    audit: { action: "config.deploy" },
    documentedBody: AnyDeploymentPackageSchema,
    query: z.object({ mode: z.enum(["update", "replace"]).optional() }),
    response: DeployResponseSchema,
    async handler(_input, request) {
      const { body, mode } = deployRequest(request);
      const result = await app.deployer.deploy(body, mode);
      if (!result.ok && result.code === "project_conflict")
        throw new HttpError(409, "this supervisor runs another project; nothing was changed", result.errors);
      if (!result.ok)
        throw new HttpError(422, "the deployment package is invalid; nothing was changed", result.errors);
      describe(request, result.stored, { mode, replaced: result.replaced });
      const missing = unserved(app.engine.plans());
      if (missing.length > 0)
        app.repos.events.add(
          "warn",
          "config",
          `the deployed flows use ${missing.length} point(s) no loaded plugin serves; they read bad (no_plugin)`,
          { points: missing.slice(0, 20).map((m) => m.point) },
        );
      return deployed(result.stored, result.changes);
    },
  });

  route(app, {
    method: "POST",
    url: "/validate",
    summary: "Validate a deployment package without storing or running it",
    tags: ["config"],
    documentedBody: AnyDeploymentPackageSchema,
    // Operator, though it changes nothing: it runs the whole validator on a caller's package.
    auth: "operator",
    audit: { none: "validation stores and changes nothing" },
    async handler(_input, request) {
      const result = app.deployer.validate(deployRequest(request).body);
      if (!result.ok) throw new HttpError(422, "the deployment package is invalid", result.errors);
      return {
        valid: true,
        nodes: result.plans.reduce((n, p) => n + p.nodes.length, 0),
        reads: [...new Set(result.plans.flatMap((p) => p.reads))],
        writes: [...new Set(result.plans.flatMap((p) => p.writes))],
        // Points no loaded plugin serves: the package is valid, but they would read bad (no_plugin).
        unserved: unserved(result.plans),
        flows: result.plans.map((p) => ({
          flow_id: p.flow.metadata.flow_id,
          name: p.flow.metadata.flow_name,
          nodes: p.nodes.length,
        })),
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
      const current = app.engine.site?.stored.version === active.version;
      const plans = current ? app.engine.plans() : [];
      return {
        ...app.repos.configs.get(active.version),
        running: app.engine.status === "running",
        package: pkg,
        node_types: nodeTypesOf(plans.map((p) => p.flow)),
        node_ports: nodePortsOf(plans.map((p) => p.flow)),
        // Node ids repeat across flows (ten instances of one library subflow): the picture of one flow
        // takes its own.
        flow_ports: Object.fromEntries(plans.map((p) => [p.flow.metadata.flow_id, nodePortsOf([p.flow])])),
        // Every point the flows read or command, by flow and node: the dashboard's points table starts here.
        points: plans.flatMap((plan) =>
          plan.nodes.flatMap((n) => [
            ...n.reads.map((ref) => ({
              ref,
              role: "read" as const,
              node_id: n.id,
              flow_id: plan.flow.metadata.flow_id,
            })),
            ...n.writes.map((ref) => ({
              ref,
              role: "write" as const,
              node_id: n.id,
              flow_id: plan.flow.metadata.flow_id,
            })),
          ]),
        ),
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
      return deployed(result.stored, result.changes);
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
      return deployed(result.stored, result.changes);
    },
  });
}
