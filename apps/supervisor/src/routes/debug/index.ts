import { unitSymbol } from "@bms/bacnet/display";
import { type FlowConfiguration, normalizePointRef, parsePointRef, QualitySchema } from "@bms/schemas";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { DEFAULT_MAX_PAUSE_MS, describeTarget, type Pin, type PinTarget } from "../../engine/flow-debugger";
import { FlowEngine } from "../../engine/flow-engine";
import { FlowReplayer, MAX_REPLAY_HOURS } from "../../engine/flow-replay";
import { HttpError, route } from "../../http/route";
import { flowOf } from "../flows/flow-of";

/**
 * The live debugger (issue 16): breakpoints, stepping, pinned values and dry run on the flows of the
 * running site. Reads are viewer; everything that changes how a flow runs is operator (admin included)
 * and audited. A pause never outlives its maximum (default 60 s): the flow resumes by itself.
 */

const FlowParams = z.object({ id: z.string().min(1).max(64) });
const MAX_PIN_S = 24 * 3600;

const BreakpointsBody = z.object({
  nodes: z.array(z.string().min(1).max(64)).max(500),
  /** How long a scan may stay paused before the flow resumes by itself. */
  max_pause_s: z
    .number()
    .min(1)
    .max(600)
    .default(DEFAULT_MAX_PAUSE_MS / 1000),
});

const ResumeBody = z.object({ mode: z.enum(["continue", "node", "scan"]).default("continue") });

const PinBody = z
  .object({
    node: z.string().min(1).max(64).optional(),
    port: z.string().min(1).max(64).optional(),
    point: z.string().min(1).max(300).optional(),
    value: z.union([z.number(), z.boolean(), z.string().max(200)]).nullable(),
    quality: QualitySchema.default("good"),
    /** Pins always expire: an injected value forgotten on site is a fault waiting to happen. */
    expires_in_s: z.number().min(1).max(MAX_PIN_S).default(900),
  })
  .refine((b) => (b.point === undefined) !== (b.node === undefined && b.port === undefined), {
    message: "a pin names either a point, or a node and its input port",
  })
  .refine((b) => b.point !== undefined || (b.node !== undefined && b.port !== undefined), {
    message: "an input pin names both node and port",
    path: ["port"],
  });

const DryRunBody = z.object({ enabled: z.boolean() });

const ReplayBody = z.object({
  /** The running flow whose recorded reads are replayed, and whose commands are the comparison. */
  flow_id: z.string().min(1).max(64),
  /** The changed version of the flow (a flow configuration, library instances expanded). */
  candidate: z.record(z.string(), z.unknown()),
  /** traces: the last 15 minutes of scans; history: the recorded point values of the last `hours`. */
  source: z.enum(["traces", "history"]).default("traces"),
  hours: z.number().min(0.25).max(MAX_REPLAY_HOURS).default(MAX_REPLAY_HOURS),
  tolerance: z.number().min(0).max(1e6).optional(),
  /** The zone the summary tells times in (the Designer sends the person's own). */
  time_zone: z.string().min(1).max(64).optional(),
});

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

function pinView(p: Pin, flowId: string) {
  return {
    id: p.id,
    flow_id: flowId,
    target: p.target,
    label: describeTarget(p.target),
    value: p.value,
    quality: p.quality,
    set_by: p.set_by,
    set_at: iso(p.set_at),
    expires_at: iso(p.expires_at),
  };
}

/** What the debugger shows: breakpoints, pins, the pause with every node's inputs/outputs/state, dry run. */
function debugState(engine: FlowEngine) {
  const debug = engine.debug;
  const flow = engine.flow;
  const pause = debug.pause;
  const order = new Map(flow?.plan.nodes.map((n, i) => [n.id, i]) ?? []);
  const pausedAt = pause ? (order.get(pause.nodeId) ?? 0) : -1;
  return {
    flow_id: engine.flowId,
    status: engine.status,
    breakpoints: debug.breakpointList,
    max_pause_s: debug.maxPauseMs / 1000,
    pins: debug.activePins().map((p) => pinView(p, engine.flowId)),
    paused: pause
      ? {
          node_id: pause.nodeId,
          scan: pause.scan,
          reason: pause.reason,
          since: iso(pause.since),
          auto_resume_at: iso(pause.autoResumeAt),
          /** Every write of this scan waits for it to finish; these commands were sent before and stay. */
          writes_held: "every write of the paused scan is held until the scan completes",
          writes_in_force: engine.commandsInForce().map((c) => ({
            point: c.ref,
            priority: c.priority,
            value: c.value ?? null,
            node_id: c.nodeId,
            sent_at: c.at > 0 ? iso(c.at) : null,
          })),
          nodes: (flow?.plan.nodes ?? []).map((n, i) => ({
            id: n.id,
            type: n.type,
            /** evaluated: ran in this scan; paused: the next to run; pending: still has last scan's outputs. */
            phase: i < pausedAt ? "evaluated" : i === pausedAt ? "paused" : "pending",
            inputs: i <= pausedAt ? (debug.inputsOf(n.id) ?? null) : null,
            outputs: flow?.runtime.outputsOf(n.id) ?? null,
            state: flow?.runtime.stateOf(n.id) ?? null,
          })),
        }
      : null,
    dry_run: debug.dryRun
      ? {
          since: iso(debug.dryRun.since),
          by: debug.dryRun.by,
          would_command: [...debug.wouldCommand.values()].map((w) => ({ ...w, at: iso(w.at) })),
          suppressed: debug.suppressed.map((w) => ({ ...w, at: iso(w.at) })),
        }
      : null,
  };
}

