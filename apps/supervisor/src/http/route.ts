import { type ValidationProblem, zodProblems } from "@bms/schemas";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";

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

export interface RouteSpec<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  method: "GET" | "POST" | "PUT" | "DELETE";
  url: string;
  summary: string;
  tags: string[];
  /** Mutating routes need the admin token; reads follow the viewer policy; public needs nothing. */
  auth: "admin" | "viewer" | "public";
  body?: B;
  /** Documents a body the handler validates itself (deploy checks the raw bytes' checksum). */
  documentedBody?: z.ZodType;
  query?: Q;
  params?: P;
  response?: z.ZodType;
  handler(
    input: { body: z.infer<B>; query: z.infer<Q>; params: z.infer<P> },
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<unknown> | unknown;
}

export interface DocumentedRoute {
  method: string;
  url: string;
  summary: string;
  tags: string[];
  auth: "admin" | "viewer" | "public";
  body?: z.ZodType;
  documentedBody?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  response?: z.ZodType;
}

/** Every route registered through `route()`, for the OpenAPI document. */
export const documentedRoutes: DocumentedRoute[] = [];

function parse<T extends z.ZodType>(schema: T | undefined, value: unknown, where: string): z.infer<T> {
  if (!schema) return value as z.infer<T>;
  const result = schema.safeParse(value ?? (where === "body" ? undefined : {}));
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
  B extends z.ZodType = z.ZodUnknown,
  Q extends z.ZodType = z.ZodUnknown,
  P extends z.ZodType = z.ZodUnknown,
>(app: FastifyInstance, spec: RouteSpec<B, Q, P>): void {
  const prefix = app.prefix ?? "";
  if (!documentedRoutes.some((r) => r.method === spec.method && r.url === prefix + spec.url)) {
    documentedRoutes.push({ ...spec, url: prefix + spec.url });
  }
  app.route({
    method: spec.method,
    url: spec.url,
    ...(spec.auth === "public"
      ? {}
      : { preHandler: spec.auth === "admin" ? app.requireAdmin : app.requireViewer }),
    handler: async (request, reply) => {
      const body = parse(spec.body, request.body, "body");
      const query = parse(spec.query, request.query, "query");
      const params = parse(spec.params, request.params, "params");
      const result = await spec.handler({ body, query, params }, request, reply);
      return result;
    },
  });
}
