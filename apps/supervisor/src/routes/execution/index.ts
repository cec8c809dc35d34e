import type { NodeParameter, SavedNodeState } from "@bms/nodes";
import type { ExecutionStateResponse, FlowStatusResponse, NodeExecutionStatus } from "@bms/schemas";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { FlowEngine } from "../../engine/flow-engine";
import { HttpError, route } from "../../http/route";

/** `?flow_id=`: narrows a site-wide read to one flow. */
export const FlowFilterSchema = z.object({ flow_id: z.string().min(1).max(64).optional() });

/** One flow's run status in the seed's FlowStatusResponse shape. */
export function flowStatus(engine: FlowEngine): FlowStatusResponse {
  const out: FlowStatusResponse = {
    flow_id: engine.flowId,
    flow_name: engine.name,
    config_version: engine.flow?.stored.version ?? null,
    status: engine.status,
    last_execution: engine.tracker.lastScanAt ? new Date(engine.tracker.lastScanAt).toISOString() : null,
    execution_count: engine.tracker.scans,
  };
  if (engine.errorMessage) out.error_message = engine.errorMessage;
  return out;
}

/** The last scan of these flows: one flow's picture, or the site's (statuses and timelines side by side). */
export function executionState(
  flows: readonly FlowEngine[],
  timeline: number,
  flowId: string | null,
): ExecutionStateResponse {
  // A flow that is not scanning has no current values: its nodes say "stopped" (a node that failed keeps
  // its error), and its last scan's values are not handed out as if they were live.
  const statuses = flows.flatMap((f) =>
    f.status === "running"
      ? f.tracker.nodeStatuses()
      : f.tracker.nodeStatuses().map(
          (s): NodeExecutionStatus =>
            s.status === "error"
              ? {
                  node_id: s.node_id,
                  status: "error",
                  ...(s.error_message ? { error_message: s.error_message } : {}),
                }
              : { node_id: s.node_id, status: "stopped" },
        ),
  );
  const live = flows.filter((f) => f.status === "running");
  const mem = process.memoryUsage();
  const lastScans = flows.map((f) => f.tracker.lastScanAt ?? 0);
  const lastScanAt = Math.max(0, ...lastScans);
  const started = flows.flatMap((f) => (f.startedAt ? [f.startedAt] : []));
  const running = flows.some((f) => f.status === "running");
  const errored = flows.some((f) => f.status === "error");
  const scanMs = flows.reduce((n, f) => n + f.tracker.averageScanMs(), 0);
  return {
    execution_state: {
      flow_id: flowId,
      status: flows.length === 0 ? "idle" : running ? "running" : errored ? "error" : "stopped",
      current_executing_nodes: [],
      execution_start_time: started.length > 0 ? new Date(Math.min(...started)).toISOString() : null,
      execution_context: Object.assign({}, ...live.map((f) => f.liveContext())),
      total_nodes: flows.reduce((n, f) => n + (f.flow?.plan.nodes.length ?? 0), 0),
      completed_nodes: statuses.filter((s) => s.status === "completed").length,
      failed_nodes: statuses.filter((s) => s.status === "error").map((s) => s.node_id),
      execution_timeline: flows
        .flatMap((f) => f.tracker.recentTimeline(timeline))
        .sort((a, b) => a.timestamp.localeCompare(b.timestamp))
        .slice(-timeline),
    },
    node_statuses: statuses,
    live_context: Object.fromEntries(live.flatMap((f) => [...f.readValues()])),
    scan: flows.reduce((n, f) => n + f.tracker.scans, 0),
    last_scan_at: lastScanAt > 0 ? new Date(lastScanAt).toISOString() : null,
    performance_metrics: {
      avg_execution_time_ms: scanMs,
      nodes_per_second: flows.reduce((n, f) => n + f.tracker.nodesPerSecond(), 0),
      memory_usage_mb: Math.round((mem.rss / 1_048_576) * 10) / 10,
    },
  };
}

