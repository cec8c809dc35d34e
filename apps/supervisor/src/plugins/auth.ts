import { timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import fp from "fastify-plugin";

declare module "fastify" {
  interface FastifyInstance {
    requireAdmin: preHandlerAsyncHookHandler;
    requireViewer: preHandlerAsyncHookHandler;
    /** What the request's token allows: admin, viewer, or nothing (anonymous). */
    roleOf(request: FastifyRequest): { role: "admin" | "viewer" | "anonymous"; readsNeedToken: boolean };
  }
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith("Bearer ")) return header.slice(7).trim();
  // EventSource and <img> cannot set headers; the dashboard's read-only streams pass ?token=.
  const query = request.query as { token?: unknown } | undefined;
  return typeof query?.token === "string" ? query.token : undefined;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Bearer-token checks: the admin token for anything that changes state, optionally a viewer token to read. */
export const authPlugin = fp<{ adminToken: string; viewerToken?: string }>(
  async (app, { adminToken, viewerToken }) => {
    const deny = (reply: FastifyReply, status: 401 | 403, message: string) =>
      reply
        .status(status)
        .header("www-authenticate", 'Bearer realm="bms-supervisor"')
        .send({ error: message });

    app.decorate("requireAdmin", async (request: FastifyRequest, reply: FastifyReply) => {
      const token = bearer(request);
      if (!token)
        return deny(reply, 401, "this action needs the admin token (Authorization: Bearer <token>)");
      if (!same(token, adminToken)) return deny(reply, 403, "the token is not valid for this action");
    });
    app.decorate("roleOf", (request: FastifyRequest) => {
      const token = bearer(request);
      const role = !token
        ? ("anonymous" as const)
        : same(token, adminToken)
          ? ("admin" as const)
          : viewerToken && same(token, viewerToken)
            ? ("viewer" as const)
            : ("anonymous" as const);
      return { role, readsNeedToken: viewerToken !== undefined };
    });
    app.decorate("requireViewer", async (request: FastifyRequest, reply: FastifyReply) => {
      if (!viewerToken) return;
      const token = bearer(request);
      if (!token) return deny(reply, 401, "reading needs the viewer token");
      if (!same(token, viewerToken) && !same(token, adminToken))
        return deny(reply, 403, "the token is not valid");
    });
  },
  { name: "auth" },
);
