import { type Role, type ValidationProblem, zodProblems } from "@bms/schemas";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";

/**
 * Any Zod schema, classic or zod/mini: modules the dashboard bundle shares (alarm-ack, who-has) are
 * written with zod/mini, and a route validates with them as they are.
 */
type Schema = z.core.$ZodType;

/** An error that reaches the client as `{error, errors?}` with its status, never as a stack trace. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly problems?: ValidationProblem[],
  ) {
    super(message);
  }
}

export interface RouteSpec<B extends Schema, Q extends Schema, P extends Schema> {
  method: "GET" | "POST" | "PUT" | "DELETE";
  url: string;
  summary: string;
  tags: string[];
  /** The least role that may call it (viewer < operator < admin), or public (no identity needed). */
  auth: Role | "public";
  /**
   * Every state-changing method names its audit action (one record per call, written by route()), or
   * says why it has none. GET routes change nothing and have none.
   */
  audit?: RouteAudit<B, Q, P>;
  body?: B;
  /** Documents a body the handler validates itself (deploy checks the raw bytes' checksum). */
  documentedBody?: z.ZodType;
  /** The documented body's media type when it is not JSON (an update bundle is raw bytes). */
  bodyMediaType?: string;
  query?: Q;
  params?: P;
  response?: z.ZodType;
  handler(
    input: { body: z.infer<B>; query: z.infer<Q>; params: z.infer<P> },
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<unknown> | unknown;
}

export type RouteAudit<B extends Schema, Q extends Schema, P extends Schema> =
  | {
      action: string;
      /** What it acted on, from the validated input; handlers may refine it through request.auditNote. */
      target?(input: { body: z.infer<B>; query: z.infer<Q>; params: z.infer<P> }): string | null;
    }
  | { none: string };

export interface DocumentedRoute {
  method: string;
  url: string;
  summary: string;
  tags: string[];
  auth: Role | "public";
  /** The audit action, or null with the reason a state-changing route records nothing. */
  auditAction: string | null;
  auditNone?: string;
  body?: Schema;
  documentedBody?: z.ZodType;
  bodyMediaType?: string;
  query?: Schema;
  params?: Schema;
  response?: z.ZodType;
}

/**
 * Every route registered through `route()`: the one table the OpenAPI document, the authorization
 * matrix test and the audit test are generated from.
 */
export const documentedRoutes: DocumentedRoute[] = [];

function parse<T extends Schema>(schema: T | undefined, value: unknown, where: string): z.infer<T> {
  if (!schema) return value as z.infer<T>;
  const result = z.safeParse(schema, value ?? (where === "body" ? undefined : {}));
  if (!result.success) {
    throw new HttpError(422, `invalid ${where}`, zodProblems(result.error, where === "body" ? [] : [where]));
  }
  return result.data;
}

/**
 * Registers a thin route: input validated with the shared Zod schemas (422 with `{path, message}` per
 * problem), the auth policy applied, the handler's value sent as JSON.
 */
export function route<
  B extends Schema = z.ZodUnknown,
  Q extends Schema = z.ZodUnknown,
  P extends Schema = z.ZodUnknown,
>(app: FastifyInstance, spec: RouteSpec<B, Q, P>): void {
  const prefix = app.prefix ?? "";
  const url = prefix + spec.url;
  const audit = spec.audit;
  if (spec.method === "GET" && audit) throw new Error(`GET ${url}: reads are not audited`);
  if (spec.method !== "GET" && !audit)
    throw new Error(`${spec.method} ${url}: a state-changing route must name its audit action (or none)`);
  const auditAction = audit && "action" in audit ? audit.action : null;
  if (!documentedRoutes.some((r) => r.method === spec.method && r.url === url)) {
    documentedRoutes.push({
      ...spec,
      url,
      auditAction,
      ...(audit && "none" in audit ? { auditNone: audit.none } : {}),
    });
  }
  app.route({
    method: spec.method,
    url: spec.url,
    config: { bms: { auth: spec.auth, ...(auditAction ? { auditAction } : {}) } },
    preHandler: app.authorize(spec.auth),
    handler: async (request, reply) => {
      if (!auditAction) {
        const body = parse(spec.body, request.body, "body");
        const query = parse(spec.query, request.query, "query");
        const params = parse(spec.params, request.params, "params");
        return spec.handler({ body, query, params }, request, reply);
      }
      // Exactly one record per call, whatever happens: ok, refused input, or a failure.
      const note: NonNullable<FastifyRequest["auditNote"]> = {};
      request.auditNote = note;
      let target: string | null = null;
      try {
        const body = parse(spec.body, request.body, "body");
        const query = parse(spec.query, request.query, "query");
        const params = parse(spec.params, request.params, "params");
        target = (audit && "action" in audit ? audit.target?.({ body, query, params }) : null) ?? null;
        const result = await spec.handler({ body, query, params }, request, reply);
        record(app, request, auditAction, note, target, note.result ?? "ok", note.reason);
        return result;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        record(app, request, auditAction, note, target, "failed", reason);
        throw error;
      }
    },
  });
}

function record(
  app: FastifyInstance,
  request: FastifyRequest,
  action: string,
  note: NonNullable<FastifyRequest["auditNote"]>,
  target: string | null,
  result: "ok" | "denied" | "failed",
  reason: string | undefined,
): void {
  app.auth.record(request, {
    action,
    target: note.target !== undefined ? note.target : target,
    result,
    ...(reason ? { reason } : {}),
    ...(note.details ? { details: note.details } : {}),
    ...(note.actor ? { actor: note.actor } : {}),
  });
}

/**
 * Every route Fastify registers, including ones added with `app.get()` outside `route()`: the
 * authorization matrix test fails when one is neither in `documentedRoutes` nor a known public page.
 */
export const registeredRoutes: { method: string; url: string }[] = [];

export function trackRegisteredRoutes(app: FastifyInstance): void {
  app.addHook("onRoute", (options) => {
    for (const method of [options.method].flat()) {
      if (!registeredRoutes.some((r) => r.method === method && r.url === options.url))
        registeredRoutes.push({ method, url: options.url });
    }
  });
}