export async function executionRoutes(app: FastifyInstance): Promise<void> {
  /**
   * The parameters the site's flows publish (or one flow's), with their defaults and limits. Names are
   * per flow: two flows may both publish "setpoint", and each keeps its own value.
   */
  const declaredParameters = (flows: readonly FlowEngine[] = app.engine.flows()) => {
    const out: (NodeParameter & { nodeId: string; flowId: string; label: string })[] = [];
    for (const flow of flows) {
      const plan = flow.flow?.plan;
      const seen = new Set<string>();
      for (const node of plan?.nodes ?? []) {
        const label = plan?.flow.nodes.find((n) => n.id === node.id)?.label ?? node.id;
        for (const p of node.definition.parameters?.(node.config) ?? []) {
          if (seen.has(p.name)) continue;
          seen.add(p.name);
          out.push({ ...p, nodeId: node.id, flowId: flow.flowId, label });
        }
      }
    }
    return out;
  };

  /**
   * The one item a name means: in the given flow, or in the only flow that has it. A name several flows
   * use needs a flow_id (409 with code ambiguous, listing the flows), rather than a guess.
   */
  function pick<T extends { flowId: string }>(found: T[], what: string, flowId: string | undefined): T {
    const matches = flowId === undefined ? found : found.filter((f) => f.flowId === flowId);
    if (matches.length === 0)
      throw new HttpError(
        404,
        `no flow of the running site${flowId ? ` with id "${flowId}"` : ""} has ${what}`,
      );
    if (matches.length > 1)
      throw new HttpError(
        409,
        `${what} exists in ${matches.length} flows: name one with ?flow_id=`,
        matches.map((m) => ({
          path: "flow_id",
          message: `flow ${app.engine.get(m.flowId)?.name ?? m.flowId} (${m.flowId})`,
          code: "ambiguous",
        })),
      );
    return matches[0]!;
  }

  /** What start/stop/restart act on, for the audit record: the active site and its version. */
  const siteTarget = () => {
    const stored = app.engine.site?.stored;
    return stored ? `${stored.flow_name} v${stored.version}` : null;
  };

  /** The flows a request is about: one (`flow_id`, 404 when unknown) or the whole site. */
  const select = (flowId: string | undefined): FlowEngine[] => {
    if (flowId === undefined) return app.engine.flows();
    const one = app.engine.get(flowId);
    if (!one) throw new HttpError(404, `the active site has no flow "${flowId}"`);
    return [one];
  };

  /** The site's status in the seed's shape: the first flow names it, the counters cover every flow. */
  const status = (): FlowStatusResponse & { flows: FlowStatusResponse[] } => {
    const flows = app.engine.flows();
    const site = app.engine.site;
    const single = flows.length === 1 ? flows[0] : undefined;
    const lastScan = Math.max(0, ...flows.map((f) => f.tracker.lastScanAt ?? 0));
    const errors = flows.flatMap((f) => (f.errorMessage ? [`${f.name}: ${f.errorMessage}`] : []));
    const out: FlowStatusResponse & { flows: FlowStatusResponse[] } = {
      flow_id: single?.flowId ?? site?.stored.flow_id ?? null,
      flow_name: single?.name ?? site?.stored.flow_name ?? null,
      config_version: site?.stored.version ?? null,
      status: app.engine.status,
      last_execution: lastScan > 0 ? new Date(lastScan).toISOString() : null,
      execution_count: flows.reduce((n, f) => n + f.tracker.scans, 0),
      flows: flows.map(flowStatus),
    };
    if (errors.length > 0) out.error_message = single ? (single.errorMessage ?? "") : errors.join("; ");
    return out;
  };

  route(app, {
    method: "GET",
    url: "/status",
    summary: "Run status of the site (every flow; the per-flow list is in `flows`)",
    tags: ["execution"],
    auth: "viewer",
    handler: () => {
      const primary = app.engine.primary;
      const started = app.engine.flows().flatMap((f) => (f.startedAt ? [f.startedAt] : []));
      return {
        ...status(),
        trigger: primary?.flow?.plan.flow.execution.trigger ?? null,
        avg_scan_ms: primary?.tracker.averageScanMs() ?? 0,
        avg_cycle_ms: primary?.tracker.averageCycleMs() ?? 0,
        // The first flow's recent scans: start times against its phase clock, cycle times, good reads.
        recent_scans: primary?.timing.recent() ?? [],
        cov: app.cov.status(),
        started_at: started.length > 0 ? new Date(Math.min(...started)).toISOString() : null,
      };
    },
  });

  route(app, {
    method: "POST",
    url: "/start",
    summary: "Start every flow of the active site",
    tags: ["execution"],
    auth: "operator",
    audit: { action: "execution.start", target: siteTarget },
    handler() {
      if (!app.engine.start()) throw new HttpError(409, "no config has been deployed");
      return status();
    },
  });

  route(app, {
    method: "POST",
    url: "/stop",
    summary: "Stop every flow and relinquish every point they commanded",
    tags: ["execution"],
    auth: "operator",
    audit: { action: "execution.stop", target: siteTarget },
    async handler(_input, request) {
      if (!app.engine.site) throw new HttpError(409, "no config has been deployed");
      await app.engine.stop(`stopped through the API by ${request.identity?.name ?? "anonymous"}`);
      return status();
    },
  });

  route(app, {
    method: "POST",
    url: "/restart",
    summary: "Stop (relinquishing) and start every flow again",
    tags: ["execution"],
    auth: "operator",
    audit: { action: "execution.restart", target: siteTarget },
    async handler() {
      if (!app.engine.site) throw new HttpError(409, "no config has been deployed");
      await app.engine.stop("restart requested");
      app.engine.start();
      return status();
    },
  });

  route(app, {
    method: "GET",
    url: "/state",
    summary:
      "The last scan: per-node status, inputs and outputs, and the timeline (the site's, or one flow's)",
    tags: ["execution"],
    auth: "viewer",
    query: FlowFilterSchema.extend({ timeline: z.coerce.number().int().min(0).max(5000).default(200) }),
    handler({ query }): ExecutionStateResponse {
      const flows = select(query.flow_id);
      const flowId =
        query.flow_id ?? (flows.length === 1 ? flows[0]!.flowId : (app.engine.site?.stored.flow_id ?? null));
      return executionState(flows, query.timeline, flowId);
    },
  });

  route(app, {
    method: "GET",
    url: "/traces",
    summary: "Per-scan node inputs and outputs over the last 15 minutes",
    tags: ["execution"],
    auth: "viewer",
    query: FlowFilterSchema.extend({
      since: z.coerce.number().int().optional(),
      node: z.string().optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
    handler({ query }) {
      const traces = select(query.flow_id)
        .flatMap((f) =>
          f.tracker
            .tracesSince(query.since ?? Date.now() - 15 * 60_000, query.node)
            .map((t) => ({ ...t, flow_id: f.flowId })),
        )
        .sort((a, b) => a.at - b.at);
      return { traces: traces.slice(-query.limit) };
    },
  });

  route(app, {
    method: "GET",
    url: "/logs",
    summary: "Execution and error log",
    tags: ["execution"],
    auth: "viewer",
    query: FlowFilterSchema.extend({
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
    summary: "Runtime parameters (setpoints the flows' parameter nodes expose) and their current values",
    tags: ["execution"],
    auth: "viewer",
    query: FlowFilterSchema,
    handler({ query }) {
      const declared = declaredParameters(select(query.flow_id));
      return {
        parameters: declared.map((d) => ({
          name: d.name,
          node_id: d.nodeId,
          flow_id: d.flowId,
          label: d.label,
          default: d.value,
          min: d.min ?? null,
          max: d.max ?? null,
          unit: d.unit ?? "",
          value: app.engine.parameters.get(d.flowId, d.name) ?? d.value,
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
    query: FlowFilterSchema,
    body: z.object({ value: z.union([z.number(), z.boolean(), z.string().max(1000)]) }),
    handler({ params, query, body }, request) {
      const declared = pick(
        declaredParameters().filter((d) => d.name === params.name),
        `a parameter "${params.name}"`,
        query.flow_id,
      );
      if (request.auditNote)
        request.auditNote.details = {
          value: body.value,
          flow_id: declared.flowId,
          before: app.engine.parameters.get(declared.flowId, params.name) ?? null,
        };
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
      app.engine.parameters.set(declared.flowId, params.name, body.value);
      app.repos.events.add("info", "parameters", `${params.name} = ${String(body.value)}`, {
        flow_id: declared.flowId,
      });
      return { name: params.name, flow_id: declared.flowId, value: body.value };
    },
  });

  /**
   * Every latch of the site's flows, with the flow it runs in and its label as drawn: the flow's own and
   * those inside sub-flow nodes (a library instance's), whose id is the path `<sub-flow node>/<latch>`.
   */
  const latches = (): { flowId: string; id: string; label: string; q: boolean | null }[] =>
    app.engine.flows().flatMap((flow) => {
      const active = flow.flow;
      if (!active) return [];
      const statuses = flow.tracker.nodeStatuses();
      const saved = active.runtime.exportState();
      const qOf = (id: string) => {
        if (id.includes("/")) return nestedOutput(saved, id.split("/"), "q");
        const run = statuses.find((st) => st.node_id === id);
        return (run?.output_values as Record<string, { value?: unknown }> | undefined)?.q?.value;
      };
      return active.plan.flow.nodes.flatMap((node) =>
        latchesIn(node, "", "", qOf).map((l) => ({ flowId: flow.flowId, ...l })),
      );
    });

  route(app, {
    method: "GET",
    url: "/latches",
    summary: "The site's latches (SR flip-flops) and their last output",
    tags: ["execution"],
    auth: "viewer",
    handler() {
      return {
        latches: latches().map(({ flowId, id, label, q }) => ({ node_id: id, flow_id: flowId, label, q })),
      };
    },
  });

  route(app, {
    method: "POST",
    url: "/latches/:node/reset",
    summary:
      "Reset a latch (one inside a sub-flow by its path, node/latch): it clears on the next scan (a set still asserted sets it again); flow_id names the flow when several have that latch",
    tags: ["execution"],
    auth: "operator",
    audit: { action: "latch.reset", target: ({ params }) => params.node },
    params: z.object({ node: z.string().min(1).max(200) }),
    query: FlowFilterSchema,
    handler({ params, query }, request) {
      const found = pick(
        latches().filter((l) => l.id === params.node),
        `a latch "${params.node}"`,
        query.flow_id,
      );
      // The latch owns its state: a new token on its reset parameter clears it once (as an alarm ack does).
      // Parameters are per flow, so a latch with the same node id in another flow is not touched.
      app.engine.parameters.signal(found.flowId, `latch_reset:${found.id}`);
      app.repos.events.add("info", "parameters", `latch ${found.label} reset`, { flow_id: found.flowId });
      if (request.auditNote) request.auditNote.details = { label: found.label, flow_id: found.flowId };
      return { node_id: found.id, flow_id: found.flowId, reset: true };
    },
  });
}

/** A flow document node as drawn (the compiled plan's flow keeps these). */
interface DrawnNode {
  id: string;
  type: string;
  label?: string | undefined;
  config?: Record<string, unknown>;
}

/** The latches in a node: itself, or those inside a sub-flow node, as `{id: path, label}`. */
function latchesIn(
  node: DrawnNode,
  prefix: string,
  labelPrefix: string,
  qOf: (id: string) => unknown,
): { id: string; label: string; q: boolean | null }[] {
  const id = `${prefix}${node.id}`;
  const label = `${labelPrefix}${node.label ?? node.id}`;
  if (node.type === "latch") {
    const q = qOf(id);
    return [{ id, label, q: typeof q === "boolean" ? q : null }];
  }
  if (node.type !== "subflow") return [];
  const inner = (node.config?.flow as { nodes?: DrawnNode[] } | undefined)?.nodes ?? [];
  return inner.flatMap((n) => latchesIn(n, `${id}/`, `${label} › `, qOf));
}

/** An output of a node inside sub-flow nodes, from the saved states (`path`: host ids, then the node). */
function nestedOutput(saved: readonly SavedNodeState[], path: string[], port: string): unknown {
  const [head, ...rest] = path;
  const entry = saved.find((s) => s.node_id === head);
  if (!entry) return undefined;
  if (rest.length === 0) return (entry.outputs as Record<string, { value?: unknown }> | null)?.[port]?.value;
  const inner = (entry.state as { saved?: SavedNodeState[] } | null)?.saved ?? [];
  return nestedOutput(inner, rest, port);
}
