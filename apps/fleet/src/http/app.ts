import { type Role, RoleSchema, roleAllows, zodProblems } from "@bms/schemas";
import { REDACT_PATHS, redactText, STRICT_CSP, sameSecret, securityHeaders } from "@bms/security";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { z } from "zod";
import type { SparkplugConsumer } from "../ingest/sparkplug-consumer";
import type { Pool } from "../storage/database";
import type { FleetRepo } from "../storage/fleet-repo";
import type { HistoryWriter } from "../storage/history-writer";
import type { TokenIdentity, TokensRepo } from "../storage/tokens-repo";

export interface FleetAppDeps {
  pool: Pool;
  repo: FleetRepo;
  tokens: TokensRepo;
  consumer: SparkplugConsumer;
  history: HistoryWriter;
  adminToken: string;
  logLevel: string;
  version: string;
}

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly problems?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

function parse<T extends z.ZodType>(schema: T, input: unknown, where: string): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw new HttpError(422, `invalid ${where}`, zodProblems(result.error, [where]));
  return result.data;
}

const time = z
  .union([z.iso.datetime({ offset: true }), z.coerce.number().int()])
  .transform((v) => (typeof v === "number" ? v : Date.parse(v)));
const name = z.string().min(1).max(200);

const SupervisorsQuery = z.object({
  site: name.optional(),
  status: z.enum(["online", "offline"]).optional(),
});
const HistoryQuery = z
  .object({
    ref: z.string().min(1).max(512).optional(),
    supervisor: name.optional(),
    site: name.optional(),
    from: time.optional(),
    to: time.optional(),
    limit: z.coerce.number().int().min(1).max(100_000).default(10_000),
  })
  .refine((q) => q.ref || q.supervisor || q.site, { message: "give ref, supervisor or site", path: ["ref"] });
const AlarmsQuery = z.object({
  open: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
  site: name.optional(),
  supervisor: name.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(500),
});
const TokenBody = z.object({ name, role: RoleSchema });

declare module "fastify" {
  interface FastifyRequest {
    identity: TokenIdentity | null;
  }
}

/**
 * The fleet API: every supervisor's status, history and alarms across sites, read from PostgreSQL.
 * Bearer tokens only (the bootstrap admin token, or named tokens an admin creates), reads need viewer,
 * token management admin and is audited. JSON for servers (the Designer's fleet console) and scripts:
 * no cookies, so nothing for a cross-site page to ride on.
 */
