import type { NodeParameter } from "@bms/nodes";
import type { ExecutionStateResponse, FlowStatusResponse, NodeExecutionStatus } from "@bms/schemas";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { HttpError, route } from "../../http/route";

export async function executionRoutes(app: FastifyInstance): Promise<void> {
  /** The parameters the running flow's nodes publish, with their defaults and limits, by name. */
  const labelOf = (nodeId: string) =>
    app.engine.flow?.plan.flow.nodes.find((n) => n.id === nodeId)?.label ?? nodeId;
  const declaredParameters = () => {
    const out = new Map<string, NodeParameter & { nodeId: string; label: string }>();
    for (const node of app.engine.flow?.plan.nodes ?? []) {
      for (const p of node.definition.parameters?.(node.config) ?? [])
        out.set(p.name, { ...p, nodeId: node.id, label: labelOf(node.id) });
    }
    return out;
  };

  /** What start/stop/restart act on, for the audit record: the active flow and its version. */
  const flowTarget = () => {
    const stored = app.engine.flow?.stored;
    return stored ? `${stored.flow_name} v${stored.version}` : null;
  };

  const status = (): FlowStatusResponse => {
    const flow = app.engine.flow;
    const out: FlowStatusResponse = {
      flow_id: flow?.stored.flow_id ?? null,
      flow_name: flow?.stored.flow_name ?? null,
      config_version: flow?.stored.version ?? null,
      status: app.engine.status,
      last_execution: app.engine.tracker.lastScanAt
        ? new Date(app.engine.tracker.lastScanAt).toISOString()
        : null,
      execution_count: app.engine.tracker.scans,
    };
    if (app.engine.errorMessage) out.error_message = app.engine.errorMessage;
    return out;
  };

  route(app, {
    method: "GET",
    url: "/status",
    summary: "Flow run status",
    tags: ["execution"],
    auth: "viewer",
    handler: () => ({
      ...status(),
      trigger: app.engine.flow?.plan.flow.execution.trigger ?? null,
      avg_scan_ms: app.engine.tracker.averageScanMs(),
      avg_cycle_ms: app.engine.tracker.averageCycleMs(),
      cov: app.cov.status(),
      started_at: app.engine.startedAt ? new Date(app.engine.startedAt).toISOString() : null,
    }),
  });

  route(app, {
    method: "POST",
    url: "/start",
    summary: "Start the active flow",
    tags: ["execution"],
    auth: "operator",
    audit: { action: "execution.start", target: flowTarget },
    handler() {
      if (!app.engine.start()) throw new HttpError(409, "no config has been deployed");
      return status();
    },
  });

  route(app, {
    method: "POST",
    url: "/stop",
    summary: "Stop the flow and relinquish every point it commanded",
    tags: ["execution"],
    auth: "operator",
    audit: { action: "execution.stop", target: flowTarget },
    async handler(_input, request) {
      if (!app.engine.flow) throw new HttpError(409, "no config has been deployed");
      await app.engine.stop(`stopped through the API by ${request.identity?.name ?? "anonymous"}`);
      return status();
    },
  });

  route(app, {
    method: "POST",
    url: "/restart",
    summary: "Stop (relinquishing) and start the flow again",
    tags: ["execution"],
    auth: "operator",
    audit: { action: "execution.restart", target: flowTarget },
    async handler() {
      if (!app.engine.flow) throw new HttpError(409, "no config has been deployed");
      await app.engine.stop("restart requested");
      app.engine.start();
      return status();
    },
  });

  route(app, {
    method: "GET",
    url: "/state",
    summary: "The last scan: per-node status, inputs and outputs, and the timeline",
    tags: ["execution"],
    auth: "viewer",
    query: z.object({ timeline: z.coerce.number().int().min(0).max(5000).default(200) }),
    handler({ query }): ExecutionStateResponse {
      const engine = app.engine;
      const flow = engine.flow;
      const running = engine.status === "running";
      // A flow that is not scanning has no current values: its nodes say "stopped" (a node that failed
      // keeps its error), and the last scan's values are not handed out as if they were live.
      const statuses = running
        ? engine.tracker.nodeStatuses()
        : engine.tracker.nodeStatuses().map(
            (s): NodeExecutionStatus =>
              s.status === "error"
                ? {
                    node_id: s.node_id,
                    status: "error",
                    ...(s.error_message ? { error_message: s.error_message } : {}),
                  }
                : { node_id: s.node_id, status: "stopped" },
          );
      const mem = process.memoryUsage();
      return {
        execution_state: {
          flow_id: flow?.stored.flow_id ?? null,
          status: !flow
            ? "idle"
            : engine.status === "running"
              ? "running"
              : engine.status === "error"
                ? "error"
                : "stopped",
          current_executing_nodes: [],
          execution_start_time: engine.startedAt ? new Date(engine.startedAt).toISOString() : null,
          execution_context: running ? engine.liveContext() : {},
          total_nodes: flow?.plan.nodes.length ?? 0,
          completed_nodes: statuses.filter((s) => s.status === "completed").length,
          failed_nodes: statuses.filter((s) => s.status === "error").map((s) => s.node_id),
          execution_timeline: engine.tracker.recentTimeline(query.timeline),
        },
        node_statuses: statuses,
        live_context: running ? Object.fromEntries(engine.readValues()) : {},
        scan: engine.tracker.scans,
        last_scan_at: engine.tracker.lastScanAt ? new Date(engine.tracker.lastScanAt).toISOString() : null,
        performance_metrics: {
          avg_execution_time_ms: engine.tracker.averageScanMs(),
          nodes_per_second: engine.tracker.nodesPerSecond(),
          memory_usage_mb: Math.round((mem.rss / 1_048_576) * 10) / 10,
        },
      };
    },
  });

  route(app, {
    method: "GET",
    url: "/traces",
    summary: "Per-scan node inputs and outputs over the last 15 minutes",
    tags: ["execution"],
    auth: "viewer",
    query: z.object({
      since: z.coerce.number().int().optional(),
      node: z.string().optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
    handler({ query }) {
      const traces = app.engine.tracker.tracesSince(query.since ?? Date.now() - 15 * 60_000, query.node);
      return { traces: traces.slice(-query.limit) };
    },
  });

  route(app, {
    method: "GET",
    url: "/logs",
    summary: "Execution and error log",
    tags: ["execution"],
    auth: "viewer",
    query: z.object({
      limit: z.coerce.number().int().min(1).max(5000).default(200),
      level: z.enum(["info", "warn", "error"]).optional(),
      since: z.coerce.number().int().optional(),
    }),
    handler({ query }) {
      return { logs: app.repos.events.recent(query) };
    },
  });

  route(app, {
    method: "GET",
    url: "/parameters",
    summary: "Runtime parameters (setpoints the flow's parameter nodes expose) and their current values",
    tags: ["execution"],
    auth: "viewer",
    handler() {
      return {
        parameters: [...declaredParameters()].map(([name, d]) => ({
          name,
          node_id: d.nodeId,
          label: d.label,
          default: d.value,
          min: d.min ?? null,
          max: d.max ?? null,
          unit: d.unit ?? "",
          value: app.engine.parameters.get(name) ?? d.value,
        })),
      };
    },
  });

  route(app, {
    method: "PUT",
    url: "/parameters/:name",
    summary: "Set a runtime parameter; the next scan uses it",
    tags: ["execution"],
    auth: "operator",
    audit: { action: "parameter.set", target: ({ params }) => params.name },
    params: z.object({ name: z.string().min(1).max(100) }),
    body: z.object({ value: z.union([z.number(), z.boolean(), z.string().max(1000)]) }),
    handler({ params, body }, request) {
      if (request.auditNote)
        request.auditNote.details = {
          value: body.value,
          before: app.engine.parameters.get(params.name) ?? null,
        };
      const declared = declaredParameters().get(params.name);
      if (!declared) throw new HttpError(404, `the running flow has no parameter "${params.name}"`);
      // The node's declared type and limits, checked here so a refused value is an answer the operator
      // sees, not a clamp the node marks uncertain a scan later.
      const problem =
        typeof body.value !== typeof declared.value
          ? `must be a ${typeof declared.value}`
          : typeof body.value === "number" && declared.min != null && body.value < declared.min
            ? `must be at least ${declared.min}${declared.unit ? ` ${declared.unit}` : ""}`
            : typeof body.value === "number" && declared.max != null && body.value > declared.max
              ? `must be at most ${declared.max}${declared.unit ? ` ${declared.unit}` : ""}`
              : null;
      if (problem) throw new HttpError(422, "invalid body", [{ path: "value", message: problem }]);
      app.engine.parameters.set(params.name, body.value);
      app.repos.events.add("info", "parameters", `${params.name} = ${String(body.value)}`);
      return { name: params.name, value: body.value };
    },
  });

  const latches = () => (app.engine.flow?.plan.nodes ?? []).filter((n) => n.type === "latch");

  route(app, {
    method: "GET",
    url: "/latches",
    summary: "The running flow's latches (SR flip-flops) and their last output",
    tags: ["execution"],
    auth: "viewer",
    handler() {
      const runs = new Map(app.engine.tracker.nodeStatuses().map((s) => [s.node_id, s]));
      return {
        latches: latches().map((n) => {
          const q = (runs.get(n.id)?.output_values as Record<string, { value?: unknown }> | undefined)?.q;
          return { node_id: n.id, label: labelOf(n.id), q: typeof q?.value === "boolean" ? q.value : null };
        }),
      };
    },
  });

  route(app, {
    method: "POST",
    url: "/latches/:node/reset",
    summary: "Reset a latch: it clears on the next scan (a set still asserted sets it again)",
    tags: ["execution"],
    auth: "operator",
    audit: { action: "latch.reset", target: ({ params }) => params.node },
    params: z.object({ node: z.string().min(1).max(100) }),
    handler({ params }, request) {
      const node = latches().find((n) => n.id === params.node);
      if (!node) throw new HttpError(404, `the running flow has no latch "${params.node}"`);
      // The latch owns its state: a new token on its reset parameter clears it once (as an alarm ack does).
      app.engine.parameters.set(`latch_reset:${node.id}`, Date.now());
      app.repos.events.add("info", "parameters", `latch ${labelOf(node.id)} reset`);
      if (request.auditNote) request.auditNote.details = { label: labelOf(node.id) };
      return { node_id: node.id, reset: true };
    },
  });
}
