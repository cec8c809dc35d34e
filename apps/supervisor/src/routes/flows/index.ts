import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { FlowEngine } from "../../engine/flow-engine";
import { route } from "../../http/route";
import { executionState } from "../execution";
import { flowOf } from "./flow-of";

const FlowParamsSchema = z.object({ id: z.string().min(1).max(64) });

/** One flow of the site as the flows list shows it. */
function summary(engine: FlowEngine) {
  const flow = engine.flow;
  return {
    flow_id: engine.flowId,
    name: engine.name,
    status: engine.status,
    scan_count: engine.tracker.scans,
    last_scan_at: engine.tracker.lastScanAt ? new Date(engine.tracker.lastScanAt).toISOString() : null,
    last_error: engine.errorMessage ?? null,
    trigger: flow?.plan.flow.execution.trigger ?? null,
    nodes: flow?.plan.nodes.length ?? 0,
    avg_scan_ms: engine.tracker.averageScanMs(),
    overruns: flow?.scheduler.overruns ?? 0,
  };
}

/** Per-flow control and state: the site-wide equivalents stay under /api/execution. */
export async function flowRoutes(app: FastifyInstance): Promise<void> {
  route(app, {
    method: "GET",
    url: "/",
    summary: "The active site's flows, each with its status, scan count, last scan and last error",
    tags: ["flows"],
    auth: "viewer",
    handler() {
      const site = app.engine.site;
      return {
        project: site ? site.project : null,
        config_version: site?.stored.version ?? null,
        flows: app.engine.flows().map(summary),
      };
    },
  });

  route(app, {
    method: "POST",
    url: "/:id/start",
    summary: "Start one flow (its state is kept; the others are not touched)",
    tags: ["flows"],
    auth: "operator",
    audit: { action: "flow.start", target: ({ params }) => params.id },
    params: FlowParamsSchema,
    handler({ params }) {
      const engine = flowOf(app, params.id);
      app.engine.startFlow(engine);
      return summary(engine);
    },
  });

  route(app, {
    method: "POST",
    url: "/:id/stop",
    summary:
      "Stop one flow and relinquish the points it commanded (only its own); it stays stopped across restarts until started",
    tags: ["flows"],
    auth: "operator",
    audit: { action: "flow.stop", target: ({ params }) => params.id },
    params: FlowParamsSchema,
    async handler({ params }, request) {
      const engine = flowOf(app, params.id);
      const by = request.identity?.name ?? "anonymous";
      await app.engine.stopFlow(engine, by, `stopped through the API by ${by}`);
      return summary(engine);
    },
  });

  route(app, {
    method: "POST",
    url: "/:id/restart",
    summary: "Stop (relinquishing its points) and start one flow again",
    tags: ["flows"],
    auth: "operator",
    audit: { action: "flow.restart", target: ({ params }) => params.id },
    params: FlowParamsSchema,
    async handler({ params }) {
      const engine = flowOf(app, params.id);
      await engine.stop("restart requested");
      app.engine.startFlow(engine);
      return summary(engine);
    },
  });

  route(app, {
    method: "GET",
    url: "/:id/state",
    summary:
      "One flow's last scan: per-node status, inputs and outputs, the timeline, and its recent scans' start, cycle and reads",
    tags: ["flows"],
    auth: "viewer",
    params: FlowParamsSchema,
    query: z.object({ timeline: z.coerce.number().int().min(0).max(5000).default(200) }),
    handler({ params, query }) {
      const engine = flowOf(app, params.id);
      return {
        ...executionState([engine], query.timeline, engine.flowId),
        flow: summary(engine),
        // This flow's own recent scans (start against its phase clock, cycle, read time, reads, good
        // reads): /api/execution/status carries the first flow's only.
        recent_scans: engine.timing.recent(),
      };
    },
  });
}