export async function buildFleetApp(deps: FleetAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: deps.logLevel,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      serializers: {
        req: (r: FastifyRequest) => ({ method: r.method, url: redactText(r.url), remoteAddress: r.ip }),
      },
    },
    bodyLimit: 64 * 1024,
    requestTimeout: 30_000,
  });
  app.decorateRequest("identity", null);
  const headers = securityHeaders({ csp: STRICT_CSP, tls: false });
  app.addHook("onSend", async (_request, reply) => {
    for (const [k, v] of Object.entries(headers)) reply.header(k, v);
  });
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error instanceof HttpError)
      return reply
        .status(error.statusCode)
        .send({ error: error.message, ...(error.problems ? { errors: error.problems } : {}) });
    if (error.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error instanceof SyntaxError)
      return reply
        .status(422)
        .send({ error: "malformed JSON", errors: [{ path: "(body)", message: error.message }] });
    if (error.statusCode && error.statusCode < 500)
      return reply.status(error.statusCode).send({ error: error.message });
    request.log.error({ err: { message: redactText(error.message) } }, "unhandled error");
    return reply.status(500).send({ error: "internal error; see the fleet service log" });
  });

  const identify = async (request: FastifyRequest): Promise<TokenIdentity | null> => {
    const header = request.headers.authorization;
    if (!header?.startsWith("Bearer ")) return null;
    const secret = header.slice(7).trim();
    if (sameSecret(secret, deps.adminToken)) return { kind: "bootstrap", name: "bootstrap", role: "admin" };
    return (await deps.tokens.identify(secret)) ?? null;
  };
  const need = (role: Role) => async (request: FastifyRequest, reply: FastifyReply) => {
    request.identity = await identify(request);
    if (!request.identity)
      return reply.status(401).send({ error: "a bearer token is required", code: "unauthenticated" });
    if (!roleAllows(request.identity.role, role))
      return reply.status(403).send({ error: `needs the ${role} role`, code: "forbidden" });
  };
  const actor = (request: FastifyRequest) => ({
    kind: request.identity!.kind,
    name: request.identity!.name,
    role: request.identity!.role,
  });

  app.get("/api/health", async () => {
    let database = "ok";
    try {
      await deps.pool.query("SELECT 1");
    } catch {
      database = "error";
    }
    return {
      status: database === "ok" && deps.consumer.stats.connected ? "ok" : "degraded",
      version: deps.version,
      database,
      broker: deps.consumer.stats.connected ? "connected" : "disconnected",
      ingest: {
        ...deps.consumer.stats,
        written: deps.history.written,
        queued: deps.history.queued,
        dropped: deps.history.dropped,
      },
    };
  });

  app.get("/api/supervisors", { preHandler: need("viewer") }, async (request) => {
    const q = parse(SupervisorsQuery, request.query, "query");
    return { supervisors: await deps.repo.listSupervisors(q) };
  });

  app.get("/api/supervisors/:group/:node/devices", { preHandler: need("viewer") }, async (request) => {
    const p = parse(z.object({ group: name, node: name }), request.params, "params");
    return { devices: await deps.repo.listDevices(p.group, p.node) };
  });

  app.get("/api/history", { preHandler: need("viewer") }, async (request) => {
    const q = parse(HistoryQuery, request.query, "query");
    const to = q.to ?? Date.now();
    const from = q.from ?? to - 3_600_000;
    if (!(from <= to))
      throw new HttpError(422, "invalid query", [
        { path: "query.from", message: "from must not be after to" },
      ]);
    const rows = await deps.repo.history({
      ref: q.ref,
      node: q.supervisor,
      site: q.site,
      from,
      to,
      limit: q.limit,
    });
    return {
      samples: rows.map((r) => ({
        group: r.group_id,
        supervisor: r.node_id,
        site: r.site,
        device: r.device_id,
        ref: r.ref,
        ts: new Date(r.ts).toISOString(),
        value: r.value_text ?? r.value,
        quality: r.quality,
        historical: r.historical,
        units: r.units,
      })),
    };
  });

  app.get("/api/alarms", { preHandler: need("viewer") }, async (request) => {
    const q = parse(AlarmsQuery, request.query, "query");
    return {
      alarms: await deps.repo.listAlarms({ open: q.open, site: q.site, node: q.supervisor, limit: q.limit }),
    };
  });

  app.get("/api/tokens", { preHandler: need("admin") }, async () => ({ tokens: await deps.tokens.list() }));

  app.post("/api/tokens", { preHandler: need("admin") }, async (request, reply) => {
    const body = parse(TokenBody, request.body, "body");
    const created = await deps.tokens.create(body.name, body.role);
    await deps.tokens.audit({
      actor: actor(request),
      source: request.ip,
      action: "token.create",
      target: body.name,
      result: "ok",
      details: { id: created.id, role: body.role },
    });
    // The secret is shown once, here; only its hash is stored.
    return reply
      .status(201)
      .send({ id: created.id, name: body.name, role: body.role, token: created.secret });
  });

  app.delete("/api/tokens/:id", { preHandler: need("admin") }, async (request, reply) => {
    const p = parse(z.object({ id: z.coerce.number().int().min(1) }), request.params, "params");
    const ok = await deps.tokens.revoke(p.id);
    await deps.tokens.audit({
      actor: actor(request),
      source: request.ip,
      action: "token.revoke",
      target: String(p.id),
      result: ok ? "ok" : "failed",
      ...(ok ? {} : { reason: "no such active token" }),
    });
    if (!ok) return reply.status(404).send({ error: "no such active token", code: "not_found" });
    return { ok: true };
  });

  app.get("/api/audit", { preHandler: need("admin") }, async (request) => {
    const q = parse(
      z.object({ limit: z.coerce.number().int().min(1).max(10_000).default(500) }),
      request.query,
      "query",
    );
    return { records: await deps.tokens.auditList(q.limit) };
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: `no route ${request.method} ${request.url.split("?")[0]}` });
  });
  return app;
}