/**
 * Who a pin, a pause or a dry run is shown as: the person the Designer acts for when it says so (a pin
 * forgotten on site must name a person, not the Designer's token), with the token it came through.
 */
const actor = (request: FastifyRequest) => {
  const name = request.identity?.name ?? "anonymous";
  return request.onBehalfOf ? `${request.onBehalfOf} (via ${name})` : name;
};

export async function debugRoutes(app: FastifyInstance): Promise<void> {
  route(app, {
    method: "GET",
    url: "/pins",
    summary: "Every pinned value in force across the site's flows, with paused and dry-running flows",
    tags: ["debug"],
    auth: "viewer",
    handler() {
      const engines = app.engine.flows();
      return {
        pins: engines.flatMap((e) => e.debug.activePins().map((p) => pinView(p, e.flowId))),
        paused: engines.flatMap((e) => {
          const p = e.debug.pause;
          return p
            ? [{ flow_id: e.flowId, name: e.name, node_id: p.nodeId, auto_resume_at: iso(p.autoResumeAt) }]
            : [];
        }),
        dry_run: engines.filter((e) => e.debug.dryRun).map((e) => ({ flow_id: e.flowId, name: e.name })),
      };
    },
  });

  route(app, {
    method: "GET",
    url: "/flows/:id",
    summary:
      "One flow's debugger: breakpoints, pins, the pause (every node's inputs, outputs and state), dry run",
    tags: ["debug"],
    auth: "viewer",
    params: FlowParams,
    handler({ params }) {
      return debugState(flowOf(app, params.id));
    },
  });

  route(app, {
    method: "PUT",
    url: "/flows/:id/breakpoints",
    summary: "Set a running flow's breakpoints (scans pause before these nodes) and its maximum pause",
    tags: ["debug"],
    auth: "operator",
    audit: { action: "debug.breakpoints", target: ({ params }) => params.id },
    params: FlowParams,
    body: BreakpointsBody,
    handler({ params, body }, request) {
      const engine = flowOf(app, params.id);
      const known = engine.flow?.plan.byId;
      const problems = body.nodes.flatMap((n, i) =>
        known?.has(n)
          ? []
          : [{ path: `nodes[${i}]`, message: `the flow has no node "${n}"`, code: "unknown_node" }],
      );
      if (problems.length > 0) throw new HttpError(422, "unknown nodes", problems);
      engine.debug.setBreakpoints(body.nodes, body.max_pause_s * 1000);
      if (request.auditNote) request.auditNote.details = { nodes: body.nodes, max_pause_s: body.max_pause_s };
      // Clearing every breakpoint also lets a held scan go.
      if (body.nodes.length === 0) engine.debug.resume("continue", actor(request));
      return debugState(engine);
    },
  });

  route(app, {
    method: "POST",
    url: "/flows/:id/resume",
    summary: "Resume a paused flow: continue, step one node, or step one scan",
    tags: ["debug"],
    auth: "operator",
    audit: { action: "debug.resume", target: ({ params }) => params.id },
    params: FlowParams,
    body: ResumeBody,
    handler({ params, body }, request) {
      const engine = flowOf(app, params.id);
      if (!engine.debug.resume(body.mode, actor(request)))
        throw new HttpError(409, "the flow is not paused", [
          { path: "", message: "the flow is not paused", code: "not_paused" },
        ]);
      if (request.auditNote) request.auditNote.details = { mode: body.mode };
      return debugState(engine);
    },
  });

  route(app, {
    method: "POST",
    url: "/flows/:id/pins",
    summary: "Pin a value on a node input or a point read; the flow uses it instead until removed or expired",
    tags: ["debug"],
    auth: "operator",
    audit: { action: "debug.pin", target: ({ params }) => params.id },
    params: FlowParams,
    body: PinBody,
    handler({ params, body }, request, reply) {
      const engine = flowOf(app, params.id);
      const plan = engine.flow?.plan;
      let target: PinTarget;
      if (body.point !== undefined) {
        let ref: string;
        try {
          ref = normalizePointRef(body.point);
        } catch (error) {
          throw new HttpError(422, "invalid point", [
            { path: "point", message: (error as Error).message, code: "invalid_point" },
          ]);
        }
        if (!plan?.reads.includes(ref))
          throw new HttpError(422, "not read by the flow", [
            { path: "point", message: `the flow does not read ${ref}`, code: "point_not_read" },
          ]);
        target = { kind: "point", ref };
      } else {
        const node = plan?.byId.get(body.node!);
        if (!node)
          throw new HttpError(422, "unknown node", [
            { path: "node", message: `the flow has no node "${body.node}"`, code: "unknown_node" },
          ]);
        if (!node.definition.inputs.some((p) => p.name === body.port))
          throw new HttpError(422, "unknown port", [
            { path: "port", message: `node "${node.id}" has no input "${body.port}"`, code: "unknown_port" },
          ]);
        target = { kind: "input", node: node.id, port: body.port! };
      }
      const pin = engine.debug.addPin(
        target,
        body.value,
        body.quality,
        body.expires_in_s * 1000,
        actor(request),
      );
      if (request.auditNote)
        request.auditNote.details = {
          pin: describeTarget(target),
          value: body.value,
          quality: body.quality,
          expires_in_s: body.expires_in_s,
        };
      reply.code(201);
      return pinView(pin, engine.flowId);
    },
  });

  route(app, {
    method: "DELETE",
    url: "/flows/:id/pins/:pin",
    summary: "Remove a pinned value: the flow reads the wire or the device again",
    tags: ["debug"],
    auth: "operator",
    audit: { action: "debug.unpin", target: ({ params }) => `${params.id}/${params.pin}` },
    params: FlowParams.extend({ pin: z.string().min(1).max(64) }),
    handler({ params }) {
      const engine = flowOf(app, params.id);
      if (!engine.debug.removePin(params.pin))
        throw new HttpError(404, `no pin "${params.pin}" on this flow`);
      return debugState(engine);
    },
  });

  const replayer = new FlowReplayer();
  /** "%", "°C": the object's units from the cache browsing filled (no BACnet traffic). */
  const unitsOf = (ref: string): string | undefined => {
    const parsed = parsePointRef(ref);
    if (!parsed.ok || parsed.ref.protocol !== "bacnet") return undefined;
    const labels = app.repos.devices.labels(parsed.ref.device, parsed.ref.objectType, parsed.ref.instance);
    const symbol = labels?.units && labels.units !== "noUnits" ? unitSymbol(labels.units) : "";
    return symbol || undefined;
  };

  route(app, {
    method: "POST",
    url: "/replay",
    summary:
      "Replay a changed version of a running flow over its traces (15 min) or history (24 h) and compare what each commands",
    tags: ["debug"],
    // Operator, though it changes nothing: it spends the supervisor's CPU on a caller's flow.
    auth: "operator",
    audit: { none: "a replay runs on recorded values, writes nothing and changes nothing" },
    body: ReplayBody,
    async handler({ body }) {
      const engine = flowOf(app, body.flow_id);
      const running = engine.flow?.plan;
      if (!running)
        throw new HttpError(409, "the flow is not running", [
          {
            path: "flow_id",
            message: "the flow is not running: there is nothing to compare with",
            code: "flow_not_running",
          },
        ]);
      if (body.time_zone && !validTimeZone(body.time_zone))
        throw new HttpError(422, "unknown time zone", [
          { path: "time_zone", message: `unknown time zone "${body.time_zone}"`, code: "invalid_time_zone" },
        ]);
      // compileFlow validates the candidate in full (its schema, nodes and wiring) before anything runs.
      const compiled = FlowEngine.compile(body.candidate as unknown as FlowConfiguration, "candidate");
      if (!compiled.ok) throw new HttpError(422, "the candidate flow is invalid", compiled.errors);
      const outcome = await replayer.replay({
        running,
        candidate: compiled.plan,
        source: body.source,
        traces: engine.tracker.tracesSince(Date.now() - 15 * 60_000),
        history: (ref, from, to) => app.repos.timeseries.query(ref, from, to, 0),
        parameter: (name) => engine.parameters.get(name),
        units: unitsOf,
        now: Date.now(),
        hours: body.hours,
        ...(body.tolerance !== undefined ? { tolerance: body.tolerance } : {}),
        ...(body.time_zone ? { timeZone: body.time_zone } : {}),
      });
      if (!outcome.ok)
        throw new HttpError(
          outcome.status,
          outcome.problems[0]?.message ?? outcome.code,
          outcome.problems.map((p) => ({ ...p, code: outcome.code })),
        );
      const r = outcome.report;
      return {
        ...r,
        from: iso(r.from),
        to: iso(r.to),
        outputs: r.outputs.map((o) => ({
          ...o,
          windows: o.windows.map((w) => ({ ...w, from: iso(w.from), to: iso(w.to) })),
          chart: o.chart.map((c) => ({ ...c, at: iso(c.at) })),
        })),
      };
    },
  });

  route(app, {
    method: "PUT",
    url: "/flows/:id/dry-run",
    summary: "Dry run on or off: the flow runs on live reads and its writes are recorded, not sent",
    tags: ["debug"],
    auth: "operator",
    audit: { action: "debug.dry_run", target: ({ params }) => params.id },
    params: FlowParams,
    body: DryRunBody,
    handler({ params, body }, request) {
      const engine = flowOf(app, params.id);
      engine.setDryRun(body.enabled, actor(request));
      if (request.auditNote) request.auditNote.details = { enabled: body.enabled };
      return debugState(engine);
    },
  });
}
